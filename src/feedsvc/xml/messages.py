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
        message_id = _integer(_one(message, _children(message), "MessageID"))
        # The last element: a comment or processing instruction may follow it.
        body = next(message.iterchildren(etree.Element, reversed=True))
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
    amazon_order_id = _optional(_children(body), "AmazonOrderID", full_text)
    return UnsupportedMessage(body=tag, amazon_order_id=amazon_order_id)


def _acknowledgement(body: etree._Element) -> Acknowledgement:
    children = _children(body)
    return Acknowledgement(
        amazon_order_id=full_text(_one(body, children, "AmazonOrderID")),
        merchant_order_id=_optional(children, "MerchantOrderID", normalized),
        status_code=full_text(_one(body, children, "StatusCode")),
        items=tuple(_acknowledged_item(item) for item in body.iterchildren("Item")),
    )


def _acknowledged_item(item: etree._Element) -> AcknowledgedItem:
    children = _children(item)
    return AcknowledgedItem(
        amazon_order_item_code=full_text(_one(item, children, "AmazonOrderItemCode")),
        merchant_order_item_id=_optional(children, "MerchantOrderItemID", normalized),
        cancel_reason=_optional(children, "CancelReason", full_text),
        quantity=_optional(children, "Quantity", _integer),
    )


def _adjustment(body: etree._Element) -> Adjustment:
    children = _children(body)
    return Adjustment(
        amazon_order_id=_optional(children, "AmazonOrderID", full_text),
        merchant_order_id=_optional(children, "MerchantOrderID", normalized),
        action_type=_optional(children, "ActionType", full_text),
        items=tuple(_adjusted_item(item) for item in body.iterchildren("AdjustedItem")),
    )


def _adjusted_item(item: etree._Element) -> AdjustedItem:
    children = _children(item)
    promotions: tuple[AmountComponent, ...] = ()
    if "PromotionAdjustments" in children:  # it may repeat
        promotions = tuple(
            component
            for promotion in item.iterchildren("PromotionAdjustments")
            for component in _components(promotion)
        )
    return AdjustedItem(
        amazon_order_item_code=_optional(children, "AmazonOrderItemCode", full_text),
        merchant_order_item_id=_optional(children, "MerchantOrderItemID", normalized),
        merchant_adjustment_item_id=_optional(children, "MerchantAdjustmentItemID", normalized),
        reason=full_text(_one(item, children, "AdjustmentReason")),
        price_components=_components(children.get("ItemPriceAdjustments")),
        promotion_components=promotions,
        direct_payment_components=_components(children.get("DirectPaymentAdjustments")),
        quantity_cancelled=_optional(children, "QuantityCancelled", _integer),
        quantity=_optional(children, "Quantity", _integer),
    )


def _fulfillment(body: etree._Element) -> Fulfillment:
    children = _children(body)
    data = children.get("FulfillmentData")
    data_children = {} if data is None else _children(data)
    return Fulfillment(
        amazon_order_id=_optional(children, "AmazonOrderID", full_text),
        merchant_order_id=_optional(children, "MerchantOrderID", normalized),
        merchant_fulfillment_id=_optional(children, "MerchantFulfillmentID", collapsed),
        fulfillment_date=parse_feed_datetime(collapsed(_one(body, children, "FulfillmentDate"))),
        carrier_code=_optional(data_children, "CarrierCode", full_text),
        carrier_name=_optional(data_children, "CarrierName", normalized),
        shipping_method=_optional(data_children, "ShippingMethod", normalized),
        tracking_number=_optional(data_children, "ShipperTrackingNumber", normalized),
        items=tuple(_fulfilled_item(item) for item in body.iterchildren("Item")),
    )


def _fulfilled_item(item: etree._Element) -> FulfilledItem:
    children = _children(item)
    return FulfilledItem(
        amazon_order_item_code=_optional(children, "AmazonOrderItemCode", full_text),
        merchant_order_item_id=_optional(children, "MerchantOrderItemID", normalized),
        merchant_fulfillment_item_id=_optional(children, "MerchantFulfillmentItemID", collapsed),
        quantity=_optional(children, "Quantity", _integer),
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
        children = _children(component)
        amount = _one(component, children, "Amount")
        components.append(
            AmountComponent(
                type=full_text(_one(component, children, "Type")),
                amount=parse_amount(collapsed(amount)),
                currency=amount.get("currency"),
            )
        )
    return tuple(components)


def _children(parent: etree._Element) -> dict[str, etree._Element]:
    """Each child element by tag, the first where a tag repeats: one pass over the
    children, where looking each tag up would walk them once per tag."""
    return {str(child.tag): child for child in parent.iterchildren(etree.Element, reversed=True)}


def _one(parent: etree._Element, children: dict[str, etree._Element], tag: str) -> etree._Element:
    element = children.get(tag)
    if element is None:
        raise ValueError(f"{parent.tag} has no {tag}; the feed was not schema-valid")
    return element


def _optional(
    children: dict[str, etree._Element], tag: str, read: Callable[[etree._Element], T]
) -> T | None:
    element = children.get(tag)
    return None if element is None else read(element)


def _integer(element: etree._Element) -> int:
    return int(collapsed(element))
