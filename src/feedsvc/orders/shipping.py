"""Confirm shipments; the first one releases the refunds held pending for the order.

The rules read and change an order and its lines through ``ShippableOrder`` and
``ShippableItem`` and record the shipment through ``ShipmentLedger``: the ORM models and
``OrderRepository`` are one implementation, the plain rows of ``orders.row_batch``
another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from feedsvc.orders.commands import Fulfillment
from feedsvc.orders.outcomes import Rejection
from feedsvc.orders.types import NewShipment, OrderLine
from feedsvc.reports.results import ResultCode


class ShippableItem(OrderLine, Protocol):
    """What the rules read of an order line, and how they ship its units."""

    def ship_units(self, quantity: int) -> None: ...


class ShippableOrder(Protocol):
    """What the rules read of an order, and how its status follows its lines."""

    @property
    def id(self) -> int: ...
    @property
    def amazon_order_id(self) -> str: ...
    def refresh_status(self) -> None: ...


class ShipmentLedger(Protocol):
    """Where the shipment goes, and what releases the order's pending refunds."""

    def add_shipment(self, new: NewShipment) -> None: ...
    def release_pending_refunds(self, order_id: int) -> None: ...


@dataclass(frozen=True, slots=True)
class ShipLine:
    """Ship ``quantity`` units of ``item``; ``None`` means every unshipped unit."""

    item: ShippableItem
    quantity: int | None


def ship_lines(
    ledger: ShipmentLedger,
    order: ShippableOrder,
    lines: Sequence[ShipLine],
    command: Fulfillment,
    *,
    now: datetime,
    feed_submission_id: int | None,
) -> None:
    """Check every line, then ship them all as one shipment."""
    planned: dict[int, int] = {}
    quantities = []
    for line in lines:
        already = planned.get(line.item.id, 0)
        remaining = line.item.quantity_unshipped - already
        wanted = remaining if line.quantity is None else line.quantity
        if remaining == 0 or wanted > remaining:
            raise Rejection(
                ResultCode.FULFILLMENT_QUANTITY_EXCEEDED,
                f"The shipped quantity {wanted} for item {line.item.amazon_order_item_code} of "
                f"order {order.amazon_order_id} exceeds what can still be fulfilled: "
                f"{remaining} (after {line.item.quantity_shipped} shipped and "
                f"{line.item.quantity_cancelled} cancelled).",
                amazon_order_id=order.amazon_order_id,
                amazon_order_item_code=line.item.amazon_order_item_code,
            )
        planned[line.item.id] = already + wanted
        quantities.append(wanted)

    shipped = [(line.item, quantity) for line, quantity in zip(lines, quantities, strict=True)]
    for item, quantity in shipped:
        item.ship_units(quantity)
    ledger.add_shipment(
        NewShipment(
            order_id=order.id,
            fulfillment_date=command.fulfillment_date,
            merchant_fulfillment_id=command.merchant_fulfillment_id,
            carrier_code=command.carrier_code,
            carrier_name=command.carrier_name,
            shipping_method=command.shipping_method,
            tracking_number=command.tracking_number,
            feed_submission_id=feed_submission_id,
            created_at=now,
            lines=tuple((item.id, quantity) for item, quantity in shipped),
        )
    )
    ledger.release_pending_refunds(order.id)
    order.refresh_status()
