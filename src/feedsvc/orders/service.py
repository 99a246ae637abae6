"""Apply order commands (from feeds or the admin API) under the seller rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from feedsvc.clock import Clock
from feedsvc.orders.cancellation import (
    CancellableItem,
    CancellableOrder,
    CancellationLedger,
    CancelLine,
    cancel_lines,
)
from feedsvc.orders.commands import Acknowledgement, Adjustment, Fulfillment
from feedsvc.orders.lookup import find_item, order_not_found
from feedsvc.orders.models import Order, OrderItem
from feedsvc.orders.outcomes import Note, Rejection
from feedsvc.orders.refunds import refund_items
from feedsvc.orders.repository import OrderRepository
from feedsvc.orders.row_batch import ItemRow, OrderRow, RowBatch
from feedsvc.orders.shipping import ShipLine, ship_lines
from feedsvc.orders.types import CancellationSource
from feedsvc.reports.results import ResultCode


class OrderService:
    """One seller's view of its orders; every method either applies fully or raises Rejection.

    Callers run each command in its own savepoint so a Rejection leaves nothing behind.
    """

    def __init__(
        self,
        repository: OrderRepository,
        clock: Clock,
        *,
        seller_pk: int,
        feed_submission_id: int | None = None,
        source: CancellationSource = CancellationSource.FEED,
    ) -> None:
        self._orders = repository
        self._clock = clock
        self._seller_pk = seller_pk
        self._submission_id = feed_submission_id
        self._source = source

    def with_repository(self, repository: OrderRepository) -> OrderService:
        """The same service over another repository (a preloaded batch, say)."""
        return OrderService(
            repository,
            self._clock,
            seller_pk=self._seller_pk,
            feed_submission_id=self._submission_id,
            source=self._source,
        )

    def acknowledge(self, command: Acknowledgement, *, memo: str | None = None) -> list[Note]:
        """Record merchant ids; with ``Failure``, cancel the order or the listed items."""
        order = self._order(amazon_order_id=command.amazon_order_id)
        if command.merchant_order_id:
            merchant_id = command.merchant_order_id
            owner = self._orders.merchant_order_id_owner(self._seller_pk, merchant_id)
            _check_merchant_order_id(order, owner, merchant_id)
            self._orders.assign_merchant_order_id(order, merchant_id)
        return self._acknowledge_order(
            self._orders, order, command, now=self._clock.now(), memo=memo
        )

    def acknowledge_rows(
        self, command: Acknowledgement, batch: RowBatch, *, now: datetime
    ) -> list[Note]:
        """``acknowledge`` on the plain rows of ``batch`` (``batch.takes(command)``): the
        same rules, the same rejections. ``now`` is the run's."""
        order = batch.order(command.amazon_order_id)
        if order is None:
            raise order_not_found(amazon_order_id=command.amazon_order_id)
        if command.merchant_order_id:
            merchant_id = command.merchant_order_id
            owner = batch.merchant_order_id_owner(self._seller_pk, merchant_id)
            _check_merchant_order_id(order, owner, merchant_id)
            batch.assign_merchant_order_id(order, merchant_id)
        return self._acknowledge_order(batch, order, command, now=now)

    def _acknowledge_order(
        self,
        ledger: CancellationLedger,
        order: Order | OrderRow,
        command: Acknowledgement,
        *,
        now: datetime,
        memo: str | None = None,
    ) -> list[Note]:
        lines: list[OrderItem | ItemRow] = list(order.items)
        items = [
            find_item(order.amazon_order_id, lines, code=i.amazon_order_item_code)
            for i in command.items
        ]
        for item, acknowledged in zip(items, command.items, strict=True):
            if acknowledged.merchant_order_item_id:
                _assign_merchant_item_id(order, item, acknowledged.merchant_order_item_id)
        if command.status_code != "Failure":
            return []
        cancel_lines(
            ledger,
            order,
            _cancel_lines(command, order, items),
            source=self._source,
            now=now,
            feed_submission_id=self._submission_id,
            memo=memo,
        )
        return []

    def adjust(self, command: Adjustment) -> list[Note]:
        """Refund by component and cancel ``QuantityCancelled`` units, item by item."""
        order = self._order(
            amazon_order_id=command.amazon_order_id, merchant_order_id=command.merchant_order_id
        )
        return self._adjust_order(self._orders, order, command, now=self._clock.now())

    def adjust_rows(self, command: Adjustment, batch: RowBatch, *, now: datetime) -> list[Note]:
        """``adjust`` for a command that names its order by AmazonOrderID
        (``batch.takes(command)``), on the plain rows of ``batch``: the same rules, the
        same rejections and notes. ``now`` is the run's: its rows share one timestamp
        (converted for the database once)."""
        assert command.amazon_order_id is not None  # batch.takes(command) said so
        order = batch.order(command.amazon_order_id)
        if order is None:
            raise order_not_found(amazon_order_id=command.amazon_order_id)
        return self._adjust_order(batch, order, command, now=now)

    def _adjust_order(
        self,
        ledger: OrderRepository | RowBatch,
        order: Order | OrderRow,
        command: Adjustment,
        *,
        now: datetime,
    ) -> list[Note]:
        notes = refund_items(
            ledger, order, command.items, now=now, feed_submission_id=self._submission_id
        )
        lines: list[OrderItem | ItemRow] = list(order.items)
        cancels = [
            CancelLine(
                find_item(
                    order.amazon_order_id,
                    lines,
                    code=adjusted.amazon_order_item_code,
                    merchant_id=adjusted.merchant_order_item_id,
                ),
                adjusted.quantity_cancelled,
                adjusted.reason,
            )
            for adjusted in command.items
            if adjusted.quantity_cancelled is not None
        ]
        if cancels:
            cancel_lines(
                ledger,
                order,
                cancels,
                source=self._source,
                now=now,
                feed_submission_id=self._submission_id,
            )
        return notes

    def fulfill(self, command: Fulfillment) -> list[Note]:
        """Confirm the shipment of every unshipped unit, or of the listed items."""
        order = self._order(
            amazon_order_id=command.amazon_order_id, merchant_order_id=command.merchant_order_id
        )
        ship_lines(
            self._orders,
            order,
            _ship_lines(command, order),
            command,
            now=self._clock.now(),
            feed_submission_id=self._submission_id,
        )
        return []

    def fulfill_rows(self, command: Fulfillment, batch: RowBatch, *, now: datetime) -> list[Note]:
        """``fulfill`` for a command that names its order by AmazonOrderID
        (``batch.takes(command)``), on the plain rows of ``batch``: the same rules, the
        same rejections. ``now`` is the run's."""
        assert command.amazon_order_id is not None  # batch.takes(command) said so
        order = batch.order(command.amazon_order_id)
        if order is None:
            raise order_not_found(amazon_order_id=command.amazon_order_id)
        ship_lines(
            batch,
            order,
            _ship_lines(command, order),
            command,
            now=now,
            feed_submission_id=self._submission_id,
        )
        return []

    def _order(
        self, *, amazon_order_id: str | None = None, merchant_order_id: str | None = None
    ) -> Order:
        order = self._orders.for_seller(
            self._seller_pk,
            amazon_order_id=amazon_order_id,
            merchant_order_id=merchant_order_id,
            lock=True,
        )
        if order is None:
            raise order_not_found(
                amazon_order_id=amazon_order_id, merchant_order_id=merchant_order_id
            )
        return order

    def _item(
        self, order: Order, *, code: str | None = None, merchant_id: str | None = None
    ) -> OrderItem:
        return find_item(order.amazon_order_id, order.items, code=code, merchant_id=merchant_id)


def _cancel_lines(
    command: Acknowledgement, order: CancellableOrder, items: Sequence[CancellableItem]
) -> list[CancelLine]:
    """What a Failure acknowledgement cancels: its items (``items`` are their lines), or
    every line with unshipped units."""
    if command.items:
        return [
            CancelLine(item, acknowledged.quantity, acknowledged.cancel_reason)
            for item, acknowledged in zip(items, command.items, strict=True)
        ]
    reason = command.cancel_reason
    lines = [CancelLine(i, None, reason) for i in order.items if i.quantity_unshipped]
    # None to cancel: name the first line's state (shipped or already cancelled).
    return lines or [CancelLine(order.items[0], None, reason)]


def _ship_lines(command: Fulfillment, order: Order | OrderRow) -> list[ShipLine]:
    """What a fulfilment ships: its items, or every line with unshipped units."""
    lines: list[OrderItem | ItemRow] = list(order.items)
    if command.items:
        return [
            ShipLine(
                find_item(
                    order.amazon_order_id,
                    lines,
                    code=item.amazon_order_item_code,
                    merchant_id=item.merchant_order_item_id,
                ),
                item.quantity,
            )
            for item in command.items
        ]
    unshipped = [ShipLine(i, None) for i in lines if i.quantity_unshipped]
    # None to ship: name the first line's state.
    return unshipped or [ShipLine(lines[0], None)]


class _MerchantIdHolder(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def amazon_order_id(self) -> str: ...


def _check_merchant_order_id(
    order: Order | OrderRow, owner: _MerchantIdHolder | None, merchant_order_id: str
) -> None:
    """Refuse a MerchantOrderID that identifies another of the seller's orders."""
    if owner is not None and owner.id != order.id:
        raise Rejection(
            ResultCode.MERCHANT_ID_CONFLICT,
            f"MerchantOrderID {merchant_order_id!r} already identifies order "
            f"{owner.amazon_order_id}.",
            amazon_order_id=order.amazon_order_id,
        )


def _assign_merchant_item_id(
    order: Order | OrderRow, item: OrderItem | ItemRow, merchant_id: str
) -> None:
    """Give ``item`` a MerchantOrderItemID no other line of the order has."""
    for other in order.items:
        if other.id != item.id and other.merchant_order_item_id == merchant_id:
            raise Rejection(
                ResultCode.MERCHANT_ID_CONFLICT,
                f"MerchantOrderItemID {merchant_id!r} already identifies item "
                f"{other.amazon_order_item_code} of order {order.amazon_order_id}.",
                amazon_order_id=order.amazon_order_id,
                amazon_order_item_code=item.amazon_order_item_code,
            )
    item.merchant_order_item_id = merchant_id
