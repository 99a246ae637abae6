"""Check a feed document before it is queued, and describe every problem found."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import IO

from lxml import etree

from feedsvc.reports.results import ResultCode
from feedsvc.xml import safe
from feedsvc.xml.encoding import UnsupportedCharset, document_encoding, parsing_encoding
from feedsvc.xml.schemas import SchemaRegistry
from feedsvc.xml.values import full_text

MAX_MESSAGE_ID_DIGITS = 20  # the schema's IDNumber: longer ones are reported against 0
_MESSAGE_PATH = re.compile(r"^/AmazonEnvelope/Message(?:\[(\d+)\])?(?:/|$)")


@dataclass(frozen=True, slots=True)
class FeedProblem:
    """One reason a document was refused; message_id 0 means the whole document."""

    message_id: int
    code: ResultCode
    description: str


@dataclass(frozen=True, slots=True)
class FeedCheck:
    """The verdict on a document: its problems (none when valid) and how many Messages it has."""

    problems: list[FeedProblem]
    messages: int


def validate_xml_feed(
    content: bytes, schemas: SchemaRegistry, *, content_type: str = ""
) -> FeedCheck:
    """Every problem that stops the document from being processed."""
    try:
        encoding = parsing_encoding(content, content_type)
    except UnsupportedCharset as exc:
        return FeedCheck([_charset_problem(exc)], messages=0)
    try:
        tree = safe.parse(content, encoding)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        description = f"XML Parsing Fatal Error at Line {line}, Column {column}: {exc.msg}"
        if "encoding" in exc.msg.lower():
            read_as = encoding or document_encoding(content) or "UTF-8"
            description += (
                f". The bytes are not valid {read_as}: declare the encoding they are in, "
                "in the XML declaration or the Content-Type charset."
            )
        problem = FeedProblem(0, ResultCode.XML_NOT_WELL_FORMED, description)
        return FeedCheck([problem], messages=0)
    except safe.UnsafeDocument as exc:
        problem = FeedProblem(0, ResultCode.XML_INVALID, f"XML Parsing Fatal Error: {exc}")
        return FeedCheck([problem], messages=0)

    root = tree.getroot()
    if root.tag != "AmazonEnvelope":
        problem = FeedProblem(
            0,
            ResultCode.XML_INVALID,
            f"XML Parsing Error at Line {root.sourceline}: the root element is "
            f"'{root.tag}', but a feed must be an AmazonEnvelope.",
        )
        return FeedCheck([problem], messages=0)

    schema = schemas.envelope()
    if schema.validate(tree):
        return FeedCheck([], messages=int(root.xpath("count(Message)")))
    message_ids = _message_ids(root)  # to name the message of each problem
    problems = [
        FeedProblem(
            _message_for(error.path, message_ids),
            ResultCode.XML_INVALID,
            f"XML Parsing Error at {_position(error.line, error.column)}: {error.message}",
        )
        for error in schema.error_log
    ]
    return FeedCheck(problems, messages=len(message_ids))


def validate_xml_stream(
    stream: IO[bytes], schemas: SchemaRegistry, *, head: bytes, content_type: str = ""
) -> FeedCheck:
    """The same verdict for a feed too large to hold in memory, read once as a stream.

    libxml2 validates while it parses; what it cannot give in this mode is the line of
    a schema error, so those problems name the element and the rule only.
    """
    try:
        encoding = parsing_encoding(head, content_type)
    except UnsupportedCharset as exc:
        return FeedCheck([_charset_problem(exc)], messages=0)
    refused = _prolog_problem(stream, encoding, head)
    if refused is not None:
        return refused
    stream.seek(0)
    etree.clear_error_log()  # the streaming parser reports through the thread's global log
    messages = 0
    # No DOCTYPE, so no entity can be declared: entity handling is left at its default,
    # because with resolve_entities=False libxml2's validating parser swallows syntax errors.
    events = etree.iterparse(
        stream,
        events=("end",),
        tag="Message",
        schema=schemas.envelope(),
        encoding=encoding,
        no_network=True,
        load_dtd=False,
    )
    try:
        for _event, message in events:
            messages += 1
            release(message)
    except etree.XMLSyntaxError as exc:
        entries = list(exc.error_log)
        if not entries or any(entry.domain_name != "SCHEMASV" for entry in entries):
            return FeedCheck([_syntax_problem(exc, encoding or document_encoding(head))], 0)
        problems = [
            FeedProblem(0, ResultCode.XML_INVALID, f"XML Parsing Error: {entry.message}")
            for entry in entries
        ]
        return FeedCheck(problems, messages=max(messages, 1))
    root = events.root
    if root.tag != "AmazonEnvelope":
        problem = FeedProblem(
            0,
            ResultCode.XML_INVALID,
            f"XML Parsing Error: the root element is '{root.tag}', but a feed must be an "
            "AmazonEnvelope.",
        )
        return FeedCheck([problem], messages=0)
    return FeedCheck([], messages=messages)


def _prolog_problem(stream: IO[bytes], encoding: str | None, head: bytes) -> FeedCheck | None:
    """Read up to the root's start tag without resolving entities: a DOCTYPE there, or a
    syntax error, refuses the document before the validating pass (which resolves
    entities) reads it. Entities can only be declared in a DOCTYPE, so that pass never
    meets one; and libxml2 must never validate a document whose entities it refused to
    expand (an entity bomb crashed lxml 6.2 there)."""
    stream.seek(0)
    events = etree.iterparse(
        stream,
        events=("start",),
        encoding=encoding,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
    )
    try:
        _event, root = next(events)
    except StopIteration:
        return None  # no element at all: the validating pass says so
    except etree.XMLSyntaxError as exc:
        return FeedCheck([_syntax_problem(exc, encoding or document_encoding(head))], 0)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        problem = FeedProblem(
            0, ResultCode.XML_INVALID, "XML Parsing Fatal Error: DOCTYPE declarations are not "
            "accepted in feeds"
        )  # fmt: skip
        return FeedCheck([problem], messages=0)
    return None


def release(message: etree._Element) -> None:
    """Forget a Message that has been read, and every one before it (bounded memory)."""
    message.clear()
    parent = message.getparent()
    if parent is not None:
        while message.getprevious() is not None:
            del parent[0]


def _charset_problem(exc: UnsupportedCharset) -> FeedProblem:
    return FeedProblem(
        0,
        ResultCode.XML_NOT_WELL_FORMED,
        f"XML Parsing Fatal Error: {exc}; declare the encoding in the XML declaration, or "
        "send UTF-8.",
    )


def _syntax_problem(exc: etree.XMLSyntaxError, encoding: str | None) -> FeedProblem:
    line, column = exc.position
    description = f"XML Parsing Fatal Error at Line {line}, Column {column}: {exc.msg}"
    if "encoding" in exc.msg.lower():
        description += (
            f". The bytes are not valid {encoding or 'UTF-8'}: declare the encoding they are "
            "in, in the XML declaration or the Content-Type charset."
        )
    return FeedProblem(0, ResultCode.XML_NOT_WELL_FORMED, description)


def _position(line: int, column: int) -> str:
    # libxml2 reports no column for schema errors; say so rather than "Column 0".
    return f"Line {line}, Column {column}" if column else f"Line {line}"


def _message_ids(root: etree._Element) -> list[int]:
    ids = []
    for message in root.iterchildren("Message"):
        element = message.find("MessageID")
        text = full_text(element).strip() if element is not None else ""
        readable = text.isascii() and text.isdigit() and len(text) <= MAX_MESSAGE_ID_DIGITS
        ids.append(int(text) if readable else 0)
    return ids


def _message_for(path: str | None, message_ids: list[int]) -> int:
    match = _MESSAGE_PATH.match(path or "")
    if match is None:
        return 0
    index = int(match.group(1) or 1) - 1
    return message_ids[index] if index < len(message_ids) else 0
