"""Cancel unshipped units, record why, and tell the buyer.

The rules read and change an order and its lines through ``CancellableOrder`` and
``CancellableItem`` and record what they did through ``CancellationLedger``: the ORM
models and ``OrderRepository`` are one implementation, the plain rows of
``orders.row_batch`` another (runs of acknowledgements that only cancel).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from feedsvc.orders.outcomes import Rejection
from feedsvc.orders.types import (
    BUYER_REQUESTED_REASONS,
    CancellationSource,
    NewCancellation,
    NewNotification,
    OrderHeader,
    OrderLine,
)
from feedsvc.reports.results import ResultCode


class CancellableItem(OrderLine, Protocol):
    """What the rules read of an order line, and how they cancel its units."""

    @property
    def sku(self) -> str: ...
    def cancel_units(self, quantity: int) -> None: ...


class CancellableOrder(OrderHeader, Protocol):
    """What the rules read of an order, and how its status follows its lines."""

    @property
    def status(self) -> str: ...
    @property
    def buyer_name(self) -> str | None: ...
    @property
    def buyer_email(self) -> str | None: ...
    @property
    def items(self) -> Sequence[CancellableItem]: ...
    def refresh_status(self) -> None: ...


class CancellationLedger(Protocol):
    """Where the cancellations and the buyer's e-mail go."""

    def add_cancellation(self, new: NewCancellation) -> None: ...
    def add_notification(self, new: NewNotification) -> None: ...


@dataclass(frozen=True, slots=True)
class CancelLine:
    """Cancel ``quantity`` units of ``item``; ``None`` means every unshipped unit."""

    item: CancellableItem
    quantity: int | None
    reason: str | None


def check_cancellable(
    order: CancellableOrder, item: CancellableItem, quantity: int | None, *, planned: int = 0
) -> int:
    """The number of units to cancel, or a Rejection naming why they cannot be.

    ``planned`` counts units of the same item that the same command cancels earlier.
    """
    unshipped = item.quantity_unshipped - planned
    counts = (
        f"{item.quantity_ordered} ordered, {item.quantity_shipped} shipped, "
        f"{item.quantity_cancelled + planned} cancelled"
    )
    where = {
        "amazon_order_id": order.amazon_order_id,
        "amazon_order_item_code": item.amazon_order_item_code,
    }
    if unshipped == 0:
        if item.quantity_shipped:
            raise Rejection(
                ResultCode.UNITS_ALREADY_SHIPPED,
                f"Item {item.amazon_order_item_code} of order {order.amazon_order_id} has no "
                f"unshipped units to cancel ({counts}); shipped units can only be refunded.",
                **where,
            )
        raise Rejection(
            ResultCode.UNITS_ALREADY_CANCELLED,
            f"Item {item.amazon_order_item_code} of order {order.amazon_order_id} is already "
            f"cancelled ({counts}).",
            **where,
        )
    wanted = unshipped if quantity is None else quantity
    if wanted > unshipped:
        raise Rejection(
            ResultCode.QUANTITY_EXCEEDS_REMAINING,
            f"Cannot cancel {wanted} units of item {item.amazon_order_item_code} of order "
            f"{order.amazon_order_id}: only {unshipped} are unshipped ({counts}).",
            **where,
        )
    return wanted


def cancel_lines(
    ledger: CancellationLedger,
    order: CancellableOrder,
    lines: Sequence[CancelLine],
    *,
    source: CancellationSource,
    now: datetime,
    feed_submission_id: int | None = None,
    memo: str | None = None,
) -> None:
    """Cancel each line (all checked first, so a bad line cancels nothing) and notify."""
    planned: dict[int, int] = {}
    quantities = []
    for line in lines:
        already = planned.get(line.item.id, 0)
        quantity = check_cancellable(order, line.item, line.quantity, planned=already)
        planned[line.item.id] = already + quantity
        quantities.append(quantity)

    cancelled = list(zip(lines, quantities, strict=True))
    for line, quantity in cancelled:
        line.item.cancel_units(quantity)
        ledger.add_cancellation(
            NewCancellation(
                order_id=order.id,
                item_id=line.item.id,
                quantity=quantity,
                reason=line.reason,
                source=source,
                buyer_requested=line.reason in BUYER_REQUESTED_REASONS,
                feed_submission_id=feed_submission_id,
                memo=memo,
                created_at=now,
            )
        )
    order.refresh_status()
    ledger.add_notification(_notification(order, cancelled, now))


def _notification(
    order: CancellableOrder, cancelled: Sequence[tuple[CancelLine, int]], now: datetime
) -> NewNotification:
    whole_order = order.status == "Canceled"
    subject = (
        f"Your order {order.amazon_order_id} has been cancelled"
        if whole_order
        else f"Items in your order {order.amazon_order_id} have been cancelled"
    )
    lines = [
        f"- {quantity} x {line.item.sku}" + (f" (reason: {line.reason})" if line.reason else "")
        for line, quantity in cancelled
    ]
    body = "\n".join(
        [
            f"Hello {order.buyer_name or 'customer'},",
            "",
            "The seller has cancelled the following from your order "
            f"{order.amazon_order_id}. You have not been charged for these items.",
            *lines,
        ]
    )
    return NewNotification(
        seller_pk=order.seller_pk,
        order_id=order.id,
        kind="OrderCancelled" if whole_order else "ItemsCancelled",
        recipient=order.buyer_email or f"buyer-{order.amazon_order_id}@marketplace.invalid",
        subject=subject,
        body=body,
        created_at=now,
    )
