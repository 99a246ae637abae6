"""Refund rules: no negative parts, no more than was charged, and never twice.

The rules read an order and its lines through ``RefundableOrder`` and ``RefundableItem``
and the refund history through ``RefundLedger``: the ORM models and ``OrderRepository``
are one implementation, the plain rows of ``orders.row_batch`` another (refund-only
adjustment feeds, which change no order or item, are applied on those).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

from feedsvc.orders.commands import AdjustedItem, AmountComponent
from feedsvc.orders.lookup import find_item
from feedsvc.orders.money import format_amount
from feedsvc.orders.outcomes import Note, Rejection
from feedsvc.orders.types import (
    CHARGED_COMPONENTS,
    FEE_COMPONENTS,
    NewRefund,
    OrderHeader,
    RefundState,
)
from feedsvc.reports.results import ResultCode


class RefundableItem(Protocol):
    """What the rules read of an order line."""

    @property
    def id(self) -> int: ...
    @property
    def amazon_order_item_code(self) -> str: ...
    @property
    def merchant_order_item_id(self) -> str | None: ...
    @property
    def total_charged(self) -> int: ...
    def charged(self, component: str) -> int: ...


class RefundableOrder(OrderHeader, Protocol):
    """What the rules read of an order."""

    @property
    def currency(self) -> str: ...
    @property
    def has_shipped(self) -> bool: ...
    @property
    def items(self) -> Sequence[RefundableItem]: ...


class RefundLedger(Protocol):
    """The refund history the rules consult, and where a new refund goes."""

    def refunded_by_component(self, item_id: int) -> dict[str, int]: ...
    def adjustment_id_used(self, seller_pk: int, merchant_adjustment_item_id: str) -> bool: ...
    def add_refund(self, new: NewRefund) -> None: ...


def refund_items(
    ledger: RefundLedger,
    order: RefundableOrder,
    adjusted_items: Iterable[AdjustedItem],
    *,
    now: datetime,
    feed_submission_id: int | None,
) -> list[Note]:
    """Check and record the refund of each adjusted item of one order, in order; the notes.

    Raises Rejection at the first item that breaks a rule (the caller undoes the items
    recorded before it). Items with ``QuantityCancelled`` are checked here too (an item
    may cancel units without refunding anything); cancelling the units is the caller's.
    """
    notes: list[Note] = []
    seen: set[str] = set()
    for adjusted in adjusted_items:
        item = find_item(
            order.amazon_order_id,
            order.items,
            code=adjusted.amazon_order_item_code,
            merchant_id=adjusted.merchant_order_item_id,
        )
        _check_not_duplicate(ledger, order, item, adjusted, seen)
        components = check_refund(ledger, order, item, adjusted)
        if not components:
            continue
        state = record_refund(
            ledger,
            order,
            item,
            adjusted,
            components,
            now=now,
            feed_submission_id=feed_submission_id,
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
    return notes


def _check_not_duplicate(
    ledger: RefundLedger,
    order: RefundableOrder,
    item: RefundableItem,
    adjusted: AdjustedItem,
    seen: set[str],
) -> None:
    adjustment_id = adjusted.merchant_adjustment_item_id
    if adjustment_id is None:
        return
    if adjustment_id in seen or ledger.adjustment_id_used(order.seller_pk, adjustment_id):
        raise Rejection(
            ResultCode.DUPLICATE_ADJUSTMENT,
            f"MerchantAdjustmentItemID {adjustment_id!r} was already applied; the "
            "adjustment is a duplicate and was not applied again.",
            amazon_order_id=order.amazon_order_id,
            amazon_order_item_code=item.amazon_order_item_code,
        )
    seen.add(adjustment_id)


def check_refund(
    ledger: RefundLedger, order: RefundableOrder, item: RefundableItem, adjusted: AdjustedItem
) -> list[AmountComponent]:
    """The components to refund, once every rule has passed; raises Rejection otherwise."""
    components = [
        *adjusted.price_components,
        *adjusted.promotion_components,
        *adjusted.direct_payment_components,
    ]
    for component in components:
        if component.currency is not None and component.currency != order.currency:
            raise _rejection(
                ResultCode.CURRENCY_MISMATCH,
                f"The {component.type} adjustment for {_line(order, item)} is in "
                f"{component.currency}, but the order was paid in {order.currency}.",
                order,
                item,
            )
    for component in adjusted.price_components:
        if component.type in FEE_COMPONENTS and component.amount > 0:
            raise _rejection(
                ResultCode.NEGATIVE_COMPONENT,
                f"The {component.type} for {_line(order, item)} must be zero or negative: a "
                f"fee reduces the refund (got {format_amount(component.amount)}).",
                order,
                item,
            )
        if component.type not in FEE_COMPONENTS and component.amount < 0:
            raise _rejection(
                ResultCode.NEGATIVE_COMPONENT,
                f"The {component.type} adjustment for {_line(order, item)} is negative "
                f"({format_amount(component.amount)}); refunds cannot charge the buyer.",
                order,
                item,
            )

    refunded = ledger.refunded_by_component(item.id)
    for component_type, requested in _totals(adjusted.price_components).items():
        if component_type not in CHARGED_COMPONENTS:
            continue
        charged = item.charged(component_type)
        balance = charged - refunded.get(component_type, 0)
        if requested > balance:
            raise _rejection(
                ResultCode.REFUND_EXCEEDS_BALANCE,
                f"The {component_type} refund of {format_amount(requested)} for "
                f"{_line(order, item)} exceeds its remaining balance of "
                f"{format_amount(balance)} (charged {format_amount(charged)}, already "
                f"refunded {format_amount(charged - balance)}).",
                order,
                item,
            )

    if not components:
        if adjusted.quantity_cancelled is None:
            raise _rejection(
                ResultCode.NET_REFUND_NOT_POSITIVE,
                f"The adjustment for {_line(order, item)} has no amounts and no QuantityCancelled.",
                order,
                item,
            )
        return []
    net = sum(component.amount for component in components)
    if net <= 0:
        raise _rejection(
            ResultCode.NET_REFUND_NOT_POSITIVE,
            f"The net adjustment amount for {_line(order, item)} is not positive "
            f"({format_amount(net)}).",
            order,
            item,
        )
    remaining = item.total_charged - sum(refunded.values())
    if net > remaining:
        raise _rejection(
            ResultCode.REFUND_EXCEEDS_BALANCE,
            f"The net refund of {format_amount(net)} for {_line(order, item)} exceeds what "
            f"is left to refund ({format_amount(remaining)} of "
            f"{format_amount(item.total_charged)} charged).",
            order,
            item,
        )
    return components


def _line(order: RefundableOrder, item: RefundableItem) -> str:
    return f"item {item.amazon_order_item_code} of order {order.amazon_order_id}"


def _rejection(
    code: ResultCode, description: str, order: RefundableOrder, item: RefundableItem
) -> Rejection:
    return Rejection(
        code,
        description,
        amazon_order_id=order.amazon_order_id,
        amazon_order_item_code=item.amazon_order_item_code,
    )


def record_refund(
    ledger: RefundLedger,
    order: RefundableOrder,
    item: RefundableItem,
    adjusted: AdjustedItem,
    components: Iterable[AmountComponent],
    *,
    now: datetime,
    feed_submission_id: int | None,
) -> str:
    """Store the refund: applied at once if the order has shipped, else held pending.
    Its state."""
    state = RefundState.APPLIED if order.has_shipped else RefundState.PENDING
    ledger.add_refund(
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
