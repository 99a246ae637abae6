"""The seller's cancellation story end to end: the real server, the PyPI mws client."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.e2e.test_mws_client import ADJUSTMENT, Seller, counters, results
from tests.support import (
    adjusted_item,
    adjustment,
    envelope,
    fulfilled_item,
    fulfillment,
    item_payload,
    order_payload,
)

pytestmark = pytest.mark.e2e

FULFILLMENT = "_POST_ORDER_FULFILLMENT_DATA_"
FLAT_CANCELLATION = "_POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA_"


@pytest.fixture
def seller(server: Server) -> Seller:
    return Seller(server)


@pytest.fixture
def frozen_clock(server: Server) -> Iterator[datetime]:
    at = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    response = server.admin.put("/admin/clock", json={"frozen": True, "at": at.isoformat()})
    assert response.status_code == 200, response.text
    yield at
    server.admin.delete("/admin/clock")


def wait_for(check: Any, what: str) -> None:
    deadline = time.monotonic() + 20
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_ship_what_you_can_then_refund_the_rest(seller: Seller) -> None:
    order = seller.order(item_payload(quantity=3, item_price="30.00", item_tax="3.00"))
    code = order["items"][0]["amazon_order_item_code"]
    shipped = seller.submit_and_wait(
        envelope(
            "OrderFulfillment", fulfillment(order["amazon_order_id"], fulfilled_item(code, 2))
        ),
        FULFILLMENT,
    )
    assert results(seller.report(shipped)) == []
    assert seller.view(order)["status"] == "PartiallyShipped"
    refund = envelope(
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
    report = seller.report(seller.submit_and_wait(refund, ADJUSTMENT))
    assert counters(report)["MessagesSuccessful"] == 1
    final = seller.view(order)
    assert final["status"] == "Shipped"
    assert final["items"][0]["refunded"] == {"Principal": "10.00", "Tax": "1.00"}
    assert [(s["carrier_code"], s["tracking_number"]) for s in final["shipments"]] == [
        ("UPS", "1Z999")
    ]


def test_order_cancellation_flat_file(seller: Seller) -> None:
    order = seller.order()
    body = (
        "order-id\tcancellation-reason-code\tamazon-order-item-code\r\n"
        f"{order['amazon_order_id']}\tNoInventory\t\r\n"
        "999-0000000-0000000\tNoInventory\t\r\n"
    ).encode("latin-1")
    submitted = seller.feeds.submit_feed(
        body, FLAT_CANCELLATION, content_type="text/tab-separated-values; charset=iso-8859-1"
    )
    submission_id = str(submitted.parsed.FeedSubmissionInfo.FeedSubmissionId)
    wait_for(
        lambda: (
            str(
                seller.feeds.get_feed_submission_list(
                    feedids=[submission_id]
                ).parsed.FeedSubmissionInfo.FeedProcessingStatus
            )
            == "_DONE_"
        ),
        "the flat file",
    )
    # The mws client checks the Content-MD5 of non-XML results itself.
    report = seller.feeds.get_feed_submission_result(submission_id).parsed.decode("latin-1")
    assert "\tNumber of records processed\t\t2" in report
    assert "\tNumber of records successful\t\t1" in report
    assert "2\t999-0000000-0000000\t\t18028\tError\t" in report
    assert seller.view(order)["status"] == "Canceled"


def test_thirty_days_pass_in_a_second(seller: Seller, frozen_clock: datetime) -> None:
    order = seller.server.order(
        order_payload(
            seller.seller_id,
            purchase_date=frozen_clock.isoformat(),
            latest_ship_date=frozen_clock.isoformat(),
        )
    )
    response = seller.server.admin.post("/admin/clock/advance", json={"days": 31})
    assert response.status_code == 200
    wait_for(lambda: seller.view(order)["status"] == "Canceled", "the automatic cancellation")
    [cancellation] = seller.view(order)["cancellations"]
    assert (cancellation["source"], cancellation["buyer_requested"]) == ("auto", False)
    notes = seller.server.get("/admin/notifications", seller_id=seller.seller_id)
    assert [n["amazon_order_id"] for n in notes] == [order["amazon_order_id"]]
    rate = seller.server.get(
        f"/admin/sellers/{seller.seller_id}/cancellation-rate",
        end=(frozen_clock + timedelta(days=1)).isoformat(),
    )
    assert (rate["orders"], rate["seller_cancelled_orders"], rate["above_target"]) == (1, 1, True)


def test_manual_cancellation_and_the_rate(seller: Seller) -> None:
    orders = [seller.order() for _ in range(3)]
    admin = seller.server.admin
    first = admin.post(
        f"/admin/orders/{orders[0]['amazon_order_id']}/cancellations",
        json={"reason": "NoInventory", "memo": "out of stock"},
    )
    assert first.status_code == 201, first.text
    second = admin.post(
        f"/admin/orders/{orders[1]['amazon_order_id']}/cancellations",
        json={"reason": "BuyerCanceled"},
    )
    assert second.status_code == 201
    again = admin.post(
        f"/admin/orders/{orders[0]['amazon_order_id']}/cancellations",
        json={"reason": "NoInventory"},
    )
    assert (again.status_code, again.json()["result_code"]) == (409, 91003)
    rate = seller.server.get(
        f"/admin/sellers/{seller.seller_id}/cancellation-rate", end="2026-11-02T00:00:00Z"
    )
    assert (rate["orders"], rate["seller_cancelled_orders"]) == (3, 1)
    assert rate["rate"] == pytest.approx(1 / 3)
    notes = seller.server.get("/admin/notifications", seller_id=seller.seller_id)
    assert len(notes) == 2
