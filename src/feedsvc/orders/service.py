"""Apply order commands (from feeds or the admin API) under the seller rules."""

from __future__ import annotations

from feedsvc.clock import Clock
from feedsvc.orders.cancellation import CancelLine, cancel_lines
from feedsvc.orders.commands import Acknowledgement, AdjustedItem, Adjustment, Fulfillment
from feedsvc.orders.models import Order, OrderItem
from feedsvc.orders.outcomes import Note, Rejection
from feedsvc.orders.refunds import check_refund, record_refund
from feedsvc.orders.repository import OrderRepository
from feedsvc.orders.shipping import ShipLine, ship_lines
from feedsvc.orders.types import CancellationSource, RefundState
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
            self._assign_merchant_order_id(order, command.merchant_order_id)
        items = [self._item(order, code=i.amazon_order_item_code) for i in command.items]
        for item, acknowledged in zip(items, command.items, strict=True):
            if acknowledged.merchant_order_item_id:
                self._assign_merchant_item_id(order, item, acknowledged.merchant_order_item_id)
        if command.status_code != "Failure":
            return []

        if command.items:
            lines = [
                CancelLine(item, acknowledged.quantity, acknowledged.cancel_reason)
                for item, acknowledged in zip(items, command.items, strict=True)
            ]
        else:
            reason = command.cancel_reason
            lines = [CancelLine(i, None, reason) for i in order.items if i.quantity_unshipped]
            if not lines:
                # Name the first line's state: shipped or already cancelled.
                lines = [CancelLine(order.items[0], None, reason)]
        cancel_lines(
            self._orders,
            order,
            lines,
            source=self._source,
            now=self._clock.now(),
            feed_submission_id=self._submission_id,
            memo=memo,
        )
        return []

    def adjust(self, command: Adjustment) -> list[Note]:
        """Refund by component and cancel ``QuantityCancelled`` units, item by item."""
        order = self._order(
            amazon_order_id=command.amazon_order_id, merchant_order_id=command.merchant_order_id
        )
        now = self._clock.now()
        notes: list[Note] = []
        seen_adjustment_ids: set[str] = set()
        cancels: list[CancelLine] = []
        for adjusted in command.items:
            item = self._item(
                order,
                code=adjusted.amazon_order_item_code,
                merchant_id=adjusted.merchant_order_item_id,
            )
            self._check_not_duplicate(order, item, adjusted, seen_adjustment_ids)
            components = check_refund(self._orders, order, item, adjusted)
            if adjusted.quantity_cancelled is not None:
                cancels.append(CancelLine(item, adjusted.quantity_cancelled, adjusted.reason))
            if components:
                state = record_refund(
                    self._orders,
                    order,
                    item,
                    adjusted,
                    components,
                    now=now,
                    feed_submission_id=self._submission_id,
                )
                if state == RefundState.PENDING:
                    notes.append(
                        Note(
                            ResultCode.REFUND_PENDING_SHIPMENT,
                            f"The refund for item {item.amazon_order_item_code} is pending: "
                            f"order {order.amazon_order_id} has no confirmed shipment yet, "
                            "and the refund is applied when it ships.",
                            order.amazon_order_id,
                            item.amazon_order_item_code,
                        )
                    )
        if cancels:
            cancel_lines(
                self._orders,
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
        if command.items:
            lines = [
                ShipLine(
                    self._item(
                        order,
                        code=item.amazon_order_item_code,
                        merchant_id=item.merchant_order_item_id,
                    ),
                    item.quantity,
                )
                for item in command.items
            ]
        else:
            lines = [ShipLine(i, None) for i in order.items if i.quantity_unshipped]
            if not lines:
                lines = [ShipLine(order.items[0], None)]
        ship_lines(
            self._orders,
            order,
            lines,
            command,
            now=self._clock.now(),
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
            if amazon_order_id is not None:
                raise Rejection(
                    ResultCode.INVALID_DATA,
                    f"Order {amazon_order_id} was not found for this merchant. "
                    "Check the AmazonOrderID.",
                    amazon_order_id=amazon_order_id,
                )
            raise Rejection(
                ResultCode.INVALID_DATA,
                "Your order cannot be found using merchant order ID "
                f"{merchant_order_id!r}. Acknowledge the order with that MerchantOrderID "
                "first, or use the AmazonOrderID.",
            )
        return order

    def _item(
        self, order: Order, *, code: str | None = None, merchant_id: str | None = None
    ) -> OrderItem:
        for item in order.items:
            if code is not None and item.amazon_order_item_code == code:
                return item
            if code is None and item.merchant_order_item_id == merchant_id:
                return item
        reference = f"item code {code}" if code is not None else f"merchant item ID {merchant_id!r}"
        raise Rejection(
            ResultCode.INVALID_DATA,
            f"Order {order.amazon_order_id} has no item with {reference}.",
            amazon_order_id=order.amazon_order_id,
            amazon_order_item_code=code,
        )

    def _assign_merchant_order_id(self, order: Order, merchant_order_id: str) -> None:
        owner = self._orders.merchant_order_id_owner(self._seller_pk, merchant_order_id)
        if owner is not None and owner.id != order.id:
            raise Rejection(
                ResultCode.MERCHANT_ID_CONFLICT,
                f"MerchantOrderID {merchant_order_id!r} already identifies order "
                f"{owner.amazon_order_id}.",
                amazon_order_id=order.amazon_order_id,
            )
        self._orders.assign_merchant_order_id(order, merchant_order_id)

    def _assign_merchant_item_id(self, order: Order, item: OrderItem, merchant_id: str) -> None:
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

    def _check_not_duplicate(
        self, order: Order, item: OrderItem, adjusted: AdjustedItem, seen: set[str]
    ) -> None:
        adjustment_id = adjusted.merchant_adjustment_item_id
        if adjustment_id is None:
            return
        if adjustment_id in seen or self._orders.adjustment_id_used(self._seller_pk, adjustment_id):
            raise Rejection(
                ResultCode.DUPLICATE_ADJUSTMENT,
                f"MerchantAdjustmentItemID {adjustment_id!r} was already applied; the "
                "adjustment is a duplicate and was not applied again.",
                amazon_order_id=order.amazon_order_id,
                amazon_order_item_code=item.amazon_order_item_code,
            )
        seen.add(adjustment_id)
