"""Build test documents (a sample feed from data/ plus small text edits) and table rows.

An edit is a function from document text to document text. Each one asserts
that its target occurs exactly once, so a case cannot silently edit the wrong
place (or nothing) when a sample changes. A row is a ``pytest.param`` of
(doc, edits, valid, why, xs); see cases.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"

Edit = Callable[[str], str]

AMOUNT = '<Amount currency="USD">19.99</Amount>'  # in both adjustment samples
FUL_DATE = "2021-02-20T10:30:00-08:00"  # the fulfillment sample's FulfillmentDate


def build(doc: str, edits: tuple[Edit, ...]) -> bytes:
    """The sample ``doc`` (a data/ file stem, or inline XML) with ``edits`` applied in order."""
    text = doc if doc.startswith("<") else (DATA / f"{doc}.xml").read_text(encoding="utf-8")
    for edit in edits:
        text = edit(text)
    return text.encode("utf-8")


def sub(old: str, new: str) -> Edit:
    """Replace ``old``, which must occur exactly once, by ``new``."""

    def edit(text: str) -> str:
        assert text.count(old) == 1, f"edit target {old!r} must occur exactly once"
        return text.replace(old, new)

    return edit


def cut(tag: str, replacement: str = "") -> Edit:
    """Replace the only ``<tag>...</tag>`` element by ``replacement``."""

    def edit(text: str) -> str:
        start, end = f"<{tag}>", f"</{tag}>"
        assert text.count(start) == 1 and text.count(end) == 1, f"<{tag}> must occur once"
        return text[: text.index(start)] + replacement + text[text.index(end) + len(end) :]

    return edit


def swap(first: str, second: str) -> Edit:
    """Exchange two neighbouring elements (only whitespace between them)."""

    def edit(text: str) -> str:
        assert text.count(first) == 1 and text.count(second) == 1
        i, j = text.index(first), text.index(second)
        gap = text[i + len(first) : j]
        assert not gap.strip(), "swap needs adjacent elements in document order"
        return text[:i] + second + gap + first + text[j + len(second) :]

    return edit


def v(tag: str, old: str, new: str) -> Edit:
    """Change the value of the ``<tag>old</tag>`` element to ``new``."""
    return sub(f"<{tag}>{old}</{tag}>", f"<{tag}>{new}</{tag}>")


def after(anchor: str, xml: str) -> Edit:
    return sub(anchor, anchor + xml)


def drop(xml: str) -> Edit:
    return sub(xml, "")


def attr(tag: str, attributes: str) -> Edit:
    """Add attributes to the only bare ``<tag>`` start tag."""
    return sub(f"<{tag}>", f"<{tag} {attributes}>")


def element(tag: str, value: str) -> str:
    return f"<{tag}>{value}</{tag}>"


# ---------------------------------------------------------------- sample-specific edits


def msgid(new: str) -> Edit:
    return v("MessageID", "1", new)


def oid(new: str) -> Edit:
    return v("AmazonOrderID", "111-1111111-1111111", new)


def item_code(new: str) -> Edit:
    return v("AmazonOrderItemCode", "11111111111111", new)


def amount(new: str, attributes: str = 'currency="USD"') -> Edit:
    return sub(AMOUNT, f"<Amount {attributes}>{new}</Amount>")


def fdate(new: str) -> Edit:
    return v("FulfillmentDate", FUL_DATE, new)


def envelope(xml: str) -> Edit:
    """Insert optional envelope elements right after MessageType."""
    return after("</MessageType>", xml)


def promotion(ids: str = "", ctype: str = "Principal") -> str:
    amount_xml = '<Amount currency="USD">-1.00</Amount>'
    component = f"<Component><Type>{ctype}</Type>{amount_xml}</Component>"
    return f"<PromotionAdjustments>{ids}{component}</PromotionAdjustments>"


def promo(ids: str = "", ctype: str = "Principal") -> Edit:
    """For QC or REF: add a PromotionAdjustments block right after ItemPriceAdjustments."""
    return after("</ItemPriceAdjustments>", promotion(ids, ctype))


def xsi_type(type_name: str, value: str = "1", extra: str = "") -> Edit:
    """Put an xsi:type on the ACK sample's ``<Quantity>1</Quantity>``."""
    new = f'<Quantity {extra}xsi:type="{type_name}">{value}</Quantity>'
    return sub("<Quantity>1</Quantity>", new)


def override(value: str) -> Edit:
    return after("</MerchantIdentifier>", element("OverrideReleaseId", value))


def purge(value: str) -> Edit:
    return envelope(element("PurgeAndReplace", value))


def purge_xml(value: str) -> str:
    return element("PurgeAndReplace", value)


def effective(value: str) -> Edit:
    return envelope(element("EffectiveDate", value))


def phone(old: str, new: str) -> Edit:
    """Change the attributes part of the sample's first PhoneNumber start tag."""
    return sub(f"{old}>206-555-0100<", f"{new}>206-555-0100<")


# ---------------------------------------------------------------- table rows


def ok(case_id: str, doc: str, *edits: Edit, xs: str | None = None):
    return pytest.param(doc, edits, True, None, xs, id=case_id)


def bad(case_id: str, doc: str, *edits: Edit, why: str, xs: str | None = None):
    return pytest.param(doc, edits, False, why, xs, id=case_id)


def name(value: str) -> str:
    """A readable id fragment for a value."""
    return repr(value)[1:-1].replace(" ", "_") if value.strip() else f"blank{len(value)}"
