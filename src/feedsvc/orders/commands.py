"""What a feed message asks of an order, independent of the feed's format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feedsvc.reports.results import ResultCode


@dataclass(frozen=True, slots=True)
class AcknowledgedItem:
    amazon_order_item_code: str
    merchant_order_item_id: str | None = None
    cancel_reason: str | None = None
    quantity: int | None = None


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """OrderAcknowledgement: ``Success`` records merchant ids, ``Failure`` cancels."""

    amazon_order_id: str
    status_code: str
    merchant_order_id: str | None = None
    items: tuple[AcknowledgedItem, ...] = ()
    # Why a Failure without items cancels the order (the XML schema has no place for it;
    # the Order Cancellation flat file has).
    cancel_reason: str | None = None


@dataclass(frozen=True, slots=True)
class AmountComponent:
    """A priced component; ``amount`` in hundredths, ``currency`` as sent (may be absent)."""

    type: str
    amount: int
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class AdjustedItem:
    reason: str
    amazon_order_item_code: str | None = None
    merchant_order_item_id: str | None = None
    merchant_adjustment_item_id: str | None = None
    price_components: tuple[AmountComponent, ...] = ()
    promotion_components: tuple[AmountComponent, ...] = ()
    direct_payment_components: tuple[AmountComponent, ...] = ()
    quantity_cancelled: int | None = None
    quantity: int | None = None

    @property
    def reference(self) -> str:
        return self.amazon_order_item_code or self.merchant_order_item_id or ""


@dataclass(frozen=True, slots=True)
class Adjustment:
    """OrderAdjustment: refunds by component, optionally cancelling unshipped units."""

    items: tuple[AdjustedItem, ...]
    amazon_order_id: str | None = None
    merchant_order_id: str | None = None
    action_type: str | None = None


@dataclass(frozen=True, slots=True)
class FulfilledItem:
    amazon_order_item_code: str | None = None
    merchant_order_item_id: str | None = None
    merchant_fulfillment_item_id: str | None = None
    quantity: int | None = None


@dataclass(frozen=True, slots=True)
class Fulfillment:
    """OrderFulfillment: confirm the shipment of the order, or of the listed items."""

    fulfillment_date: datetime
    amazon_order_id: str | None = None
    merchant_order_id: str | None = None
    merchant_fulfillment_id: str | None = None
    carrier_code: str | None = None
    carrier_name: str | None = None
    shipping_method: str | None = None
    tracking_number: str | None = None
    items: tuple[FulfilledItem, ...] = ()


@dataclass(frozen=True, slots=True)
class UnsupportedMessage:
    """A message body this feed type does not process (named for the report)."""

    body: str
    amazon_order_id: str | None = None


@dataclass(frozen=True, slots=True)
class InvalidMessage:
    """A message or record whose values could not be read (named for the report)."""

    description: str
    code: ResultCode = ResultCode.INVALID_DATA
    amazon_order_id: str | None = None
    amazon_order_item_code: str | None = None


OrderCommand = Acknowledgement | Adjustment | Fulfillment | UnsupportedMessage | InvalidMessage
