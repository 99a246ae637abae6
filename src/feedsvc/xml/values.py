"""Read element values the way XML Schema sees them."""

from __future__ import annotations

import re

from lxml import etree

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# Characters XML 1.0 cannot carry; MWS replaced them with U+FFFD.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_LINE_BREAKS = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


def full_text(element: etree._Element) -> str:
    """The whole string value: comments and processing instructions are transparent."""
    if not len(element):  # no child nodes (a comment would be one): the text is all of it
        return element.text or ""
    return "".join(element.itertext())


def normalized(element: etree._Element) -> str:
    """An ``xsd:normalizedString`` value: tabs and line breaks become spaces, nothing trimmed."""
    return full_text(element).translate(_LINE_BREAKS)


def collapsed(element: etree._Element) -> str:
    """A numeric or date value: surrounding whitespace removed."""
    return full_text(element).strip()


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return _NOT_XML_CHAR.sub("\ufffd", text)
