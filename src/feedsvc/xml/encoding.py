"""Which character encoding a feed is read in, and whether its label agrees with it.

An XML document names its own encoding (a byte-order mark or the XML declaration);
when it names none, the charset of the request's Content-Type applies, else UTF-8.
When both name one and they differ, the document wins and the report says so: real
clients send UTF-8 labelled ISO-8859-1 and the reverse.
"""

from __future__ import annotations

import codecs
import functools
import re
from email.message import Message

from lxml import etree

_DECLARATION = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def header_charset(content_type: str) -> str | None:
    """The ``charset`` parameter of a Content-Type header, if any."""
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return charset if isinstance(charset, str) and charset else None


def document_encoding(content: bytes) -> str | None:
    """The encoding the document itself names, by byte-order mark or XML declaration."""
    for bom, name in _BOMS:
        if content.startswith(bom):
            return name
    match = _DECLARATION.match(content[:200])
    return match.group(1).decode("ascii") if match else None


class UnsupportedCharset(ValueError):
    """The Content-Type names a charset the XML parser cannot read."""


def parsing_encoding(content: bytes, content_type: str) -> str | None:
    """An encoding to impose on the parser: the header's, when the document names none."""
    if document_encoding(content) is not None:
        return None
    charset = header_charset(content_type)
    if charset is None:
        return None
    name = _parser_name(charset)
    if name is None:
        raise UnsupportedCharset(f"the charset {charset} of the Content-Type is not supported")
    return name


@functools.lru_cache(maxsize=64)
def _parser_name(charset: str) -> str | None:
    """The spelling of ``charset`` that libxml2 accepts, if it reads it at all."""
    candidates = [charset]
    if _known(charset):
        canonical = codecs.lookup(charset).name
        candidates += [canonical, canonical.replace("iso8859", "iso-8859")]
    for candidate in candidates:
        try:
            etree.XMLParser(encoding=candidate)
        except LookupError:
            continue
        return candidate
    return None


def label_mismatch(content: bytes, content_type: str) -> str | None:
    """A sentence for the report when the Content-Type charset and the document disagree."""
    charset = header_charset(content_type)
    declared = document_encoding(content)
    if charset is None or declared is None or not _known(charset) or not _known(declared):
        return None
    if codecs.lookup(charset).name == codecs.lookup(declared).name:
        return None
    if codecs.lookup(declared).name == "utf-16" and codecs.lookup(charset).name.startswith(
        "utf-16"
    ):
        return None
    return (
        f"The Content-Type says charset={charset}, but the document declares {declared}; "
        f"it was read as {declared}. Check which encoding your client really sends."
    )


def _known(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True
