"""The three order templates: their columns, and how a row becomes an order command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO

from feedsvc.flatfile.reader import FlatFile, Record, read
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
)
from feedsvc.orders.money import InvalidAmount, parse_amount
from feedsvc.orders.types import ADJUSTMENT_REASONS, CANCEL_REASONS, CURRENCIES


class RowError(ValueError):
    """A value in a row that cannot be used; the row is reported and skipped."""


@dataclass(frozen=True, slots=True)
class Template:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    build: Callable[[dict[str, str]], OrderCommand]


def _cancellation(row: dict[str, str]) -> OrderCommand:
    reason = row.get("cancellation-reason-code") or None
    if reason is not None and reason not in CANCEL_REASONS:
        raise RowError(
            f"cancellation-reason-code '{reason}' is not one of {', '.join(CANCEL_REASONS)}."
        )
    code = row.get("amazon-order-item-code") or None
    items = (AcknowledgedItem(code, cancel_reason=reason),) if code else ()
    return Acknowledgement(
        amazon_order_id=_required(row, "order-id"),
        status_code="Failure",
        items=items,
        cancel_reason=reason,
    )


_AMOUNT_COLUMNS = (
    ("item-price-adj", "Principal"),
    ("item-tax-adj", "Tax"),
    ("shipping-price-adj", "Shipping"),
    ("shipping-tax-adj", "ShippingTax"),
    ("gift-wrap-price-adj", "GiftWrap"),
    ("gift-wrap-tax-adj", "GiftWrapTax"),
)
_PROMOTION_COLUMNS = (("item-promotion-adj", "Principal"), ("ship-promotion-adj", "Shipping"))


def _adjustment(row: dict[str, str]) -> OrderCommand:
    reason = _required(row, "adjustment-reason-code")
    if reason not in ADJUSTMENT_REASONS:
        raise RowError(
            f"adjustment-reason-code '{reason}' is not one of {', '.join(ADJUSTMENT_REASONS)}."
        )
    currency = _required(row, "currency")
    if currency not in CURRENCIES:
        raise RowError(f"currency '{currency}' is not one of {', '.join(CURRENCIES)}.")
    return Adjustment(
        amazon_order_id=_required(row, "order-id"),
        items=(
            AdjustedItem(
                amazon_order_item_code=_required(row, "order-item-id"),
                reason=reason,
                price_components=_amounts(row, _AMOUNT_COLUMNS, currency),
                promotion_components=_amounts(row, _PROMOTION_COLUMNS, currency),
                quantity_cancelled=_positive(row, "quantity-cancelled"),
            ),
        ),
    )


def _shipment(row: dict[str, str]) -> OrderCommand:
    code = row.get("order-item-id") or None
    quantity = _positive(row, "quantity")
    carrier_code = row.get("carrier-code") or None
    carrier_name = row.get("carrier-name") or None
    return Fulfillment(
        amazon_order_id=_required(row, "order-id"),
        fulfillment_date=_date(_required(row, "ship-date")),
        carrier_code=carrier_code,
        carrier_name=carrier_name,
        shipping_method=row.get("ship-method") or None,
        tracking_number=row.get("tracking-number") or None,
        items=(FulfilledItem(amazon_order_item_code=code, quantity=quantity),) if code else (),
    )


TEMPLATES: dict[str, Template] = {
    "OrderAcknowledgement": Template(
        required=("order-id", "cancellation-reason-code"),
        optional=("amazon-order-item-code",),
        build=_cancellation,
    ),
    "OrderAdjustment": Template(
        required=("order-id", "order-item-id", "adjustment-reason-code", "currency"),
        optional=(
            *(column for column, _ in _AMOUNT_COLUMNS),
            "item-promotion-adj",
            "item-promotion-id",
            "ship-promotion-adj",
            "ship-promotion-id",
            "quantity-cancelled",
        ),
        build=_adjustment,
    ),
    "OrderFulfillment": Template(
        required=("order-id", "ship-date"),
        optional=(
            "order-item-id",
            "quantity",
            "carrier-code",
            "carrier-name",
            "tracking-number",
            "ship-method",
            "ship_from_supply_source_id",
        ),
        build=_shipment,
    ),
}


def read_template(stream: IO[bytes], content_type: str, body: str) -> FlatFile:
    template = TEMPLATES[body]
    return read(stream, content_type, required=template.required, optional=template.optional)


def commands(file: FlatFile, body: str) -> Iterator[tuple[Record, OrderCommand]]:
    """Each record with its command; a record that cannot be read becomes InvalidMessage."""
    template = TEMPLATES[body]
    for record in file.records:
        order_id = record.values.get("order-id") or None
        item = record.values.get("order-item-id") or record.values.get("amazon-order-item-code")
        try:
            if record.extra_fields:
                raise RowError(f"the row has {record.extra_fields} more field(s) than the header")
            command = template.build(record.values)
        except RowError as exc:
            command = InvalidMessage(
                f"Record {record.number}: {exc}",
                amazon_order_id=order_id,
                amazon_order_item_code=item or None,
            )
        yield record, command


def _required(row: dict[str, str], column: str) -> str:
    value = row.get(column, "")
    if not value:
        raise RowError(f"{column} is required")
    return value


def _positive(row: dict[str, str], column: str) -> int | None:
    value = row.get(column, "")
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise RowError(f"{column} must be a positive whole number, not '{value}'")
    return int(value)


def _amounts(
    row: dict[str, str], columns: tuple[tuple[str, str], ...], currency: str
) -> tuple[AmountComponent, ...]:
    components = []
    for column, component in columns:
        value = row.get(column, "")
        if not value:
            continue
        try:
            components.append(AmountComponent(component, parse_amount(value), currency))
        except InvalidAmount as exc:
            raise RowError(f"{column}: {exc}") from None
    return tuple(components)


def _date(value: str) -> datetime:
    text = value.replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise RowError(
            f"ship-date '{value}' is not a date such as 2026-11-03 or 2026-11-03T10:00:00Z"
        ) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
