"""A batch of commands' orders and refund history, loaded in a few queries.

Applying a feed one message at a time costs several queries and a flush per message.
``PreloadedOrderRepository`` loads (and locks) every order a batch of commands names,
their items, what has been refunded per line, the adjustment ids already used and, when
asked, the refunds held pending; it then answers the per-message lookups from memory and
keeps those answers current as the batch adds refunds and assigns merchant ids. Nothing is
flushed until the caller flushes; the rows a batch adds (refunds that apply at once,
cancellations, shipments, buyer e-mails) are staged as plain values and written together
by ``write_staged``.

A key the preload did not cover (none should be missed) falls back to a query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from feedsvc.orders.commands import Acknowledgement, Adjustment, Fulfillment, OrderCommand
from feedsvc.orders.models import (
    Order,
    Refund,
    RefundComponent,
)
from feedsvc.orders.repository import OrderRepository
from feedsvc.orders.row_batch import write_cancellations, write_refunds, write_shipments
from feedsvc.orders.types import (
    NewCancellation,
    NewNotification,
    NewRefund,
    NewShipment,
    RefundState,
)


class PreloadedOrderRepository(OrderRepository):
    """One seller's orders named by a batch of commands, locked and held in memory."""

    def __init__(
        self,
        session: Session,
        seller_pk: int,
        *,
        amazon_order_ids: Iterable[str],
        merchant_order_ids: Iterable[str],
        adjustment_ids: Iterable[str],
    ) -> None:
        super().__init__(session)
        self._seller_pk = seller_pk
        self._amazon_keys = set(amazon_order_ids)
        self._merchant_keys = set(merchant_order_ids)
        self._adjustment_keys = set(adjustment_ids)
        conditions = []
        if self._amazon_keys:
            conditions.append(Order.amazon_order_id.in_(self._amazon_keys))
        if self._merchant_keys:
            conditions.append(Order.merchant_order_id.in_(self._merchant_keys))
        orders: Sequence[Order] = []
        if conditions:
            # Locked in id order, so two batches that share orders cannot deadlock.
            query = select(Order).where(Order.seller_pk == seller_pk, or_(*conditions))
            orders = session.scalars(query.order_by(Order.id).with_for_update()).all()
        self._by_amazon_id = {order.amazon_order_id: order for order in orders}
        self._by_merchant_id = {o.merchant_order_id: o for o in orders if o.merchant_order_id}
        self._refunded: dict[int, dict[str, int]] = defaultdict(dict)
        item_ids = [item.id for order in orders for item in order.items]
        if item_ids:
            rows = session.execute(
                select(Refund.item_id, RefundComponent.component, func.sum(RefundComponent.amount))
                .join(Refund, Refund.id == RefundComponent.refund_id)
                .where(Refund.item_id.in_(item_ids))
                .group_by(Refund.item_id, RefundComponent.component)
            )
            for item_id, component, total in rows:
                self._refunded[item_id][component] = int(total)
        self._used_adjustment_ids: set[str] = set()
        if self._adjustment_keys:
            self._used_adjustment_ids.update(
                session.scalars(
                    select(Refund.merchant_adjustment_item_id).where(
                        Refund.seller_pk == seller_pk,
                        Refund.merchant_adjustment_item_id.in_(self._adjustment_keys),
                    )
                )
            )
        self._order_ids = [order.id for order in orders]
        self._pending: dict[int, list[Refund]] | None = None
        self._staged_refunds: list[NewRefund] = []
        self._staged_cancellations: list[NewCancellation] = []
        self._staged_notifications: list[NewNotification] = []
        self._staged_shipments: list[NewShipment] = []

    @classmethod
    def for_commands(
        cls, session: Session, seller_pk: int, commands: Iterable[OrderCommand]
    ) -> PreloadedOrderRepository:
        """Everything the commands will look up, in one pass over them."""
        amazon_ids: set[str] = set()
        merchant_ids: set[str] = set()
        adjustment_ids: set[str] = set()
        for command in commands:
            if isinstance(command, Acknowledgement | Adjustment | Fulfillment):
                if command.amazon_order_id is not None:
                    amazon_ids.add(command.amazon_order_id)
                if command.merchant_order_id is not None:
                    merchant_ids.add(command.merchant_order_id)
            if isinstance(command, Adjustment):
                adjustment_ids.update(
                    item.merchant_adjustment_item_id
                    for item in command.items
                    if item.merchant_adjustment_item_id is not None
                )
        return cls(
            session,
            seller_pk,
            amazon_order_ids=amazon_ids,
            merchant_order_ids=merchant_ids,
            adjustment_ids=adjustment_ids,
        )

    def for_seller(
        self,
        seller_pk: int,
        *,
        amazon_order_id: str | None = None,
        merchant_order_id: str | None = None,
        lock: bool = False,
    ) -> Order | None:
        if seller_pk == self._seller_pk:
            if amazon_order_id is not None and amazon_order_id in self._amazon_keys:
                return self._by_amazon_id.get(amazon_order_id)
            if (
                amazon_order_id is None
                and merchant_order_id is not None
                and merchant_order_id in self._merchant_keys
            ):
                return self._by_merchant_id.get(merchant_order_id)
        return super().for_seller(
            seller_pk,
            amazon_order_id=amazon_order_id,
            merchant_order_id=merchant_order_id,
            lock=lock,
        )

    def assign_merchant_order_id(self, order: Order, merchant_order_id: str) -> None:
        previous = order.merchant_order_id
        if previous is not None and self._by_merchant_id.get(previous) is order:
            del self._by_merchant_id[previous]
        super().assign_merchant_order_id(order, merchant_order_id)
        if order.seller_pk == self._seller_pk:
            self._merchant_keys.add(merchant_order_id)
            self._by_merchant_id[merchant_order_id] = order

    def refunded_by_component(self, item_id: int) -> dict[str, int]:
        return dict(self._refunded[item_id])

    def adjustment_id_used(self, seller_pk: int, merchant_adjustment_item_id: str) -> bool:
        if seller_pk != self._seller_pk or merchant_adjustment_item_id not in self._adjustment_keys:
            return super().adjustment_id_used(seller_pk, merchant_adjustment_item_id)
        return merchant_adjustment_item_id in self._used_adjustment_ids

    def pending_refunds(self, order_id: int) -> Sequence[Refund]:
        if self._pending is None:
            self._pending = defaultdict(list)
            if self._order_ids:
                query = select(Refund).where(
                    Refund.order_id.in_(self._order_ids), Refund.state == RefundState.PENDING
                )
                for refund in self._session.scalars(query.order_by(Refund.id)):
                    self._pending[refund.order_id].append(refund)
        return [r for r in self._pending[order_id] if r.state == RefundState.PENDING]

    def add_refund(self, new: NewRefund) -> None:
        """Keep the line's totals and the used adjustment ids current. A refund applied at
        once is only staged, to be written by ``write_staged`` as plain rows: nothing
        reads it back as an object, and building ORM objects was most of the cost of an
        adjustment feed. A pending one is an object, since a shipment will apply it."""
        totals = self._refunded[new.item_id]
        for component, amount in new.components:
            totals[component] = totals.get(component, 0) + amount
        if new.merchant_adjustment_item_id is not None and new.seller_pk == self._seller_pk:
            self._adjustment_keys.add(new.merchant_adjustment_item_id)
            self._used_adjustment_ids.add(new.merchant_adjustment_item_id)
        if new.state != RefundState.PENDING:
            self._staged_refunds.append(new)
            return
        refund = self._refund_object(new)
        if self._pending is not None:
            self._pending[new.order_id].append(refund)

    def add_cancellation(self, new: NewCancellation) -> None:
        """Staged like an applied refund: nothing reads a cancellation back as an object
        (the item's counts are kept on the item itself)."""
        self._staged_cancellations.append(new)

    def add_notification(self, new: NewNotification) -> None:
        self._staged_notifications.append(new)

    def add_shipment(self, new: NewShipment) -> None:
        self._staged_shipments.append(new)

    def write_staged(self) -> None:
        """Insert what the run staged, one executemany per table, in the order it came."""
        refunds, self._staged_refunds = self._staged_refunds, []
        write_refunds(self._session, refunds)
        shipments, self._staged_shipments = self._staged_shipments, []
        write_shipments(self._session, shipments)
        cancellations, self._staged_cancellations = self._staged_cancellations, []
        notifications, self._staged_notifications = self._staged_notifications, []
        write_cancellations(self._session, cancellations, notifications)
