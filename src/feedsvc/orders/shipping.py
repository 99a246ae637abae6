"""Confirm shipments; the first one releases the refunds held pending for the order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from feedsvc.orders.commands import Fulfillment
from feedsvc.orders.models import Order, OrderItem
from feedsvc.orders.outcomes import Rejection
from feedsvc.orders.repository import OrderRepository
from feedsvc.orders.types import NewShipment, RefundState
from feedsvc.reports.results import ResultCode


@dataclass(frozen=True, slots=True)
class ShipLine:
    """Ship ``quantity`` units of ``item``; ``None`` means every unshipped unit."""

    item: OrderItem
    quantity: int | None


def ship_lines(
    repository: OrderRepository,
    order: Order,
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
    repository.add_shipment(
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
    for refund in repository.pending_refunds(order.id):
        refund.state = RefundState.APPLIED
    order.refresh_status()
