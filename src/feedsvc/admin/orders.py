"""Orders for test set-up, and the view of what feeds did to them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from feedsvc.accounts.repository import SellerRepository
from feedsvc.admin import schemas
from feedsvc.admin.service import AdminError, find_seller
from feedsvc.clock import Clock
from feedsvc.orders.commands import AcknowledgedItem, Acknowledgement
from feedsvc.orders.metrics import CANCELLATION_RATE_TARGET, cancellation_rate
from feedsvc.orders.models import Order, OrderItem
from feedsvc.orders.money import format_amount, parse_amount
from feedsvc.orders.outcomes import Rejection
from feedsvc.orders.repository import OrderRepository
from feedsvc.orders.service import OrderService
from feedsvc.orders.types import CHARGED_COMPONENTS, CancellationSource, Component, RefundState


class OrderAdmin:
    """Operations behind /admin/orders and /admin/notifications."""

    def __init__(self, session: Session, *, clock: Clock) -> None:
        self._sellers = SellerRepository(session)
        self._orders = OrderRepository(session)
        self._clock = clock

    def create_orders(self, requests: Sequence[schemas.OrderCreate]) -> list[schemas.OrderOut]:
        ids = [r.amazon_order_id for r in requests]
        repeated = {i for i in ids if ids.count(i) > 1}
        taken = self._orders.existing_amazon_order_ids(ids) | repeated
        if taken:
            raise AdminError(409, f"Order ids already exist: {', '.join(sorted(taken))}.")
        merchant_ids = [(r.seller_id, r.merchant_order_id) for r in requests if r.merchant_order_id]
        for seller_id, merchant_order_id in merchant_ids:
            seller = find_seller(self._sellers, seller_id, status=422)
            owner = self._orders.merchant_order_id_owner(seller.id, merchant_order_id)
            if merchant_ids.count((seller_id, merchant_order_id)) > 1 or owner is not None:
                raise AdminError(
                    409,
                    f"MerchantOrderID {merchant_order_id!r} is already used by another order "
                    f"of seller {seller_id}.",
                )
        orders = [self._create_order(request) for request in requests]
        return [self._order_out(order) for order in orders]

    def get_order(self, amazon_order_id: str) -> schemas.OrderOut:
        order = self._orders.get(amazon_order_id)
        if order is None:
            raise AdminError(404, f"Order {amazon_order_id} does not exist.")
        return self._order_out(order)

    def cancel(self, amazon_order_id: str, request: schemas.ManualCancellation) -> schemas.OrderOut:
        """Cancel as the Manage Orders page does: same checks, same buyer e-mail."""
        order = self._orders.get(amazon_order_id)
        if order is None:
            raise AdminError(404, f"Order {amazon_order_id} does not exist.")
        service = OrderService(
            self._orders, self._clock, seller_pk=order.seller_pk, source=CancellationSource.ADMIN
        )
        command = Acknowledgement(
            amazon_order_id=amazon_order_id,
            status_code="Failure",
            items=tuple(
                AcknowledgedItem(
                    i.amazon_order_item_code, cancel_reason=request.reason, quantity=i.quantity
                )
                for i in request.items
            ),
            cancel_reason=request.reason,
        )
        try:
            service.acknowledge(command, memo=request.memo)
        except Rejection as rejection:
            raise AdminError(409, rejection.description, result_code=int(rejection.code)) from None
        return self._order_out(order)

    def cancellation_rate(
        self, seller_id: str, *, end: datetime | None, days: int
    ) -> schemas.CancellationRateOut:
        seller = find_seller(self._sellers, seller_id)
        measured = cancellation_rate(
            self._orders, seller.id, end=_utc(end) if end else self._clock.now(), days=days
        )
        return schemas.CancellationRateOut(
            seller_id=seller.seller_id,
            window_start=measured.window_start,
            window_end=measured.window_end,
            orders=measured.orders,
            seller_cancelled_orders=measured.seller_cancelled_orders,
            rate=measured.rate,
            target=CANCELLATION_RATE_TARGET,
            above_target=measured.above_target,
        )

    def notifications(self, seller_id: str) -> list[schemas.NotificationOut]:
        seller = find_seller(self._sellers, seller_id)
        return [
            schemas.NotificationOut(
                amazon_order_id=n.order.amazon_order_id,
                kind=n.kind,
                recipient=n.recipient,
                subject=n.subject,
                body=n.body,
                created_at=n.created_at,
            )
            for n in self._orders.notifications(seller.id)
        ]

    def _create_order(self, request: schemas.OrderCreate) -> Order:
        seller = find_seller(self._sellers, request.seller_id, status=422)
        codes = [i.amazon_order_item_code for i in request.items]
        if len(set(codes)) != len(codes):
            raise AdminError(422, f"Order {request.amazon_order_id} repeats an item code.")
        line_ids = [i.merchant_order_item_id for i in request.items if i.merchant_order_item_id]
        if len(set(line_ids)) != len(line_ids):
            raise AdminError(
                422, f"Order {request.amazon_order_id} repeats a merchant_order_item_id."
            )
        items = []
        for item in request.items:
            if item.quantity_shipped > item.quantity:
                raise AdminError(
                    422, f"Item {item.amazon_order_item_code} ships more units than were ordered."
                )
            items.append(
                OrderItem(
                    amazon_order_item_code=item.amazon_order_item_code,
                    merchant_order_item_id=item.merchant_order_item_id,
                    sku=item.sku,
                    asin=item.asin,
                    quantity_ordered=item.quantity,
                    quantity_shipped=item.quantity_shipped,
                    quantity_cancelled=0,
                    item_price=parse_amount(item.item_price),
                    item_tax=parse_amount(item.item_tax),
                    shipping_price=parse_amount(item.shipping_price),
                    shipping_tax=parse_amount(item.shipping_tax),
                    gift_wrap_price=parse_amount(item.gift_wrap_price),
                    gift_wrap_tax=parse_amount(item.gift_wrap_tax),
                )
            )
        order = Order(
            seller_pk=seller.id,
            amazon_order_id=request.amazon_order_id,
            merchant_order_id=request.merchant_order_id,
            marketplace_id=request.marketplace_id,
            purchase_date=_utc(request.purchase_date),
            latest_ship_date=_utc(request.latest_ship_date) if request.latest_ship_date else None,
            currency=request.currency,
            buyer_name=request.buyer_name,
            buyer_email=request.buyer_email,
            created_at=self._clock.now(),
            items=items,
        )
        order.refresh_status()
        self._orders.add(order)
        self._orders.flush()
        return order

    def _order_out(self, order: Order) -> schemas.OrderOut:
        seller_id = self._seller_id_of(order)
        refunds = self._orders.refunds(order.id)
        applied: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        pending: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for refund in refunds:
            target = applied if refund.state == RefundState.APPLIED else pending
            for component in refund.components:
                target[refund.item_id][component.component] += component.amount
        return schemas.OrderOut(
            amazon_order_id=order.amazon_order_id,
            seller_id=seller_id,
            merchant_order_id=order.merchant_order_id,
            marketplace_id=order.marketplace_id,
            purchase_date=order.purchase_date,
            latest_ship_date=order.latest_ship_date,
            currency=order.currency,
            buyer_name=order.buyer_name,
            buyer_email=order.buyer_email,
            status=order.status,
            items=[
                schemas.OrderItemOut(
                    amazon_order_item_code=item.amazon_order_item_code,
                    merchant_order_item_id=item.merchant_order_item_id,
                    sku=item.sku,
                    asin=item.asin,
                    quantity_ordered=item.quantity_ordered,
                    quantity_shipped=item.quantity_shipped,
                    quantity_cancelled=item.quantity_cancelled,
                    quantity_unshipped=item.quantity_unshipped,
                    charged=_amounts(
                        {c: item.charged(Component(c)) for c in CHARGED_COMPONENTS}, keep_zero=False
                    ),
                    refunded=_amounts(applied[item.id]),
                    pending_refunds=_amounts(pending[item.id]),
                )
                for item in order.items
            ],
            shipments=[
                schemas.ShipmentOut(
                    fulfillment_date=shipment.fulfillment_date,
                    merchant_fulfillment_id=shipment.merchant_fulfillment_id,
                    carrier_code=shipment.carrier_code,
                    carrier_name=shipment.carrier_name,
                    shipping_method=shipment.shipping_method,
                    tracking_number=shipment.tracking_number,
                    feed_submission_id=shipment.feed_submission_id,
                    items=[
                        schemas.ShipmentLineOut(
                            amazon_order_item_code=line.item.amazon_order_item_code,
                            quantity=line.quantity,
                        )
                        for line in shipment.lines
                    ],
                    created_at=shipment.created_at,
                )
                for shipment in self._orders.shipments(order.id)
            ],
            cancellations=[
                schemas.CancellationOut(
                    amazon_order_item_code=c.item.amazon_order_item_code,
                    quantity=c.quantity,
                    reason=c.reason,
                    source=c.source,
                    buyer_requested=c.buyer_requested,
                    memo=c.memo,
                    feed_submission_id=c.feed_submission_id,
                    created_at=c.created_at,
                )
                for c in self._orders.cancellations(order.id)
            ],
            refunds=[
                schemas.RefundOut(
                    amazon_order_item_code=r.item.amazon_order_item_code,
                    reason=r.reason,
                    state=r.state,
                    merchant_adjustment_item_id=r.merchant_adjustment_item_id,
                    feed_submission_id=r.feed_submission_id,
                    components=_amounts(
                        {c.component: c.amount for c in r.components}, keep_zero=True
                    ),
                    total=format_amount(r.net_amount),
                    created_at=r.created_at,
                )
                for r in refunds
            ],
        )

    def _seller_id_of(self, order: Order) -> str:
        for_seller = self._sellers.get(order.seller_pk)
        return for_seller.seller_id if for_seller else ""


def _amounts(values: dict[str, int], *, keep_zero: bool = True) -> dict[str, str]:
    return {k: format_amount(v) for k, v in values.items() if keep_zero or v}


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
