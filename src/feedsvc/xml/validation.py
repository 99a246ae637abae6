"""Check a feed document before it is queued, and describe every problem found."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from feedsvc.reports.results import ResultCode
from feedsvc.xml import safe
from feedsvc.xml.schemas import SchemaRegistry
from feedsvc.xml.values import full_text

_MESSAGE_PATH = re.compile(r"^/AmazonEnvelope/Message(?:\[(\d+)\])?(?:/|$)")


@dataclass(frozen=True, slots=True)
class FeedProblem:
    """One reason a document was refused; message_id 0 means the whole document."""

    message_id: int
    code: ResultCode
    description: str


def validate_xml_feed(content: bytes, schemas: SchemaRegistry) -> list[FeedProblem]:
    """Every problem that stops the document from being processed (empty when valid)."""
    try:
        tree = safe.parse(content)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        return [
            FeedProblem(
                0,
                ResultCode.XML_NOT_WELL_FORMED,
                f"XML Parsing Fatal Error at Line {line}, Column {column}: {exc.msg}",
            )
        ]
    except safe.UnsafeDocument as exc:
        return [FeedProblem(0, ResultCode.XML_INVALID, f"XML Parsing Fatal Error: {exc}")]

    root = tree.getroot()
    if root.tag != "AmazonEnvelope":
        return [
            FeedProblem(
                0,
                ResultCode.XML_INVALID,
                f"XML Parsing Error at Line {root.sourceline}: the root element is "
                f"'{root.tag}', but a feed must be an AmazonEnvelope.",
            )
        ]

    schema = schemas.envelope()
    if schema.validate(tree):
        return []
    message_ids = _message_ids(root)
    return [
        FeedProblem(
            _message_for(error.path, message_ids),
            ResultCode.XML_INVALID,
            f"XML Parsing Error at Line {error.line}, Column {error.column}: {error.message}",
        )
        for error in schema.error_log
    ]


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
