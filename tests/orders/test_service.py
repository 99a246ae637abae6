"""The order rules, applied directly through OrderService on a real database."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from feedsvc.orders.commands import (
    AcknowledgedItem,
    Acknowledgement,
    AdjustedItem,
    Adjustment,
    AmountComponent,
)
from feedsvc.orders.money import parse_amount
from feedsvc.orders.outcomes import Rejection
from feedsvc.reports.results import ResultCode
from tests.orders.conftest import World
from tests.support import item_payload


def refund(code: str, reason: str = "CustomerReturn", **components: str) -> AdjustedItem:
    return AdjustedItem(
        amazon_order_item_code=code,
        reason=reason,
        price_components=tuple(
            AmountComponent(kind, parse_amount(amount), "USD")
            for kind, amount in components.items()
        ),
    )


def rejection_code(world: World, command: Acknowledgement | Adjustment) -> ResultCode:
    with pytest.raises(Rejection) as caught:
        world.apply(command)
    return caught.value.code


def test_failure_without_items_cancels_every_unshipped_unit(world: World) -> None:
    order = world.order(item_payload(quantity=2), item_payload(quantity=3))
    world.apply(Acknowledgement(order.amazon_order_id, "Failure"))
    view = world.view(order.amazon_order_id)
    assert view.status == "Canceled"
    assert [i.quantity_cancelled for i in view.items] == [2, 3]
    assert all(i.quantity_unshipped == 0 for i in view.items)


def test_failure_with_items_cancels_only_those_items_with_reason(world: World) -> None:
    order = world.order(item_payload(quantity=2), item_payload(quantity=3))
    first = order.items[0].amazon_order_item_code
    world.apply(
        Acknowledgement(
            order.amazon_order_id,
            "Failure",
            items=(AcknowledgedItem(first, cancel_reason="NoInventory"),),
        )
    )
    view = world.view(order.amazon_order_id)
    assert view.status == "Unshipped"
    assert [i.quantity_cancelled for i in view.items] == [2, 0]
    assert [(c.amazon_order_item_code, c.quantity, c.reason) for c in view.cancellations] == [
        (first, 2, "NoInventory")
    ]


def test_item_quantity_cancels_that_many_units(world: World) -> None:
    order = world.order(item_payload(quantity=5))
    code = order.items[0].amazon_order_item_code
    world.apply(
        Acknowledgement(
            order.amazon_order_id, "Failure", items=(AcknowledgedItem(code, quantity=2),)
        )
    )
    assert world.view(order.amazon_order_id).items[0].quantity_unshipped == 3


def test_success_records_merchant_ids_usable_by_later_adjustments(world: World) -> None:
    order = world.order(item_payload(quantity=1, quantity_shipped=1))
    code = order.items[0].amazon_order_item_code
    world.apply(
        Acknowledgement(
            order.amazon_order_id,
            "Success",
            merchant_order_id="PO-77",
            items=(AcknowledgedItem(code, merchant_order_item_id="LINE-1"),),
        )
    )
    view = world.view(order.amazon_order_id)
    assert (view.merchant_order_id, view.items[0].merchant_order_item_id) == ("PO-77", "LINE-1")
    assert view.status == "Shipped" and not view.cancellations

    world.apply(
        Adjustment(
            merchant_order_id="PO-77",
            items=(
                AdjustedItem(
                    merchant_order_item_id="LINE-1",
                    reason="CustomerReturn",
                    price_components=(AmountComponent("Principal", 500, "USD"),),
                ),
            ),
        )
    )
    assert world.view(order.amazon_order_id).items[0].refunded == {"Principal": "5.00"}


@pytest.mark.parametrize(
    ("shipped", "cancel_first", "quantity", "expected"),
    [
        pytest.param(2, False, None, ResultCode.UNITS_ALREADY_SHIPPED, id="all-shipped"),
        pytest.param(0, True, None, ResultCode.UNITS_ALREADY_CANCELLED, id="already-cancelled"),
        pytest.param(1, False, 2, ResultCode.QUANTITY_EXCEEDS_REMAINING, id="beyond-unshipped"),
    ],
)
def test_cancelling_what_is_not_unshipped_is_rejected(
    world: World, shipped: int, cancel_first: bool, quantity: int | None, expected: ResultCode
) -> None:
    order = world.order(item_payload(quantity=2, quantity_shipped=shipped))
    code = order.items[0].amazon_order_item_code
    if cancel_first:
        world.apply(Acknowledgement(order.amazon_order_id, "Failure"))
    command = Acknowledgement(
        order.amazon_order_id, "Failure", items=(AcknowledgedItem(code, quantity=quantity),)
    )
    assert rejection_code(world, command) == expected


def test_a_rejected_item_leaves_the_whole_message_unapplied(world: World) -> None:
    order = world.order(item_payload(quantity=2), item_payload(quantity=1, quantity_shipped=1))
    good, shipped = (i.amazon_order_item_code for i in order.items)
    command = Acknowledgement(
        order.amazon_order_id, "Failure", items=(AcknowledgedItem(good), AcknowledgedItem(shipped))
    )
    assert rejection_code(world, command) == ResultCode.UNITS_ALREADY_SHIPPED
    view = world.view(order.amazon_order_id)
    assert [i.quantity_cancelled for i in view.items] == [0, 0]
    assert view.cancellations == []


def test_unknown_order_and_item_are_rejected_with_invalid_data(world: World) -> None:
    assert rejection_code(world, Acknowledgement("999-9999999-9999999", "Failure")) == (
        ResultCode.INVALID_DATA
    )
    order = world.order()
    command = Acknowledgement(
        order.amazon_order_id, "Failure", items=(AcknowledgedItem("00000000000000"),)
    )
    assert rejection_code(world, command) == ResultCode.INVALID_DATA


def test_another_sellers_order_is_unknown(world: World, db: Session) -> None:
    other = World(db)
    order = other.order()
    assert rejection_code(world, Acknowledgement(order.amazon_order_id, "Failure")) == (
        ResultCode.INVALID_DATA
    )
    assert other.view(order.amazon_order_id).status == "Unshipped"


def test_quantity_cancelled_cancels_and_refunds_the_rest(world: World) -> None:
    order = world.order(item_payload(quantity=3, quantity_shipped=2, item_price="30.00"))
    code = order.items[0].amazon_order_item_code
    world.apply(
        Adjustment(
            amazon_order_id=order.amazon_order_id,
            items=(
                AdjustedItem(
                    amazon_order_item_code=code,
                    reason="NoInventory",
                    price_components=(AmountComponent("Principal", 1000, "USD"),),
                    quantity_cancelled=1,
                ),
            ),
        )
    )
    view = world.view(order.amazon_order_id)
    assert view.status == "Shipped"
    assert (view.items[0].quantity_cancelled, view.items[0].quantity_unshipped) == (1, 0)
    assert view.items[0].refunded == {"Principal": "10.00"}
    assert [(c.quantity, c.reason) for c in view.cancellations] == [(1, "NoInventory")]
    assert [(r.reason, r.state, r.total) for r in view.refunds] == [
        ("NoInventory", "applied", "10.00")
    ]


def test_refunds_accumulate_until_the_component_balance_is_spent(world: World) -> None:
    order = world.order(item_payload(quantity=1, quantity_shipped=1, item_price="20.00"))
    code = order.items[0].amazon_order_item_code
    command = Adjustment(
        amazon_order_id=order.amazon_order_id, items=(refund(code, Principal="15.00"),)
    )
    world.apply(command)
    assert rejection_code(world, command) == ResultCode.REFUND_EXCEEDS_BALANCE
    world.apply(
        Adjustment(amazon_order_id=order.amazon_order_id, items=(refund(code, Principal="5.00"),))
    )
    assert world.view(order.amazon_order_id).items[0].refunded == {"Principal": "20.00"}


@pytest.mark.parametrize(
    ("components", "expected"),
    [
        pytest.param(
            {"Principal": "-1.00"}, ResultCode.NEGATIVE_COMPONENT, id="negative-principal"
        ),
        pytest.param({"Tax": "-0.10"}, ResultCode.NEGATIVE_COMPONENT, id="negative-tax"),
        pytest.param({"RestockingFee": "2.00"}, ResultCode.NEGATIVE_COMPONENT, id="positive-fee"),
        pytest.param({"Principal": "0.00"}, ResultCode.NET_REFUND_NOT_POSITIVE, id="zero"),
        pytest.param(
            {"Principal": "1.00", "RestockingFee": "-2.00"},
            ResultCode.NET_REFUND_NOT_POSITIVE,
            id="fee-exceeds-refund",
        ),
        pytest.param({"Shipping": "5.01"}, ResultCode.REFUND_EXCEEDS_BALANCE, id="shipping-over"),
        pytest.param({"GiftWrap": "1.00"}, ResultCode.REFUND_EXCEEDS_BALANCE, id="never-charged"),
        pytest.param(
            {"Principal": "20.00", "Goodwill": "10.00"},
            ResultCode.REFUND_EXCEEDS_BALANCE,
            id="net-over-line-total",
        ),
    ],
)
def test_refund_rules(world: World, components: dict[str, str], expected: ResultCode) -> None:
    order = world.order(item_payload(quantity=1, quantity_shipped=1))
    code = order.items[0].amazon_order_item_code
    command = Adjustment(amazon_order_id=order.amazon_order_id, items=(refund(code, **components),))
    assert rejection_code(world, command) == expected
    assert world.view(order.amazon_order_id).refunds == []


def test_restocking_fee_reduces_the_refund(world: World) -> None:
    order = world.order(item_payload(quantity=1, quantity_shipped=1))
    code = order.items[0].amazon_order_item_code
    world.apply(
        Adjustment(
            amazon_order_id=order.amazon_order_id,
            items=(refund(code, Principal="20.00", RestockingFee="-3.00"),),
        )
    )
    assert world.view(order.amazon_order_id).refunds[0].total == "17.00"


def test_currency_other_than_the_orders_is_rejected(world: World) -> None:
    order = world.order(item_payload(quantity=1, quantity_shipped=1))
    code = order.items[0].amazon_order_item_code
    item = AdjustedItem(
        amazon_order_item_code=code,
        reason="CustomerReturn",
        price_components=(AmountComponent("Principal", 100, "EUR"),),
    )
    command = Adjustment(amazon_order_id=order.amazon_order_id, items=(item,))
    assert rejection_code(world, command) == ResultCode.CURRENCY_MISMATCH


def test_repeated_merchant_adjustment_id_is_a_duplicate(world: World) -> None:
    order = world.order(item_payload(quantity=1, quantity_shipped=1))
    code = order.items[0].amazon_order_item_code
    item = AdjustedItem(
        amazon_order_item_code=code,
        reason="CustomerReturn",
        merchant_adjustment_item_id="ADJ-1",
        price_components=(AmountComponent("Principal", 100, "USD"),),
    )
    command = Adjustment(amazon_order_id=order.amazon_order_id, items=(item,))
    world.apply(command)
    assert rejection_code(world, command) == ResultCode.DUPLICATE_ADJUSTMENT
    twice_in_one = Adjustment(
        amazon_order_id=order.amazon_order_id,
        items=(
            AdjustedItem(**{**_fields(item), "merchant_adjustment_item_id": "ADJ-2"}),
            AdjustedItem(**{**_fields(item), "merchant_adjustment_item_id": "ADJ-2"}),
        ),
    )
    assert rejection_code(world, twice_in_one) == ResultCode.DUPLICATE_ADJUSTMENT
    assert len(world.view(order.amazon_order_id).refunds) == 1


def test_refund_before_shipment_is_held_pending(world: World) -> None:
    order = world.order(item_payload(quantity=2))
    code = order.items[0].amazon_order_item_code
    notes = world.apply(
        Adjustment(amazon_order_id=order.amazon_order_id, items=(refund(code, Principal="5.00"),))
    )
    assert [n.code for n in notes] == [ResultCode.REFUND_PENDING_SHIPMENT]
    item = world.view(order.amazon_order_id).items[0]
    assert (item.refunded, item.pending_refunds) == ({}, {"Principal": "5.00"})


def test_every_cancellation_notifies_the_buyer(world: World) -> None:
    order = world.order(item_payload(quantity=2, sku="MUG-1"))
    world.apply(Acknowledgement(order.amazon_order_id, "Failure"))
    notes = world.admin.notifications(world.seller.seller_id)
    assert len(notes) == 1
    assert notes[0].recipient == "pat@example.com"
    assert notes[0].kind == "OrderCancelled"
    assert order.amazon_order_id in notes[0].subject
    assert "2 x MUG-1" in notes[0].body


def _fields(item: AdjustedItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__slots__}  # type: ignore[attr-defined]
