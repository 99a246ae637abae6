"""Every XML envelope the MWS API answers with, built from plain data."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from lxml import etree

from feedsvc.errors import MwsError
from feedsvc.xml.values import XML_DECLARATION, xml_safe

NAMESPACE = "http://mws.amazonaws.com/doc/2009-01-01/"

# A result is a sequence of (element name, value) pairs; a value is text or a nested result.
Node = Sequence[tuple[str, "str | Node"]]


def render_result(action: str, result: Node, request_id: str) -> bytes:
    """``<ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>...``."""
    root = etree.Element(f"{action}Response", nsmap={None: NAMESPACE})
    _fill(etree.SubElement(root, f"{action}Result"), result)
    _fill(etree.SubElement(root, "ResponseMetadata"), [("RequestId", request_id)])
    return _serialize(root)


def render_error(error: MwsError, request_id: str) -> bytes:
    """``<ErrorResponse><Error>...</Error><RequestID>`` (capital D, as MWS spelled it)."""
    root = etree.Element("ErrorResponse", nsmap={None: NAMESPACE})
    _fill(
        etree.SubElement(root, "Error"),
        [("Type", error.type), ("Code", error.code), ("Message", error.message), ("Detail", [])],
    )
    _fill(root, [("RequestID", request_id)])
    return _serialize(root)


def render_ping(now: datetime) -> bytes:
    """The answer to a bare GET on the service root."""
    root = etree.Element("PingResponse", nsmap={None: NAMESPACE})
    etree.SubElement(root, "Timestamp", timestamp=timestamp(now))
    return _serialize(root)


def timestamp(value: datetime) -> str:
    """``2024-01-05T10:00:00+00:00``, the form MWS used in FeedSubmissionInfo."""
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _fill(parent: etree._Element, node: Node) -> None:
    for name, value in node:
        child = etree.SubElement(parent, name)
        if isinstance(value, str):
            child.text = xml_safe(value)
        else:
            _fill(child, value)


def _serialize(root: etree._Element) -> bytes:
    body: bytes = etree.tostring(root, encoding="UTF-8")
    return XML_DECLARATION + body
