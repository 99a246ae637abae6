"""Refund rules: no negative parts, no more than was charged, and never twice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from feedsvc.orders.commands import AdjustedItem, AmountComponent
from feedsvc.orders.models import Order, OrderItem
from feedsvc.orders.money import format_amount
from feedsvc.orders.outcomes import Rejection
from feedsvc.orders.repository import OrderRepository
from feedsvc.orders.types import (
    CHARGED_COMPONENTS,
    FEE_COMPONENTS,
    Component,
    NewRefund,
    RefundState,
)
from feedsvc.reports.results import ResultCode


def check_refund(
    repository: OrderRepository, order: Order, item: OrderItem, adjusted: AdjustedItem
) -> list[AmountComponent]:
    """The components to refund, once every rule has passed; raises Rejection otherwise."""
    where = {
        "amazon_order_id": order.amazon_order_id,
        "amazon_order_item_code": item.amazon_order_item_code,
    }
    line = f"item {item.amazon_order_item_code} of order {order.amazon_order_id}"
    components = [
        *adjusted.price_components,
        *adjusted.promotion_components,
        *adjusted.direct_payment_components,
    ]
    for component in components:
        if component.currency is not None and component.currency != order.currency:
            raise Rejection(
                ResultCode.CURRENCY_MISMATCH,
                f"The {component.type} adjustment for {line} is in {component.currency}, "
                f"but the order was paid in {order.currency}.",
                **where,
            )
    for component in adjusted.price_components:
        if component.type in FEE_COMPONENTS and component.amount > 0:
            raise Rejection(
                ResultCode.NEGATIVE_COMPONENT,
                f"The {component.type} for {line} must be zero or negative: a fee reduces "
                f"the refund (got {format_amount(component.amount)}).",
                **where,
            )
        if component.type not in FEE_COMPONENTS and component.amount < 0:
            raise Rejection(
                ResultCode.NEGATIVE_COMPONENT,
                f"The {component.type} adjustment for {line} is negative "
                f"({format_amount(component.amount)}); refunds cannot charge the buyer.",
                **where,
            )

    refunded = repository.refunded_by_component(item.id)
    for component_type, requested in _totals(adjusted.price_components).items():
        if component_type not in CHARGED_COMPONENTS:
            continue
        charged = item.charged(Component(component_type))
        balance = charged - refunded.get(component_type, 0)
        if requested > balance:
            raise Rejection(
                ResultCode.REFUND_EXCEEDS_BALANCE,
                f"The {component_type} refund of {format_amount(requested)} for {line} exceeds "
                f"its remaining balance of {format_amount(balance)} (charged "
                f"{format_amount(charged)}, already refunded "
                f"{format_amount(charged - balance)}).",
                **where,
            )

    if not components:
        if adjusted.quantity_cancelled is None:
            raise Rejection(
                ResultCode.NET_REFUND_NOT_POSITIVE,
                f"The adjustment for {line} has no amounts and no QuantityCancelled.",
                **where,
            )
        return []
    net = sum(component.amount for component in components)
    if net <= 0:
        raise Rejection(
            ResultCode.NET_REFUND_NOT_POSITIVE,
            f"The net adjustment amount for {line} is not positive ({format_amount(net)}).",
            **where,
        )
    remaining = item.total_charged - sum(refunded.values())
    if net > remaining:
        raise Rejection(
            ResultCode.REFUND_EXCEEDS_BALANCE,
            f"The net refund of {format_amount(net)} for {line} exceeds what is left to refund "
            f"({format_amount(remaining)} of {format_amount(item.total_charged)} charged).",
            **where,
        )
    return components


def record_refund(
    repository: OrderRepository,
    order: Order,
    item: OrderItem,
    adjusted: AdjustedItem,
    components: Iterable[AmountComponent],
    *,
    now: datetime,
    feed_submission_id: int | None,
) -> str:
    """Store the refund: applied at once if the order has shipped, else held pending.
    Its state."""
    state = RefundState.APPLIED if order.has_shipped else RefundState.PENDING
    repository.add_refund(
        NewRefund(
            seller_pk=order.seller_pk,
            order_id=order.id,
            item_id=item.id,
            reason=adjusted.reason,
            merchant_adjustment_item_id=adjusted.merchant_adjustment_item_id,
            state=state,
            feed_submission_id=feed_submission_id,
            created_at=now,
            components=tuple((c.type, c.amount) for c in components),
        )
    )
    return state


def _totals(components: Iterable[AmountComponent]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for component in components:
        totals[component.type] += component.amount
    return totals
