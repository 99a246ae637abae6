"""Turn the Messages of a schema-valid envelope into order commands."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, TypeVar

from lxml import etree

from feedsvc.orders.commands import (
    AcknowledgedItem,
    Acknowledgement,
    AdjustedItem,
    Adjustment,
    AmountComponent,
    FulfilledItem,
    Fulfillment,
    InvalidMessage,
    OrderCommand,
    UnsupportedMessage,
)
from feedsvc.orders.money import parse_amount
from feedsvc.xml.validation import release
from feedsvc.xml.values import collapsed, full_text, normalized

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FeedMessage:
    message_id: int
    command: OrderCommand


def read_messages(source: IO[bytes], *, encoding: str | None = None) -> Iterator[FeedMessage]:
    """Yield each Message of an already validated envelope, in document order, as a stream:
    a Message is forgotten once read, so memory stays bounded whatever the feed's size."""
    events = etree.iterparse(
        source,
        events=("end",),
        tag="Message",
        encoding=encoding,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
    )
    for _event, message in events:
        message_id = int(collapsed(_one(message, "MessageID")))
        body = message[-1]
        try:
            command = _command(body)
        except ValueError as exc:  # schema-valid, yet beyond what the service can represent
            command = InvalidMessage(description=f"{body.tag}: {exc}")
        release(message)
        yield FeedMessage(message_id, command)


def _command(body: etree._Element) -> OrderCommand:
    tag = str(body.tag)
    if tag == "OrderAcknowledgement":
        return _acknowledgement(body)
    if tag == "OrderAdjustment":
        return _adjustment(body)
    if tag == "OrderFulfillment":
        return _fulfillment(body)
    return UnsupportedMessage(body=tag, amazon_order_id=_optional(body, "AmazonOrderID", full_text))


def _acknowledgement(body: etree._Element) -> Acknowledgement:
    return Acknowledgement(
        amazon_order_id=full_text(_one(body, "AmazonOrderID")),
        merchant_order_id=_optional(body, "MerchantOrderID", normalized),
        status_code=full_text(_one(body, "StatusCode")),
        items=tuple(
            AcknowledgedItem(
                amazon_order_item_code=full_text(_one(item, "AmazonOrderItemCode")),
                merchant_order_item_id=_optional(item, "MerchantOrderItemID", normalized),
                cancel_reason=_optional(item, "CancelReason", full_text),
                quantity=_optional_int(item, "Quantity"),
            )
            for item in body.iterchildren("Item")
        ),
    )


def _adjustment(body: etree._Element) -> Adjustment:
    return Adjustment(
        amazon_order_id=_optional(body, "AmazonOrderID", full_text),
        merchant_order_id=_optional(body, "MerchantOrderID", normalized),
        action_type=_optional(body, "ActionType", full_text),
        items=tuple(_adjusted_item(item) for item in body.iterchildren("AdjustedItem")),
    )


def _adjusted_item(item: etree._Element) -> AdjustedItem:
    return AdjustedItem(
        amazon_order_item_code=_optional(item, "AmazonOrderItemCode", full_text),
        merchant_order_item_id=_optional(item, "MerchantOrderItemID", normalized),
        merchant_adjustment_item_id=_optional(item, "MerchantAdjustmentItemID", normalized),
        reason=full_text(_one(item, "AdjustmentReason")),
        price_components=_components(item.find("ItemPriceAdjustments")),
        promotion_components=tuple(
            component
            for promotion in item.iterchildren("PromotionAdjustments")
            for component in _components(promotion)
        ),
        direct_payment_components=_components(item.find("DirectPaymentAdjustments")),
        quantity_cancelled=_optional_int(item, "QuantityCancelled"),
        quantity=_optional_int(item, "Quantity"),
    )


def _fulfillment(body: etree._Element) -> Fulfillment:
    data = body.find("FulfillmentData")
    return Fulfillment(
        amazon_order_id=_optional(body, "AmazonOrderID", full_text),
        merchant_order_id=_optional(body, "MerchantOrderID", normalized),
        merchant_fulfillment_id=_optional(body, "MerchantFulfillmentID", collapsed),
        fulfillment_date=parse_feed_datetime(collapsed(_one(body, "FulfillmentDate"))),
        carrier_code=_optional(data, "CarrierCode", full_text),
        carrier_name=_optional(data, "CarrierName", normalized),
        shipping_method=_optional(data, "ShippingMethod", normalized),
        tracking_number=_optional(data, "ShipperTrackingNumber", normalized),
        items=tuple(
            FulfilledItem(
                amazon_order_item_code=_optional(item, "AmazonOrderItemCode", full_text),
                merchant_order_item_id=_optional(item, "MerchantOrderItemID", normalized),
                merchant_fulfillment_item_id=_optional(
                    item, "MerchantFulfillmentItemID", collapsed
                ),
                quantity=_optional_int(item, "Quantity"),
            )
            for item in body.iterchildren("Item")
        ),
    )


def parse_feed_datetime(text: str) -> datetime:
    """An xsd:dateTime as an aware UTC datetime; no zone means UTC, 24:00:00 the next day."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    midnight = "T24:00:00" in value
    if midnight:
        value = value.replace("T24:00:00", "T00:00:00", 1)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return (parsed + timedelta(days=1) if midnight else parsed).astimezone(UTC)


def _components(parent: etree._Element | None) -> tuple[AmountComponent, ...]:
    if parent is None:
        return ()
    components = []
    for component in parent.iterchildren("Component"):
        amount = _one(component, "Amount")
        components.append(
            AmountComponent(
                type=full_text(_one(component, "Type")),
                amount=parse_amount(collapsed(amount)),
                currency=amount.get("currency"),
            )
        )
    return tuple(components)


def _child(parent: etree._Element, tag: str) -> etree._Element | None:
    """The first child element called ``tag`` (what ``find`` answers, without parsing a
    path: a message asks this a few dozen times)."""
    for child in parent.iterchildren(tag):
        return child
    return None


def _one(parent: etree._Element, tag: str) -> etree._Element:
    element = _child(parent, tag)
    if element is None:
        raise ValueError(f"{parent.tag} has no {tag}; the feed was not schema-valid")
    return element


def _optional(parent: etree._Element, tag: str, read: Callable[[etree._Element], T]) -> T | None:
    element = _child(parent, tag)
    return None if element is None else read(element)


def _optional_int(parent: etree._Element, tag: str) -> int | None:
    element = _child(parent, tag)
    return None if element is None else int(collapsed(element))
