"""Hypothesis strategies shared by the fuzz modules: hostile values and XML-shaped documents."""

from __future__ import annotations

import codecs
import re
from xml.sax.saxutils import escape, quoteattr

from hypothesis import strategies as st
from lxml import etree

# Parameter values that have broken parsers somewhere: numbers beyond every integer type
# (and beyond Python's 4300-digit int() limit), dates out of range or malformed, escapes.
NASTY_VALUES = [
    "", " ", "\x00", "\x7f", "\r\n", "\t", "\u202e", "\ufeff", "💥", "Ω", "\u0661\u0662\u0663", "\uff11\uff12", "\u00b2",
    "0", "00", "-0", "-1", "+1", "1.5", "1e3", "NaN", "inf", "0x10", "1_000", " 7 ",
    str(2**31), str(2**63 - 1), str(2**63), str(2**64), str(-(2**63) - 1), "9" * 25,
    "9" * 5000,
    "2024-13-45T25:61:61Z", "0000-00-00", "2024-02-30T00:00:00Z", "24:00", "T", "Z", "z",
    "2020-01-01", "2020-01-01T00:00:00", "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00", "2020-01-01T00:00:00+25:00", "1970-01-01T00:00:00.123456789Z",
    "%", "%00", "&", "=", "+", "a=b&c=d", "<", "]]>", "'", '"', "\\", "../", "None", "null",
    "true", "[]", "{}", "_DONE_", "_SUBMITTED_", "_POST_ORDER_ACKNOWLEDGEMENT_DATA_",
]  # fmt: skip


def iso_dates() -> st.SearchStrategy[str]:
    """ISO 8601 strings across the whole datetime range, with odd offsets and fractions."""
    offsets = st.sampled_from(["", "Z", "z", "+00:00", "-00:00", "+14:00", "-14:00", "+05:30"])
    return st.builds(lambda moment, zone: moment.isoformat() + zone, st.datetimes(), offsets)


def parameter_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY_VALUES),
        st.text(max_size=30),
        st.integers().map(str),
        iso_dates(),
    )


def unknown_codec(charset: str) -> bool:
    try:
        codecs.lookup(charset)
    except LookupError:
        return bool(charset)
    return False


def python_only_charset(charset: str) -> bool:
    """A charset Python knows but libxml2 does not (``latin-1``, ``idna``, ``cp037``, ...)."""
    try:
        codecs.lookup(charset)
    except LookupError:
        return False
    try:
        etree.XMLParser(encoding=charset)
    except LookupError:
        return True
    return False


CHARSETS = [
    "utf-8", "UTF-8", "iso-8859-1", "ISO-8859-1", "latin1", "latin-1", "l1", "cp1252", "ascii",
    "us-ascii", "utf-16", "utf-16le", "utf-32", "utf-7", "shift_jis", "idna", "rot13", "cp037",
    "x-unknown", "", "\"utf-8\"",
]  # fmt: skip
CONTENT_TYPES = st.one_of(
    st.sampled_from(["text/xml", "application/xml", "text/plain", "application/octet-stream"]),
    st.sampled_from(CHARSETS).map(lambda charset: f"text/xml; charset={charset}"),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
)


def charset_of(content_type: str) -> str:
    match = re.search(r"charset=\"?([^\";]*)", content_type)
    return match.group(1) if match else ""


# ---------------------------------------------------------------- XML-shaped documents

FEED_NAMES = [
    "AmazonEnvelope", "Header", "DocumentVersion", "MerchantIdentifier", "MessageType",
    "Message", "MessageID", "OperationType", "OrderAcknowledgement", "OrderAdjustment",
    "OrderFulfillment", "ProcessingReport", "AmazonOrderID", "StatusCode", "Item",
    "AmazonOrderItemCode", "CancelReason", "Quantity", "AdjustedItem", "AdjustmentReason",
    "ItemPriceAdjustments", "Component", "Type", "Amount", "PurgeAndReplace", "EffectiveDate",
]  # fmt: skip
NAMES = st.one_of(
    st.sampled_from(FEED_NAMES),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,8}", fullmatch=True),
    st.sampled_from(["xsi:nil", "a:b", "xmlns", "1bad", "x y", "é", "ns:AmazonEnvelope"]),
)
_RAW = st.text(max_size=12)
SNIPPETS = [
    "&amp;", "&lt;", "&#x41;", "&#65;", "&#0;", "&#xD800;", "&#99999999;", "&nosuch;", "&xxe;",
    "Succ<!--x-->ess", "Success", "Failure", "1.01", "123-1234567-1234567",
]  # fmt: skip
CONTENT = st.one_of(
    _RAW.map(escape),
    _RAW,  # unescaped: may contain '<' and '&' and characters XML forbids
    st.from_regex(r"\s?\d{1,25}\s?", fullmatch=True),
    st.sampled_from(SNIPPETS),
    _RAW.map(lambda text: f"<![CDATA[{text}]]>"),
    _RAW.map(lambda text: f"<!--{text}-->"),
    _RAW.map(lambda text: f"<?pi {text}?>"),
)
ATTRIBUTES = st.lists(
    st.tuples(
        st.sampled_from(["currency", "xsi:nil", "xsi:type", "xml:lang", "xmlns", "a", "Type"]),
        _RAW,
    ),
    max_size=2,
).map(lambda pairs: "".join(f" {name}={quoteattr(value)}" for name, value in pairs))


def _element(name: str, attributes: str, children: list[str]) -> str:
    return f"<{name}{attributes}>{''.join(children)}</{name}>"


ELEMENTS = st.recursive(
    CONTENT,
    lambda children: st.builds(_element, NAMES, ATTRIBUTES, st.lists(children, max_size=4)),
    max_leaves=16,
)
ENVELOPES = st.builds(
    lambda children: _element("AmazonEnvelope", "", children), st.lists(ELEMENTS, max_size=5)
)
PROLOGS = st.sampled_from(
    [
        "",
        "<!-- a comment -->",
        "<?xml-stylesheet href='x.xsl'?>",
        '<!DOCTYPE AmazonEnvelope SYSTEM "http://127.0.0.1:9/x.dtd">',
        "<!DOCTYPE AmazonEnvelope [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>",
        '<!DOCTYPE AmazonEnvelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>',
    ]
)
DECLARED = st.sampled_from(
    ["UTF-8", "utf-8", "ISO-8859-1", "UTF-16", "UTF-16LE", "latin-1", "US-ASCII", "bogus", None]
)
BOMS = st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])


def _document(bom: bytes, declared: str | None, prolog: str, root: str, body_codec: str) -> bytes:
    declaration = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    text = declaration + prolog + root
    try:
        return bom + text.encode(body_codec, "xmlcharrefreplace")
    except (LookupError, UnicodeEncodeError):
        return bom + text.encode("utf-8", "surrogatepass")


def xml_documents() -> st.SearchStrategy[bytes]:
    """Documents that look like feeds: random names, entities, CDATA, PIs, encodings, BOMs.

    The bytes are usually, but not always, in the declared encoding.
    """
    return st.builds(
        _document,
        BOMS,
        DECLARED,
        PROLOGS,
        st.one_of(ENVELOPES, ELEMENTS),
        st.sampled_from(["utf-8", "utf-16", "utf-16-le", "iso-8859-1", "ascii"]),
    )


# Documents that try to read files, reach the network or expand without bound.
HOSTILE = {
    "xxe-file": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<AmazonEnvelope>&x;</AmazonEnvelope>",
    "xxe-network": b'<!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/">]>'
    b"<AmazonEnvelope>&x;</AmazonEnvelope>",
    "parameter-entity": b'<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>'
    b"<AmazonEnvelope/>",
    "external-dtd": b'<!DOCTYPE AmazonEnvelope SYSTEM "file:///etc/passwd"><AmazonEnvelope/>',
    "billion-laughs": b'<!DOCTYPE r [<!ENTITY a "'
    + b"a" * 100
    + b'">'
    + b"".join(
        b'<!ENTITY %c "%s">' % (ord("b") + i, (b"&%c;" % (ord("a") + i)) * 10) for i in range(9)
    )
    + b"]><AmazonEnvelope>&j;</AmazonEnvelope>",
    "xinclude": b'<AmazonEnvelope xmlns:xi="http://www.w3.org/2001/XInclude">'
    b'<xi:include href="/etc/passwd" parse="text"/></AmazonEnvelope>',
    "unknown-entity": b"<AmazonEnvelope>&passwd;</AmazonEnvelope>",
}
