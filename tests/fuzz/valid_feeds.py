"""Schema-valid OrderAcknowledgement, OrderAdjustment and OrderFulfillment envelopes, with what they must read as.

Values follow /work/shared/spec/order-feed-schemas.md: ids match the XSD patterns (``\\w`` and
``\\d`` take any Unicode letter or digit), enumerations are the spec's, strings may carry tabs
and newlines (normalizedString), numbers carry signs, leading zeros and surrounding spaces,
and values are written plainly, with character references, split by comments or in CDATA.
Each strategy draws ``(xml, expected)`` pairs; ``expected`` is what ``read_messages`` gives.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from xml.sax.saxutils import escape

from hypothesis import strategies as st

CANCEL_REASONS = [
    "NoInventory", "ShippingAddressUndeliverable", "CustomerExchange", "BuyerCanceled",
    "GeneralAdjustment", "CarrierCreditDecision", "RiskAssessmentInformationNotValid",
    "CarrierCoverageFailure", "CustomerReturn", "MerchandiseNotReceived",
    "CannotVerifyInformation", "PricingError", "RejectOrder", "WeatherDelay",
]  # fmt: skip
ADJUSTMENT_REASONS = [
    "NoInventory", "CustomerReturn", "GeneralAdjustment", "CouldNotShip", "DifferentItem",
    "Abandoned", "CustomerCancel", "PriceError", "ProductOutofStock", "CustomerAddressIncorrect",
    "Exchange", "Other", "CarrierCreditDecision", "RiskAssessmentInformationNotValid",
    "CarrierCoverageFailure", "TransactionRecord", "Undeliverable", "RefusedDelivery",
]  # fmt: skip
PRICE_TYPES = [
    "Principal", "Shipping", "Tax", "ShippingTax", "RestockingFee", "RestockingFeeTax",
    "GiftWrap", "GiftWrapTax", "Surcharge", "ReturnShipping", "Goodwill", "ExportCharge", "COD",
    "CODTax", "Other", "FreeReplacementReturnShipping",
]  # fmt: skip
CURRENCIES = [
    "USD", "GBP", "EUR", "JPY", "CAD", "CNY", "INR", "MXN", "BRL",
    "AUD", "TRY", "SGD", "SEK", "PLN", "AED", "SAR", "EGP",
]  # fmt: skip
MESSAGE_TYPES = ["OrderAcknowledgement", "OrderAdjustment", "OrderFulfillment", "Product"]

Pair = tuple[str, Any]  # (XML fragment, expected value)
XML_CHARS = st.one_of(
    st.characters(
        codec="utf-8", exclude_categories=["Cc", "Cs"], exclude_characters="\ufffe\uffff"
    ),
    st.sampled_from(" \t\n"),
)
WORD_CHARS = st.sampled_from("ABCxyz0189ÄßжΩ\u0661\u0662\uff13")  # letters and digits: XSD \w
DIGITS = st.one_of(
    st.sampled_from("0123456789"), st.sampled_from("\uff10\uff19\u0660\u0669")
)  # XSD \d


def _written(value: str) -> st.SearchStrategy[str]:
    """``value`` as element content, in one of several equivalent spellings."""
    styles = [st.just(escape(value)), st.just("".join(f"&#{ord(c)};" for c in value))]
    if len(value) >= 2:
        styles.append(st.just(f"{escape(value[:1])}<!--split-->{escape(value[1:])}"))
    if value.isascii() and "]]>" not in value:
        styles.append(st.just(f"<![CDATA[{value}]]>"))
    return st.one_of(styles)


def text(values: st.SearchStrategy[str], *, normalize: bool = False) -> st.SearchStrategy[Pair]:
    def spell(value: str) -> st.SearchStrategy[Pair]:
        expected = value.translate(str.maketrans("\t\n", "  ")) if normalize else value
        return _written(value).map(lambda xml: (xml, expected))

    return values.flatmap(spell)


def integer(low: int = 1, high: int = 10**30) -> st.SearchStrategy[Pair]:
    spelled = st.builds(
        lambda n, sign, zeros, pad: (f"{pad}{sign}{'0' * zeros}{n}{pad}", n),
        st.integers(low, high), st.sampled_from(["", "+"]), st.integers(0, 2),
        st.sampled_from(["", " ", "\n\t"]),
    )  # fmt: skip
    return spelled


def message_id() -> st.SearchStrategy[Pair]:
    return st.builds(
        lambda n, pad: (f"{pad}{str(n).zfill(min(20, len(str(n)) + 1))}{pad}", n),
        st.integers(1, 10**20 - 1),
        st.sampled_from(["", " "]),
    )


def amount() -> st.SearchStrategy[Pair]:
    """BaseCurrencyAmount: at most 20 significant digits, 2 decimals; value in hundredths."""

    def spell(hundredths: int, plus: bool, zeros: int, short: bool) -> Pair:
        whole, cents = divmod(abs(hundredths), 100)
        sign = "-" if hundredths < 0 else "+" if plus else ""
        if short and cents == 0:
            return f"{sign}{whole}.", hundredths
        if short and whole == 0:
            return f"{sign}.{cents:02d}", hundredths
        return f"{sign}{whole}.{cents:02d}{'0' * zeros}", hundredths

    limit = 10**20 - 1
    return st.builds(
        spell, st.integers(-limit, limit), st.booleans(), st.integers(0, 3), st.booleans()
    )


def element(tag: str, pair: Pair) -> Pair:
    return f"<{tag}>{pair[0]}</{tag}>", pair[1]


ORDER_ID = text(st.lists(WORD_CHARS, min_size=17, max_size=17).map(
    lambda c: f"{''.join(c[:3])}-{''.join(c[3:10])}-{''.join(c[10:])}"
))  # fmt: skip
ITEM_CODE = text(st.lists(DIGITS, min_size=14, max_size=14).map("".join))
STRING = text(st.text(XML_CHARS, max_size=50), normalize=True)
STRING_NOT_NULL = text(st.text(XML_CHARS, min_size=1, max_size=50), normalize=True)


def optional(tag: str, pairs: st.SearchStrategy[Pair]) -> st.SearchStrategy[Pair]:
    return st.one_of(st.just(("", None)), pairs.map(lambda pair: element(tag, pair)))


@st.composite
def acknowledgement(draw: st.DrawFn) -> Pair:
    order, merchant = draw(ORDER_ID), draw(optional("MerchantOrderID", STRING))
    status = draw(text(st.sampled_from(["Success", "Failure"])))
    items = draw(st.lists(st.tuples(
        ITEM_CODE, optional("MerchantOrderItemID", STRING),
        optional("CancelReason", text(st.sampled_from(CANCEL_REASONS))),
        optional("Quantity", integer()),
    ), max_size=3))  # fmt: skip
    xml = "".join(
        f"<Item>{element('AmazonOrderItemCode', code)[0]}{m[0]}{r[0]}{q[0]}</Item>"
        for code, m, r, q in items
    )
    body = (
        f"<OrderAcknowledgement>{element('AmazonOrderID', order)[0]}{merchant[0]}"
        f"{element('StatusCode', status)[0]}{xml}</OrderAcknowledgement>"
    )
    expected_items = tuple((c[1], m[1], r[1], q[1]) for c, m, r, q in items)
    return body, ("ack", order[1], merchant[1], status[1], expected_items)


def components(tag: str, types: st.SearchStrategy[Pair]) -> st.SearchStrategy[Pair]:
    currency = st.one_of(st.none(), st.sampled_from(CURRENCIES))
    one = st.builds(
        lambda kind, money, code: (
            f"<Component>{element('Type', kind)[0]}<Amount"
            + (f' currency="{code}"' if code else "")
            + f">{money[0]}</Amount></Component>",
            (kind[1], money[1], code),
        ),
        types, amount(), currency,
    )  # fmt: skip
    return st.lists(one, min_size=1, max_size=3).map(
        lambda parts: (f"<{tag}>{''.join(p[0] for p in parts)}</{tag}>", tuple(p[1] for p in parts))
    )


@st.composite
def adjusted_item(draw: st.DrawFn) -> Pair:
    which = draw(st.sampled_from(["AmazonOrderItemCode", "MerchantOrderItemID"]))
    ref = element(which, draw(ITEM_CODE if which == "AmazonOrderItemCode" else STRING))
    adjustment_id = draw(optional("MerchantAdjustmentItemID", STRING_NOT_NULL))
    reason = element("AdjustmentReason", draw(text(st.sampled_from(ADJUSTMENT_REASONS))))
    price = draw(st.one_of(st.just(("", ())), components(
        "ItemPriceAdjustments", text(st.sampled_from(PRICE_TYPES)))))  # fmt: skip
    promotions = draw(st.lists(components(
        "PromotionAdjustments", text(st.sampled_from(["Principal", "Shipping"]))), max_size=2))  # fmt: skip
    direct = draw(st.one_of(st.just(("", ())), components(
        "DirectPaymentAdjustments", text(st.text(XML_CHARS, max_size=10)))))  # fmt: skip
    cancelled = draw(optional("QuantityCancelled", integer()))
    quantity = draw(optional("Quantity", integer()))
    parts = [ref, adjustment_id, reason, price, *promotions, direct, cancelled, quantity]
    expected = (
        ref[1] if which == "AmazonOrderItemCode" else None,
        ref[1] if which == "MerchantOrderItemID" else None,
        adjustment_id[1], reason[1], price[1],
        tuple(c for p in promotions for c in p[1]), direct[1], cancelled[1], quantity[1],
    )  # fmt: skip
    return f"<AdjustedItem>{''.join(p[0] for p in parts)}</AdjustedItem>", expected


@st.composite
def adjustment(draw: st.DrawFn) -> Pair:
    by_amazon_id = draw(st.booleans())
    order = element(
        "AmazonOrderID" if by_amazon_id else "MerchantOrderID",
        draw(ORDER_ID if by_amazon_id else STRING),
    )
    action = draw(optional("ActionType", text(st.sampled_from(["Refund", "Cancel"]))))
    cod = draw(st.sampled_from(["", "<CODCollectionMethod>DirectPayment</CODCollectionMethod>"]))
    items = draw(st.lists(adjusted_item(), min_size=1, max_size=3))
    body = f"<OrderAdjustment>{order[0]}{action[0]}{cod}{''.join(i[0] for i in items)}</OrderAdjustment>"
    ids = (order[1], None) if by_amazon_id else (None, order[1])
    return body, ("adj", *ids, action[1], tuple(i[1] for i in items))


CARRIER_CODES = ["USPS", "UPS", "FedEx", "DHL", "GO!"]
ZONES = [None, UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))]


def id_number() -> st.SearchStrategy[Pair]:
    """IDNumber: 1-20 digits, positive; read as the digits written, spaces removed."""
    return st.builds(
        lambda n, zeros, pad: (f"{pad}{'0' * zeros}{n}{pad}", f"{'0' * zeros}{n}"),
        st.integers(1, 10**18), st.integers(0, 1), st.sampled_from(["", " ", "\n"]),
    )  # fmt: skip


def date_time() -> st.SearchStrategy[Pair]:
    """xsd:dateTime with or without a zone (none means UTC), Z or an offset, and 24:00:00
    for the end of a day; the value as an aware UTC datetime."""

    def spell(when: datetime, zone: timezone | None, zulu: bool, end_of_day: bool) -> Pair:
        local = when.replace(tzinfo=zone)
        expected = local.replace(tzinfo=zone or UTC).astimezone(UTC)
        if end_of_day:  # midnight written as the end of the day before
            local = local.replace(hour=0, minute=0, second=0, microsecond=0)
            expected = local.replace(tzinfo=zone or UTC).astimezone(UTC)
            day = (local - timedelta(days=1)).isoformat()
            text = day[:10] + "T24:00:00" + day[19:]
        else:
            text = local.isoformat()
        if zulu and zone is UTC:
            text = text.replace("+00:00", "Z")
        return text, expected  # libxml2 refuses spaces around an xsd:dateTime

    return st.builds(
        spell,
        st.datetimes(datetime(2001, 1, 2), datetime(2099, 12, 30)),
        st.sampled_from(ZONES), st.booleans(), st.booleans(),
    )  # fmt: skip


@st.composite
def fulfilled_item(draw: st.DrawFn) -> Pair:
    which = draw(st.sampled_from(["AmazonOrderItemCode", "MerchantOrderItemID"]))
    ref = element(which, draw(ITEM_CODE if which == "AmazonOrderItemCode" else STRING))
    fulfillment_id = draw(optional("MerchantFulfillmentItemID", id_number()))
    quantity = draw(optional("Quantity", integer()))
    expected = (
        ref[1] if which == "AmazonOrderItemCode" else None,
        ref[1] if which == "MerchantOrderItemID" else None,
        fulfillment_id[1], quantity[1],
    )  # fmt: skip
    return f"<Item>{ref[0]}{fulfillment_id[0]}{quantity[0]}</Item>", expected


@st.composite
def fulfillment(draw: st.DrawFn) -> Pair:
    by_amazon_id = draw(st.booleans())
    order = element(
        "AmazonOrderID" if by_amazon_id else "MerchantOrderID",
        draw(ORDER_ID if by_amazon_id else STRING),
    )
    fulfillment_id = draw(optional("MerchantFulfillmentID", id_number()))
    date = element("FulfillmentDate", draw(date_time()))
    data, carrier = "", (None, None, None, None)
    if draw(st.booleans()):
        by_code = draw(st.booleans())
        named = element(
            "CarrierCode" if by_code else "CarrierName",
            draw(text(st.sampled_from(CARRIER_CODES)) if by_code else STRING_NOT_NULL),
        )
        method = draw(optional("ShippingMethod", STRING))
        tracking = draw(optional("ShipperTrackingNumber", STRING))
        data = f"<FulfillmentData>{named[0]}{method[0]}{tracking[0]}</FulfillmentData>"
        carrier = (
            named[1] if by_code else None,
            None if by_code else named[1],
            method[1],
            tracking[1],
        )
    items = draw(st.lists(fulfilled_item(), max_size=3))
    body = (
        f"<OrderFulfillment>{order[0]}{fulfillment_id[0]}{date[0]}{data}"
        f"{''.join(i[0] for i in items)}</OrderFulfillment>"
    )
    ids = (order[1], None) if by_amazon_id else (None, order[1])
    return body, ("ful", *ids, fulfillment_id[1], date[1], *carrier, tuple(i[1] for i in items))


ENCODINGS = [("", "utf-8"), ("UTF-8", "utf-8"), ("ISO-8859-1", "iso-8859-1"), ("UTF-16", "utf-16")]


@st.composite
def envelope(draw: st.DrawFn, bodies: st.SearchStrategy[Pair]) -> tuple[bytes, list[Any]]:
    """A valid envelope of 1-3 Messages, and ``[(message_id, expected), ...]``."""
    sep = draw(st.sampled_from(["", "\n", "\n  ", " \t"]))
    # What may stand around a Message's body: whitespace, a comment, a processing instruction.
    around = draw(st.sampled_from([sep, f"{sep}<!-- note -->{sep}", f"<?tool note?>{sep}"]))
    messages = draw(st.lists(st.tuples(message_id(), bodies), min_size=1, max_size=3))
    declared, codec = draw(st.sampled_from(ENCODINGS))
    xsi = draw(st.sampled_from(["", ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                                    'xsi:noNamespaceSchemaLocation="amzn-envelope.xsd"']))  # fmt: skip
    merchant = draw(STRING)[0]
    xml = (
        (f'<?xml version="1.0" encoding="{declared}"?>\n' if declared else "")
        + f"<AmazonEnvelope{xsi}>{sep}<Header>{sep}<DocumentVersion>1.01</DocumentVersion>{sep}"
        + f"<MerchantIdentifier>{merchant}</MerchantIdentifier>{sep}</Header>{sep}"
        + f"<MessageType>{draw(st.sampled_from(MESSAGE_TYPES))}</MessageType>{sep}"
        + "".join(
            f"<Message>{sep}<MessageID>{mid[0]}</MessageID>{around}{body[0]}{around}</Message>{sep}"
            for mid, body in messages
        )
        + "</AmazonEnvelope>"
    )
    content = xml.encode(codec, "xmlcharrefreplace")
    return content, [(mid[1], body[1]) for mid, body in messages]
