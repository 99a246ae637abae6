"""Every query over orders, items, cancellations, refunds and notifications."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feedsvc.orders.models import (
    BuyerNotification,
    Cancellation,
    Order,
    Refund,
    RefundComponent,
    Shipment,
    ShipmentLine,
)
from feedsvc.orders.types import (
    NewCancellation,
    NewNotification,
    NewRefund,
    NewShipment,
    OrderStatus,
    RefundState,
)


class OrderRepository:
    """Loads and stores the order aggregate and its history."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, amazon_order_id: str) -> Order | None:
        return self._session.scalar(select(Order).where(Order.amazon_order_id == amazon_order_id))

    def for_seller(
        self,
        seller_pk: int,
        *,
        amazon_order_id: str | None = None,
        merchant_order_id: str | None = None,
        lock: bool = False,
    ) -> Order | None:
        """One seller's order by either id; ``lock`` serialises writers on that order."""
        query = select(Order).where(Order.seller_pk == seller_pk)
        if amazon_order_id is not None:
            query = query.where(Order.amazon_order_id == amazon_order_id)
        else:
            query = query.where(Order.merchant_order_id == merchant_order_id)
        if lock:
            query = query.with_for_update()
        return self._session.scalar(query)

    def merchant_order_id_owner(self, seller_pk: int, merchant_order_id: str) -> Order | None:
        return self.for_seller(seller_pk, merchant_order_id=merchant_order_id)

    def assign_merchant_order_id(self, order: Order, merchant_order_id: str) -> None:
        order.merchant_order_id = merchant_order_id

    def unshipped_before(self, ship_by: datetime) -> Sequence[Order]:
        """Orders with units still to ship whose ship-by date is before ``ship_by``, locked."""
        due = func.coalesce(Order.latest_ship_date, Order.purchase_date)
        query = (
            select(Order)
            .where(
                Order.status.in_([OrderStatus.UNSHIPPED, OrderStatus.PARTIALLY_SHIPPED]),
                due < ship_by,
            )
            .order_by(Order.id)
            .with_for_update()
        )
        return self._session.scalars(query).all()

    def cancellation_counts(
        self, seller_pk: int, start: datetime, end: datetime
    ) -> tuple[int, int]:
        """Orders placed in [start, end), and how many of them the seller cancelled."""
        placed = select(Order.id).where(
            Order.seller_pk == seller_pk, Order.purchase_date >= start, Order.purchase_date < end
        )
        total = self._session.scalar(select(func.count()).select_from(placed.subquery())) or 0
        cancelled = self._session.scalar(
            select(func.count(func.distinct(Cancellation.order_id))).where(
                Cancellation.order_id.in_(placed), Cancellation.buyer_requested.is_(False)
            )
        )
        return total, cancelled or 0

    def existing_amazon_order_ids(self, amazon_order_ids: Sequence[str]) -> set[str]:
        rows = self._session.scalars(
            select(Order.amazon_order_id).where(Order.amazon_order_id.in_(amazon_order_ids))
        )
        return set(rows)

    def refunded_by_component(self, item_id: int) -> dict[str, int]:
        """What has been refunded (applied or pending) per component of one order line."""
        rows = self._session.execute(
            select(RefundComponent.component, func.sum(RefundComponent.amount))
            .join(Refund, Refund.id == RefundComponent.refund_id)
            .where(Refund.item_id == item_id)
            .group_by(RefundComponent.component)
        )
        return {component: int(total) for component, total in rows}

    def adjustment_id_used(self, seller_pk: int, merchant_adjustment_item_id: str) -> bool:
        query = select(Refund.id).where(
            Refund.seller_pk == seller_pk,
            Refund.merchant_adjustment_item_id == merchant_adjustment_item_id,
        )
        return self._session.scalar(query.limit(1)) is not None

    def cancellations(self, order_id: int) -> Sequence[Cancellation]:
        query = select(Cancellation).where(Cancellation.order_id == order_id)
        return self._session.scalars(query.order_by(Cancellation.id)).all()

    def shipments(self, order_id: int) -> Sequence[Shipment]:
        query = select(Shipment).where(Shipment.order_id == order_id).order_by(Shipment.id)
        return self._session.scalars(query).all()

    def refunds(self, order_id: int) -> Sequence[Refund]:
        query = select(Refund).where(Refund.order_id == order_id).order_by(Refund.id)
        return self._session.scalars(query).all()

    def pending_refunds(self, order_id: int) -> Sequence[Refund]:
        """The order's refunds held until it ships."""
        query = select(Refund).where(
            Refund.order_id == order_id, Refund.state == RefundState.PENDING
        )
        return self._session.scalars(query.order_by(Refund.id)).all()

    def release_pending_refunds(self, order_id: int) -> None:
        """The order has shipped: its refunds held until then are applied."""
        for refund in self.pending_refunds(order_id):
            refund.state = RefundState.APPLIED

    def notifications(self, seller_pk: int) -> Sequence[BuyerNotification]:
        query = select(BuyerNotification).where(BuyerNotification.seller_pk == seller_pk)
        return self._session.scalars(query.order_by(BuyerNotification.id)).all()

    def add(self, order: Order) -> None:
        self._session.add(order)

    def add_shipment(self, new: NewShipment) -> None:
        lines = [
            ShipmentLine(item_id=item_id, quantity=quantity) for item_id, quantity in new.lines
        ]
        self._session.add(Shipment(**new.columns(), lines=lines))

    def add_cancellation(self, new: NewCancellation) -> None:
        self._session.add(Cancellation(**new.columns()))

    def add_notification(self, new: NewNotification) -> None:
        self._session.add(BuyerNotification(**new.columns()))

    def add_refund(self, new: NewRefund) -> None:
        self._refund_object(new)

    def _refund_object(self, new: NewRefund) -> Refund:
        refund = Refund(
            **new.columns(),
            components=[
                RefundComponent(component=component, amount=amount)
                for component, amount in new.components
            ],
        )
        self._session.add(refund)
        return refund

    def flush(self) -> None:
        self._session.flush()
