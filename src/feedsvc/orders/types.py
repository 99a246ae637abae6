"""Wire values of the order domain."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


class OrderStatus(StrEnum):
    UNSHIPPED = "Unshipped"
    PARTIALLY_SHIPPED = "PartiallyShipped"
    SHIPPED = "Shipped"
    CANCELED = "Canceled"


class Component(StrEnum):
    """ItemPriceAdjustments component types (OrderAdjustment schema)."""

    PRINCIPAL = "Principal"
    SHIPPING = "Shipping"
    TAX = "Tax"
    SHIPPING_TAX = "ShippingTax"
    RESTOCKING_FEE = "RestockingFee"
    RESTOCKING_FEE_TAX = "RestockingFeeTax"
    GIFT_WRAP = "GiftWrap"
    GIFT_WRAP_TAX = "GiftWrapTax"
    SURCHARGE = "Surcharge"
    RETURN_SHIPPING = "ReturnShipping"
    GOODWILL = "Goodwill"
    EXPORT_CHARGE = "ExportCharge"
    COD = "COD"
    COD_TAX = "CODTax"
    OTHER = "Other"
    FREE_REPLACEMENT_RETURN_SHIPPING = "FreeReplacementReturnShipping"


# Components the buyer was charged for on the order line; each refunds only up to
# what is left of its charge.
CHARGED_COMPONENTS = (
    Component.PRINCIPAL,
    Component.TAX,
    Component.SHIPPING,
    Component.SHIPPING_TAX,
    Component.GIFT_WRAP,
    Component.GIFT_WRAP_TAX,
)
# Fees the seller keeps back: sent as negative amounts that reduce the refund.
FEE_COMPONENTS = (Component.RESTOCKING_FEE, Component.RESTOCKING_FEE_TAX)


class UnitCounts(Protocol):
    """An order line's unit counts."""

    @property
    def quantity_ordered(self) -> int: ...
    @property
    def quantity_shipped(self) -> int: ...
    @property
    def quantity_cancelled(self) -> int: ...


class OrderHeader(Protocol):
    """Which order the rules are looking at, and whose."""

    @property
    def id(self) -> int: ...
    @property
    def seller_pk(self) -> int: ...
    @property
    def amazon_order_id(self) -> str: ...


class OrderLine(UnitCounts, Protocol):
    """An order line as the cancellation and shipping rules name and count it."""

    @property
    def id(self) -> int: ...
    @property
    def amazon_order_item_code(self) -> str: ...
    @property
    def quantity_unshipped(self) -> int: ...


def order_status(items: Iterable[UnitCounts]) -> OrderStatus:
    """Unshipped / PartiallyShipped / Shipped / Canceled, from the lines' unit counts."""
    ordered = shipped = cancelled = 0
    for item in items:
        ordered += item.quantity_ordered
        shipped += item.quantity_shipped
        cancelled += item.quantity_cancelled
    if ordered and cancelled == ordered:
        return OrderStatus.CANCELED
    if shipped and shipped + cancelled == ordered:
        return OrderStatus.SHIPPED
    if shipped:
        return OrderStatus.PARTIALLY_SHIPPED
    return OrderStatus.UNSHIPPED


def check_units(verb: str, quantity: int, unshipped: int) -> None:
    """Refuse to ship or cancel other than 1 to ``unshipped`` units (callers check first)."""
    if not 0 < quantity <= unshipped:
        raise ValueError(f"cannot {verb} {quantity} of {unshipped} units")


class CancellationSource(StrEnum):
    FEED = "feed"
    ADMIN = "admin"
    AUTO = "auto"


class RefundState(StrEnum):
    APPLIED = "applied"
    PENDING = "pending"


# Cancellation reasons that mean the buyer asked for it (exempt from the
# seller's cancellation rate).
BUYER_REQUESTED_REASONS = frozenset({"BuyerCanceled", "CustomerCancel"})

# Enumerations of the order-feed schemas, for feeds that do not go through the XSDs.
CANCEL_REASONS = (
    "NoInventory", "ShippingAddressUndeliverable", "CustomerExchange", "BuyerCanceled",
    "GeneralAdjustment", "CarrierCreditDecision", "RiskAssessmentInformationNotValid",
    "CarrierCoverageFailure", "CustomerReturn", "MerchandiseNotReceived",
    "CannotVerifyInformation", "PricingError", "RejectOrder", "WeatherDelay",
)  # fmt: skip
ADJUSTMENT_REASONS = (
    "NoInventory", "CustomerReturn", "GeneralAdjustment", "CouldNotShip", "DifferentItem",
    "Abandoned", "CustomerCancel", "PriceError", "ProductOutofStock",
    "CustomerAddressIncorrect", "Exchange", "Other", "CarrierCreditDecision",
    "RiskAssessmentInformationNotValid", "CarrierCoverageFailure", "TransactionRecord",
    "Undeliverable", "RefusedDelivery",
)  # fmt: skip
CURRENCIES = (
    "USD", "GBP", "EUR", "JPY", "CAD", "CNY", "INR", "MXN", "BRL",
    "AUD", "TRY", "SGD", "SEK", "PLN", "AED", "SAR", "EGP",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class NewRefund:
    """A refund to store: one order line, its components as (type, amount) pairs."""

    seller_pk: int
    order_id: int
    item_id: int
    reason: str
    merchant_adjustment_item_id: str | None
    state: str
    feed_submission_id: int | None
    created_at: datetime
    components: tuple[tuple[str, int], ...]

    def columns(self) -> dict[str, object]:
        """The refund's own columns (its components are rows of their own)."""
        return _columns(self, leave_out="components")


@dataclass(frozen=True, slots=True)
class NewCancellation:
    """Units of one order line to record as cancelled."""

    order_id: int
    item_id: int
    quantity: int
    reason: str | None
    source: str
    buyer_requested: bool
    feed_submission_id: int | None
    memo: str | None
    created_at: datetime

    def columns(self) -> dict[str, object]:
        """Its columns, by name."""
        return _columns(self)


@dataclass(frozen=True, slots=True)
class NewNotification:
    """An e-mail to the buyer to record."""

    seller_pk: int
    order_id: int
    kind: str
    recipient: str
    subject: str
    body: str
    created_at: datetime

    def columns(self) -> dict[str, object]:
        """Its columns, by name."""
        return _columns(self)


@dataclass(frozen=True, slots=True)
class NewShipment:
    """A confirmed shipment to record: its lines as (item id, quantity) pairs."""

    order_id: int
    fulfillment_date: datetime
    merchant_fulfillment_id: str | None
    carrier_code: str | None
    carrier_name: str | None
    shipping_method: str | None
    tracking_number: str | None
    feed_submission_id: int | None
    created_at: datetime
    lines: tuple[tuple[int, int], ...]

    def columns(self) -> dict[str, object]:
        """The shipment's own columns (its lines are rows of their own)."""
        return _columns(self, leave_out="lines")


def column_lists(
    kind: type[DataclassInstance], rows: Sequence[DataclassInstance], leave_out: str = ""
) -> dict[str, list[Any]]:
    """The columns of many new rows of one kind, each as the list of its values in row
    order (``leave_out`` is a field that is not a column)."""
    names = [f.name for f in fields(kind) if f.name != leave_out]
    return {name: [getattr(row, name) for row in rows] for name in names}


def _columns(value: DataclassInstance, leave_out: str = "") -> dict[str, object]:
    """A new row's fields by name: each field of these values is a column of its table."""
    return {name: getattr(value, name) for name in _field_names(type(value), leave_out)}


@cache
def _field_names(kind: type[DataclassInstance], leave_out: str) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind) if f.name != leave_out)
