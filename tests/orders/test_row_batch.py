"""RowBatch: feeds applied on plain rows, as the ORM would apply them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from feedsvc.orders.commands import (
    AcknowledgedItem,
    Acknowledgement,
    AdjustedItem,
    Adjustment,
    AmountComponent,
    FulfilledItem,
    Fulfillment,
)
from feedsvc.orders.models import BuyerNotification, Cancellation, Order
from feedsvc.orders.outcomes import Rejection
from feedsvc.orders.row_batch import RowBatch
from feedsvc.reports.results import ResultCode
from tests.orders.conftest import NOW, World
from tests.support import item_payload


def _cancel(amazon_order_id: str, code: str, quantity: int | None) -> Acknowledgement:
    item = AcknowledgedItem(code, cancel_reason="NoInventory", quantity=quantity)
    return Acknowledgement(amazon_order_id, "Failure", items=(item,))


def test_which_commands_go_on_rows() -> None:
    assert RowBatch.takes(Acknowledgement("111-1111111-1111111", "Failure"))
    assert RowBatch.takes(Acknowledgement("111-1111111-1111111", "Success"))
    assert RowBatch.takes(Acknowledgement("111-1111111-1111111", "Success", "MO-1"))
    with_item_id = AcknowledgedItem("12345678901234", merchant_order_item_id="MI-1")
    assert RowBatch.takes(Acknowledgement("111-1111111-1111111", "Success", items=(with_item_id,)))
    assert RowBatch.takes(Adjustment(items=(), amazon_order_id="111-1111111-1111111"))
    cancels = AdjustedItem("NoInventory", "12345678901234", quantity_cancelled=1)
    assert RowBatch.takes(Adjustment(items=(cancels,), amazon_order_id="111-1111111-1111111"))
    assert not RowBatch.takes(Adjustment(items=(), merchant_order_id="MO-1"))
    assert RowBatch.takes(Fulfillment(NOW, amazon_order_id="111-1111111-1111111"))
    assert not RowBatch.takes(Fulfillment(NOW, merchant_order_id="MO-1"))


def test_cancelling_on_rows_writes_lines_orders_and_history(world: World) -> None:
    seller_pk = world.seller_pk
    whole = world.order(item_payload(quantity=2), item_payload(quantity=1))
    part = world.order(item_payload(quantity=3))
    commands = [
        Acknowledgement(whole.amazon_order_id, "Failure", cancel_reason="NoInventory"),
        _cancel(part.amazon_order_id, part.items[0].amazon_order_item_code, 1),
    ]
    batch = RowBatch(world.db, seller_pk, commands)
    for command in commands:
        world.service.acknowledge_rows(command, batch, now=NOW)
    batch.write()

    assert world.view(whole.amazon_order_id).status == "Canceled"
    assert [i.quantity_cancelled for i in world.view(whole.amazon_order_id).items] == [2, 1]
    assert world.view(part.amazon_order_id).status == "Unshipped"
    assert world.view(part.amazon_order_id).items[0].quantity_cancelled == 1
    cancellations = world.db.execute(
        select(Cancellation.quantity, Cancellation.reason, Cancellation.source)
        .join(Order, Order.id == Cancellation.order_id)
        .where(Order.seller_pk == seller_pk)
        .order_by(Cancellation.id)
    ).all()
    assert [tuple(c) for c in cancellations] == [
        (2, "NoInventory", "feed"),
        (1, "NoInventory", "feed"),
        (1, "NoInventory", "feed"),
    ]
    kinds = world.db.scalars(
        select(BuyerNotification.kind)
        .where(BuyerNotification.seller_pk == seller_pk)
        .order_by(BuyerNotification.id)
    ).all()
    assert list(kinds) == ["OrderCancelled", "ItemsCancelled"]


def test_the_runs_own_cancellations_count_before_it_writes(world: World) -> None:
    """Two messages of one run on one line: the second sees what the first cancelled."""
    view = world.order(item_payload(quantity=3))
    code = view.items[0].amazon_order_item_code
    commands = [_cancel(view.amazon_order_id, code, 2), _cancel(view.amazon_order_id, code, 2)]
    batch = RowBatch(world.db, world.seller_pk, commands)
    world.service.acknowledge_rows(commands[0], batch, now=NOW)
    with pytest.raises(Rejection) as rejected:
        world.service.acknowledge_rows(commands[1], batch, now=NOW)
    assert rejected.value.code == ResultCode.QUANTITY_EXCEEDS_REMAINING
    assert "only 1 are unshipped (3 ordered, 0 shipped, 2 cancelled)" in rejected.value.description


def test_objects_the_session_holds_do_not_keep_old_counts(world: World) -> None:
    """An order the session already holds as an object (a message applied alone, through
    the ORM, earlier in the batch) answers with what the rows wrote, not what it loaded."""
    view = world.order(item_payload(quantity=2))
    held = world.repository.for_seller(world.seller_pk, amazon_order_id=view.amazon_order_id)
    assert held is not None and held.items[0].quantity_cancelled == 0
    command = Acknowledgement(view.amazon_order_id, "Failure")
    batch = RowBatch(world.db, world.seller_pk, [command])
    world.service.acknowledge_rows(command, batch, now=NOW)
    batch.write()

    assert held.status == "Canceled"
    assert held.items[0].quantity_cancelled == 2
    with pytest.raises(Rejection) as rejected:  # the ORM path, on the object it holds
        world.apply(command)
    assert rejected.value.code == ResultCode.UNITS_ALREADY_CANCELLED


def test_shipping_on_rows_releases_pending_refunds_of_the_run_and_before(world: World) -> None:
    """A refund held pending before the run and one recorded pending in the run itself
    are both applied when the run ships the order; the shipment and its lines are
    written and the line's counts and the order's status follow."""
    view = world.order(item_payload(quantity=2))
    code = view.items[0].amazon_order_item_code
    earlier = Adjustment(
        items=(AdjustedItem("CustomerReturn", code, price_components=(_principal("1.00"),)),),
        amazon_order_id=view.amazon_order_id,
    )
    world.apply(earlier)  # through the ORM: pending, the order has not shipped
    refund = Adjustment(
        items=(AdjustedItem("CustomerReturn", code, price_components=(_principal("2.00"),)),),
        amazon_order_id=view.amazon_order_id,
    )
    ship = Fulfillment(
        NOW,
        amazon_order_id=view.amazon_order_id,
        carrier_code="UPS",
        items=(FulfilledItem(code, quantity=1),),
    )
    batch = RowBatch(world.db, world.seller_pk, [refund, ship])
    world.service.adjust_rows(refund, batch, now=NOW)
    world.service.fulfill_rows(ship, batch, now=NOW)
    batch.write()

    after = world.view(view.amazon_order_id)
    assert [r.state for r in after.refunds] == ["applied", "applied"]
    assert after.status == "PartiallyShipped"
    assert after.items[0].quantity_shipped == 1
    (shipment,) = after.shipments
    assert shipment.carrier_code == "UPS"
    assert [(line.amazon_order_item_code, line.quantity) for line in shipment.items] == [(code, 1)]


def _principal(amount: str) -> AmountComponent:
    return AmountComponent("Principal", int(amount.replace(".", "")), "USD")


def test_an_adjustment_refunds_and_cancels_units_on_rows(world: World) -> None:
    view = world.order(item_payload(quantity=3))
    code = view.items[0].amazon_order_item_code
    adjustment = Adjustment(
        items=(
            AdjustedItem(
                "NoInventory", code, price_components=(_principal("1.00"),), quantity_cancelled=2
            ),
        ),
        amazon_order_id=view.amazon_order_id,
    )
    batch = RowBatch(world.db, world.seller_pk, [adjustment])
    notes = world.service.adjust_rows(adjustment, batch, now=NOW)
    batch.write()

    assert [note.code for note in notes] == [ResultCode.REFUND_PENDING_SHIPMENT]
    after = world.view(view.amazon_order_id)
    assert after.items[0].quantity_cancelled == 2
    assert after.status == "Unshipped"
    assert [r.state for r in after.refunds] == ["pending"]
    kinds = world.db.scalars(
        select(BuyerNotification.kind).where(BuyerNotification.seller_pk == world.seller_pk)
    ).all()
    assert list(kinds) == ["ItemsCancelled"]


def test_merchant_ids_on_rows_follow_the_runs_own_assignments(world: World) -> None:
    """Owners loaded from the database (an order outside the run) and owners the run
    itself made answer the conflict check; what the run assigns is written back."""
    first, second = world.order(item_payload()), world.order(item_payload())
    outside = world.order(item_payload(), merchant_order_id="MO-9")
    a, b = first.amazon_order_id, second.amazon_order_id
    code = first.items[0].amazon_order_item_code
    named_item = AcknowledgedItem(code, merchant_order_item_id="MI-1")
    commands = [
        Acknowledgement(a, "Success", "MO-1", items=(named_item,)),
        Acknowledgement(b, "Success", "MO-1"),
        Acknowledgement(a, "Success", "MO-9"),
        Acknowledgement(a, "Success", "MO-2"),
        Acknowledgement(b, "Success", "MO-1"),
    ]
    batch = RowBatch(world.db, world.seller_pk, commands)
    outcomes = []
    for command in commands:
        try:
            world.service.acknowledge_rows(command, batch, now=NOW)
            outcomes.append("ok")
        except Rejection as rejection:
            outcomes.append(rejection.description)
    batch.write()

    assert outcomes == [
        "ok",
        f"MerchantOrderID 'MO-1' already identifies order {a}.",
        f"MerchantOrderID 'MO-9' already identifies order {outside.amazon_order_id}.",
        "ok",
        "ok",
    ]
    assert world.view(a).merchant_order_id == "MO-2"
    assert world.view(b).merchant_order_id == "MO-1"
    assert world.view(a).items[0].merchant_order_item_id == "MI-1"


def test_a_merchant_order_id_can_move_to_an_earlier_order_in_one_run(world: World) -> None:
    """The later order gives MO-1 up and the earlier one takes it: written in id order,
    the earlier order's update would meet the later one still holding it."""
    first = world.order(item_payload())
    second = world.order(item_payload(), merchant_order_id="MO-1")
    commands = [
        Acknowledgement(second.amazon_order_id, "Success", "MO-2"),
        Acknowledgement(first.amazon_order_id, "Success", "MO-1"),
    ]
    batch = RowBatch(world.db, world.seller_pk, commands)
    for command in commands:
        world.service.acknowledge_rows(command, batch, now=NOW)
    batch.write()

    assert world.view(first.amazon_order_id).merchant_order_id == "MO-1"
    assert world.view(second.amazon_order_id).merchant_order_id == "MO-2"


def test_a_merchant_item_id_can_move_to_an_earlier_line_in_one_run(world: World) -> None:
    view = world.order(item_payload(), item_payload(merchant_order_item_id="MI-1"))
    first, second = (item.amazon_order_item_code for item in view.items)
    commands = [
        Acknowledgement(
            view.amazon_order_id,
            "Success",
            items=(AcknowledgedItem(second, merchant_order_item_id="MI-2"),),
        ),
        Acknowledgement(
            view.amazon_order_id,
            "Success",
            items=(AcknowledgedItem(first, merchant_order_item_id="MI-1"),),
        ),
    ]
    batch = RowBatch(world.db, world.seller_pk, commands)
    for command in commands:
        world.service.acknowledge_rows(command, batch, now=NOW)
    batch.write()

    items = world.view(view.amazon_order_id).items
    assert [item.merchant_order_item_id for item in items] == ["MI-1", "MI-2"]


def test_an_id_an_order_gives_up_is_free_even_if_the_run_did_not_name_it(world: World) -> None:
    """The batch knows the ids its commands name; one an order gives up is free at once,
    though no command of the run named it (the database still says otherwise)."""
    view = world.order(item_payload(), merchant_order_id="MO-7")
    command = Acknowledgement(view.amazon_order_id, "Success", "MO-8")
    batch = RowBatch(world.db, world.seller_pk, [command])
    assert batch.merchant_order_id_owner(world.seller_pk, "MO-7") is not None  # by query
    world.service.acknowledge_rows(command, batch, now=NOW)
    assert batch.merchant_order_id_owner(world.seller_pk, "MO-7") is None
    owner = batch.merchant_order_id_owner(world.seller_pk, "MO-8")
    assert owner is not None and owner.amazon_order_id == view.amazon_order_id


def test_adjustment_ids_outside_the_run_are_looked_up_per_seller(world: World) -> None:
    """The batch loads the adjustment ids its commands name; any other id is looked up,
    for the seller asked about."""
    view = world.order(item_payload(quantity=2))
    code = view.items[0].amazon_order_item_code

    def refund(adjustment_id: str) -> Adjustment:
        item = AdjustedItem(
            "CustomerReturn",
            code,
            merchant_adjustment_item_id=adjustment_id,
            price_components=(_principal("1.00"),),
        )
        return Adjustment(items=(item,), amazon_order_id=view.amazon_order_id)

    earlier = RowBatch(world.db, world.seller_pk, [refund("ADJ-OLD")])
    world.service.adjust_rows(refund("ADJ-OLD"), earlier, now=NOW)
    earlier.write()

    batch = RowBatch(world.db, world.seller_pk, [refund("ADJ-RUN")])
    assert batch.adjustment_id_used(world.seller_pk, "ADJ-OLD")  # by query
    assert not batch.adjustment_id_used(world.seller_pk, "ADJ-NEW")
    assert not batch.adjustment_id_used(world.seller_pk + 1, "ADJ-OLD")  # another seller's
    assert not batch.adjustment_id_used(world.seller_pk, "ADJ-RUN")
    world.service.adjust_rows(refund("ADJ-RUN"), batch, now=NOW)
    assert batch.adjustment_id_used(world.seller_pk, "ADJ-RUN")  # recorded, not yet written
