"""Order Fulfillment feeds: ship-confirmation, status changes and held refunds."""

from __future__ import annotations

from typing import Any

from lxml import etree

from tests.conftest import FEED_ADJUSTMENT, Admin, Mws
from tests.support import (
    ack,
    adjusted_item,
    adjustment,
    envelope,
    fulfilled_item,
    fulfillment,
    item_payload,
    order_payload,
)

FEED_FULFILLMENT = "_POST_ORDER_FULFILLMENT_DATA_"


def results(report: etree._Element) -> list[tuple[int, str, int]]:
    return [
        (
            int(r.findtext("MessageID") or ""),
            r.findtext("ResultCode") or "",
            int(r.findtext("ResultMessageCode") or ""),
        )
        for r in report.iterfind("Message/ProcessingReport/Result")
    ]


def ship(mws: Mws, *bodies: str) -> etree._Element:
    return mws.report(
        mws.submit_and_process(envelope("OrderFulfillment", *bodies), FEED_FULFILLMENT)
    )


def view(admin: Admin, order: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = admin.get(f"/admin/orders/{order['amazon_order_id']}")
    return result


def test_whole_order_ships_with_carrier_and_tracking(mws: Mws, admin: Admin) -> None:
    order = admin.order(
        order_payload(
            mws.seller["seller_id"], items=[item_payload(quantity=2), item_payload(quantity=1)]
        )
    )
    assert results(ship(mws, fulfillment(order["amazon_order_id"]))) == []
    shipped = view(admin, order)
    assert shipped["status"] == "Shipped"
    assert [i["quantity_shipped"] for i in shipped["items"]] == [2, 1]
    [shipment] = shipped["shipments"]
    assert (shipment["carrier_code"], shipment["shipping_method"], shipment["tracking_number"]) == (
        "UPS",
        "Ground",
        "1Z999",
    )
    assert shipment["fulfillment_date"].startswith("2026-11-03T10:00:00")
    assert [line["quantity"] for line in shipment["items"]] == [2, 1]


def test_partial_shipment_then_cancel_of_the_rest(mws: Mws, admin: Admin) -> None:
    order = admin.order(
        order_payload(
            mws.seller["seller_id"], items=[item_payload(quantity=3), item_payload(quantity=1)]
        )
    )
    first = order["items"][0]["amazon_order_item_code"]
    ship(
        mws,
        fulfillment(
            order["amazon_order_id"],
            fulfilled_item(first, 2),
            carrier="<CarrierName>Own Van</CarrierName>",
        ),
    )
    partial = view(admin, order)
    assert partial["status"] == "PartiallyShipped"
    assert partial["shipments"][0]["carrier_name"] == "Own Van"
    # Shipped units can no longer be cancelled; the rest can.
    mws.submit_and_process(
        envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
    )
    after = view(admin, order)
    assert [(i["quantity_shipped"], i["quantity_cancelled"]) for i in after["items"]] == [
        (2, 1),
        (0, 1),
    ]
    assert after["status"] == "Shipped"


def test_shipping_more_than_remains_is_rejected_with_18021(mws: Mws, admin: Admin) -> None:
    order = admin.order(order_payload(mws.seller["seller_id"], items=[item_payload(quantity=2)]))
    code = order["items"][0]["amazon_order_item_code"]
    report = ship(
        mws,
        fulfillment(order["amazon_order_id"], fulfilled_item(code, 3)),
        fulfillment(order["amazon_order_id"], fulfilled_item(code, 2)),
        fulfillment(order["amazon_order_id"]),
    )
    assert results(report) == [(1, "Error", 18021), (3, "Error", 18021)]
    assert view(admin, order)["status"] == "Shipped"


def test_cancelled_order_cannot_ship(mws: Mws, admin: Admin) -> None:
    order = admin.order(order_payload(mws.seller["seller_id"]))
    mws.submit_and_process(
        envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
    )
    assert results(ship(mws, fulfillment(order["amazon_order_id"]))) == [(1, "Error", 18021)]
    assert view(admin, order)["status"] == "Canceled"


def test_refund_before_shipment_is_applied_when_the_order_ships(mws: Mws, admin: Admin) -> None:
    order = admin.order(order_payload(mws.seller["seller_id"], items=[item_payload(quantity=2)]))
    code = order["items"][0]["amazon_order_item_code"]
    feed = envelope(
        "OrderAdjustment",
        adjustment(
            order["amazon_order_id"],
            adjusted_item(code, "GeneralAdjustment", components={"Principal": "2.00"}),
        ),
    )
    report = mws.report(mws.submit_and_process(feed, FEED_ADJUSTMENT))
    assert results(report) == [(1, "Warning", 91011)]
    assert view(admin, order)["refunds"][0]["state"] == "pending"
    assert view(admin, order)["items"][0]["pending_refunds"] == {"Principal": "2.00"}
    ship(mws, fulfillment(order["amazon_order_id"]))
    shipped = view(admin, order)
    assert shipped["refunds"][0]["state"] == "applied"
    assert (shipped["items"][0]["refunded"], shipped["items"][0]["pending_refunds"]) == (
        {"Principal": "2.00"},
        {},
    )


def test_the_partial_refund_workflow(mws: Mws, admin: Admin) -> None:
    """Ship and confirm what you can, then adjust the rest with QuantityCancelled."""
    order = admin.order(
        order_payload(
            mws.seller["seller_id"],
            items=[item_payload(quantity=3, item_price="30.00", item_tax="3.00")],
        )
    )
    code = order["items"][0]["amazon_order_item_code"]
    ship(mws, fulfillment(order["amazon_order_id"], fulfilled_item(code, 2)))
    feed = envelope(
        "OrderAdjustment",
        adjustment(
            order["amazon_order_id"],
            adjusted_item(
                code,
                "NoInventory",
                components={"Principal": "10.00", "Tax": "1.00"},
                quantity_cancelled=1,
            ),
        ),
    )
    assert results(mws.report(mws.submit_and_process(feed, FEED_ADJUSTMENT))) == []
    final = view(admin, order)
    assert final["status"] == "Shipped"
    item = final["items"][0]
    assert (item["quantity_shipped"], item["quantity_cancelled"], item["quantity_unshipped"]) == (
        2,
        1,
        0,
    )
    assert item["refunded"] == {"Principal": "10.00", "Tax": "1.00"}
    assert final["refunds"][0]["state"] == "applied"


def test_unreadable_date_is_a_message_error(mws: Mws, admin: Admin) -> None:
    order = admin.order(order_payload(mws.seller["seller_id"]))
    report = ship(mws, fulfillment(order["amazon_order_id"], date="-0001-01-01T00:00:00"))
    assert results(report) == [(1, "Error", 18028)]
    assert view(admin, order)["status"] == "Unshipped"
