"""PreloadedOrderRepository answers as the plain repository would, as the batch changes."""

from __future__ import annotations

from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection

from feedsvc.orders.commands import (
    Acknowledgement,
    AdjustedItem,
    Adjustment,
    AmountComponent,
    Fulfillment,
)
from feedsvc.orders.models import (
    BuyerNotification,
    Cancellation,
    Refund,
    RefundComponent,
    Shipment,
    ShipmentLine,
)
from feedsvc.orders.preload import PreloadedOrderRepository
from feedsvc.orders.repository import OrderRepository
from feedsvc.orders.types import (
    NewCancellation,
    NewNotification,
    NewRefund,
    NewShipment,
    RefundState,
)
from tests.orders.conftest import NOW, World
from tests.support import item_payload


def _refund(order_id: int, item_id: int, seller_pk: int, *, state: str, key: str) -> NewRefund:
    return NewRefund(
        seller_pk=seller_pk,
        order_id=order_id,
        item_id=item_id,
        reason="CustomerReturn",
        merchant_adjustment_item_id=key,
        state=state,
        feed_submission_id=None,
        created_at=NOW,
        components=(("Principal", 500),),
    )


def _adjustment(order_id: str, code: str, key: str) -> Adjustment:
    return Adjustment(
        amazon_order_id=order_id,
        items=(
            AdjustedItem(
                reason="CustomerReturn",
                amazon_order_item_code=code,
                merchant_adjustment_item_id=key,
                price_components=(AmountComponent("Principal", 500, "USD"),),
            ),
        ),
    )


def _statements(world: World) -> list[str]:
    """Every statement the session sends from now on."""
    sent: list[str] = []

    def record(_conn: Connection, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(world.db.get_bind(), "before_cursor_execute", record)
    return sent


def test_lookups_come_from_the_preload_without_queries(world: World) -> None:
    seller_pk = world.seller_pk
    shipped = world.order(item_payload(quantity=2, quantity_shipped=2))
    other = world.order(item_payload(), merchant_order_id="MO-OTHER")
    code = shipped.items[0].amazon_order_item_code
    commands = [
        _adjustment(shipped.amazon_order_id, code, "K-1"),
        Adjustment(merchant_order_id="MO-OTHER", items=()),
        _adjustment("999-0000000-0000000", code, "K-2"),
    ]
    plain = OrderRepository(world.db)
    order = plain.for_seller(seller_pk, amazon_order_id=shipped.amazon_order_id)
    assert order is not None
    plain.add_refund(_refund(order.id, order.items[0].id, seller_pk, state="Applied", key="K-1"))
    plain.flush()

    preloaded = PreloadedOrderRepository.for_commands(world.db, seller_pk, commands)
    sent = _statements(world)
    found = preloaded.for_seller(seller_pk, amazon_order_id=shipped.amazon_order_id)
    assert found is order
    assert preloaded.for_seller(seller_pk, merchant_order_id="MO-OTHER") is not None
    assert preloaded.for_seller(seller_pk, amazon_order_id="999-0000000-0000000") is None
    assert preloaded.refunded_by_component(order.items[0].id) == {"Principal": 500}
    assert preloaded.adjustment_id_used(seller_pk, "K-1")
    assert not preloaded.adjustment_id_used(seller_pk, "K-2")
    assert sent == []
    # A key the batch did not name is still answered, by a query.
    assert preloaded.for_seller(seller_pk, amazon_order_id=other.amazon_order_id) is not None
    assert len(sent) >= 1


def test_refunds_added_by_the_batch_count_at_once(world: World) -> None:
    seller_pk = world.seller_pk
    view = world.order(item_payload(quantity=2))  # unshipped: refunds are held pending
    code = view.items[0].amazon_order_item_code
    plain = OrderRepository(world.db)
    order = plain.for_seller(seller_pk, amazon_order_id=view.amazon_order_id)
    assert order is not None
    item_id = order.items[0].id
    plain.add_refund(_refund(order.id, item_id, seller_pk, state=RefundState.PENDING, key="K-0"))
    plain.flush()
    (earlier,) = plain.pending_refunds(order.id)

    preloaded = PreloadedOrderRepository.for_commands(
        world.db, seller_pk, [_adjustment(view.amazon_order_id, code, "K-3")]
    )
    assert preloaded.pending_refunds(order.id) == [earlier]  # loaded on first use
    preloaded.add_refund(
        _refund(order.id, item_id, seller_pk, state=RefundState.PENDING, key="K-3")
    )
    assert preloaded.refunded_by_component(item_id) == {"Principal": 1000}
    assert preloaded.adjustment_id_used(seller_pk, "K-3")
    pending = preloaded.pending_refunds(order.id)
    assert [r.merchant_adjustment_item_id for r in pending] == ["K-0", "K-3"]
    assert pending[1].net_amount == 500
    earlier.state = RefundState.APPLIED
    assert [r.merchant_adjustment_item_id for r in preloaded.pending_refunds(order.id)] == ["K-3"]


def test_applied_refunds_are_staged_then_written_as_rows(world: World) -> None:
    seller_pk = world.seller_pk
    view = world.order(item_payload(quantity=2, quantity_shipped=2))
    code = view.items[0].amazon_order_item_code
    preloaded = PreloadedOrderRepository.for_commands(
        world.db,
        seller_pk,
        [
            _adjustment(view.amazon_order_id, code, "K-5"),
            _adjustment(view.amazon_order_id, code, "K-6"),
        ],
    )
    order = preloaded.for_seller(seller_pk, amazon_order_id=view.amazon_order_id)
    assert order is not None
    item_id = order.items[0].id
    sent = _statements(world)
    for key in ("K-5", "K-6"):
        preloaded.add_refund(
            _refund(order.id, item_id, seller_pk, state=RefundState.APPLIED, key=key)
        )
    assert sent == []  # staged: nothing written yet, and no object in the session
    assert not world.db.new
    assert preloaded.refunded_by_component(item_id) == {"Principal": 1000}
    assert preloaded.adjustment_id_used(seller_pk, "K-6")

    preloaded.write_staged()
    rows = world.db.execute(
        select(Refund.id, Refund.merchant_adjustment_item_id, Refund.state, Refund.item_id)
        .where(Refund.order_id == order.id)
        .order_by(Refund.id)
    ).all()
    assert [(key, state, item) for _, key, state, item in rows] == [
        ("K-5", RefundState.APPLIED, item_id),
        ("K-6", RefundState.APPLIED, item_id),
    ]
    components = world.db.execute(
        select(RefundComponent.refund_id, RefundComponent.component, RefundComponent.amount)
        .where(RefundComponent.refund_id.in_([row.id for row in rows]))
        .order_by(RefundComponent.refund_id)
    ).all()
    assert [tuple(c) for c in components] == [
        (rows[0].id, "Principal", 500),
        (rows[1].id, "Principal", 500),
    ]
    preloaded.write_staged()  # written once: staging was emptied
    count = world.db.scalar(
        select(func.count()).select_from(Refund).where(Refund.order_id == order.id)
    )
    assert count == 2


def test_cancellations_and_notifications_are_staged_then_written_in_order(world: World) -> None:
    seller_pk = world.seller_pk
    views = [world.order(item_payload(quantity=2)) for _ in range(2)]
    commands = [Acknowledgement(view.amazon_order_id, "Failure") for view in views]
    preloaded = PreloadedOrderRepository.for_commands(world.db, seller_pk, commands)
    orders = [
        preloaded.for_seller(seller_pk, amazon_order_id=view.amazon_order_id) for view in views
    ]
    sent = _statements(world)
    for order in reversed(orders):  # staged in the order they come, not by order id
        assert order is not None
        preloaded.add_cancellation(
            NewCancellation(
                order_id=order.id,
                item_id=order.items[0].id,
                quantity=2,
                reason="NoInventory",
                source="feed",
                buyer_requested=False,
                feed_submission_id=None,
                memo=None,
                created_at=NOW,
            )
        )
        preloaded.add_notification(
            NewNotification(
                seller_pk=seller_pk,
                order_id=order.id,
                kind="OrderCancelled",
                recipient="buyer@example.com",
                subject=f"Order {order.amazon_order_id}",
                body="cancelled",
                created_at=NOW,
            )
        )
    assert sent == []
    assert not world.db.new

    preloaded.write_staged()
    order_ids = [order.id for order in reversed(orders) if order is not None]
    cancelled = world.db.execute(
        select(Cancellation.order_id, Cancellation.quantity, Cancellation.reason)
        .where(Cancellation.order_id.in_(order_ids))
        .order_by(Cancellation.id)
    ).all()
    assert [tuple(row) for row in cancelled] == [(i, 2, "NoInventory") for i in order_ids]
    notified = world.db.scalars(
        select(BuyerNotification.order_id)
        .where(BuyerNotification.order_id.in_(order_ids))
        .order_by(BuyerNotification.id)
    ).all()
    assert list(notified) == order_ids
    preloaded.write_staged()  # nothing is written twice
    count = world.db.scalar(
        select(func.count()).select_from(Cancellation).where(Cancellation.order_id.in_(order_ids))
    )
    assert count == 2


def test_shipments_are_staged_then_written_with_their_lines(world: World) -> None:
    seller_pk = world.seller_pk
    view = world.order(item_payload(quantity=3))
    commands = [Fulfillment(amazon_order_id=view.amazon_order_id, fulfillment_date=NOW)]
    preloaded = PreloadedOrderRepository.for_commands(world.db, seller_pk, commands)
    order = preloaded.for_seller(seller_pk, amazon_order_id=view.amazon_order_id)
    assert order is not None
    item_id = order.items[0].id
    sent = _statements(world)
    for tracking, quantity in (("TRACK-1", 1), ("TRACK-2", 2)):
        preloaded.add_shipment(
            NewShipment(
                order_id=order.id,
                fulfillment_date=NOW,
                merchant_fulfillment_id=None,
                carrier_code="UPS",
                carrier_name=None,
                shipping_method=None,
                tracking_number=tracking,
                feed_submission_id=None,
                created_at=NOW,
                lines=((item_id, quantity),),
            )
        )
    assert sent == []
    assert not world.db.new

    preloaded.write_staged()
    preloaded.write_staged()  # nothing is written twice
    rows = world.db.execute(
        select(Shipment.tracking_number, ShipmentLine.item_id, ShipmentLine.quantity)
        .join(ShipmentLine, ShipmentLine.shipment_id == Shipment.id)
        .where(Shipment.order_id == order.id)
        .order_by(Shipment.id)
    ).all()
    assert [tuple(row) for row in rows] == [("TRACK-1", item_id, 1), ("TRACK-2", item_id, 2)]


def test_merchant_order_ids_follow_assignments(world: World) -> None:
    seller_pk = world.seller_pk
    first = world.order(item_payload(), merchant_order_id="MO-1")
    second = world.order(item_payload())
    commands = [
        Acknowledgement(first.amazon_order_id, "Success", merchant_order_id="MO-2"),
        Acknowledgement(second.amazon_order_id, "Success", merchant_order_id="MO-1"),
    ]
    preloaded = PreloadedOrderRepository.for_commands(world.db, seller_pk, commands)
    order = preloaded.for_seller(seller_pk, amazon_order_id=first.amazon_order_id)
    assert order is not None
    assert preloaded.merchant_order_id_owner(seller_pk, "MO-1") is order
    assert preloaded.merchant_order_id_owner(seller_pk, "MO-2") is None

    preloaded.assign_merchant_order_id(order, "MO-2")
    assert preloaded.merchant_order_id_owner(seller_pk, "MO-1") is None
    assert preloaded.merchant_order_id_owner(seller_pk, "MO-2") is order
