"""Check a feed document before it is queued, and describe every problem found."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from feedsvc.reports.results import ResultCode
from feedsvc.xml import safe
from feedsvc.xml.encoding import document_encoding, parsing_encoding
from feedsvc.xml.schemas import SchemaRegistry
from feedsvc.xml.values import full_text

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
    encoding = parsing_encoding(content, content_type)
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
    message_ids = _message_ids(root)
    if schema.validate(tree):
        return FeedCheck([], messages=len(message_ids))
    problems = [
        FeedProblem(
            _message_for(error.path, message_ids),
            ResultCode.XML_INVALID,
            f"XML Parsing Error at {_position(error.line, error.column)}: {error.message}",
        )
        for error in schema.error_log
    ]
    return FeedCheck(problems, messages=len(message_ids))


def _position(line: int, column: int) -> str:
    # libxml2 reports no column for schema errors; say so rather than "Column 0".
    return f"Line {line}, Column {column}" if column else f"Line {line}"


def _message_ids(root: etree._Element) -> list[int]:
    ids = []
    for message in root.iterchildren("Message"):
        element = message.find("MessageID")
        text = full_text(element).strip() if element is not None else ""
        ids.append(int(text) if text.isascii() and text.isdigit() else 0)
    return ids


def _message_for(path: str | None, message_ids: list[int]) -> int:
    match = _MESSAGE_PATH.match(path or "")
    if match is None:
        return 0
    index = int(match.group(1) or 1) - 1
    return message_ids[index] if index < len(message_ids) else 0
