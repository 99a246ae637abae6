"""The service clock, automatic cancellation, the cancellation rate and manual cancels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from feedsvc.orders.auto_cancel import AutoCancelRule, add_business_days
from tests.conftest import Admin, Mws
from tests.support import ack, ack_item, envelope, item_payload, order_payload

T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)  # a Monday


def drain(mws: Mws) -> None:
    while mws.app.state.worker.run_once():
        pass


def set_clock(admin: Admin, at: datetime, *, frozen: bool = True) -> dict[str, Any]:
    response = admin.client.put(
        "/admin/clock", json={"frozen": frozen, "at": at.isoformat()}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def advance(admin: Admin, **delta: float) -> dict[str, Any]:
    response = admin.client.post("/admin/clock/advance", json=delta, headers=admin.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


class TestClock:
    def test_freeze_set_advance_and_reset(self, admin: Admin) -> None:
        frozen = set_clock(admin, T0)
        assert (frozen["frozen"], frozen["now"]) == (True, "2026-11-02T12:00:00Z")
        moved = advance(admin, days=30, hours=1)
        assert moved["now"] == "2026-12-02T13:00:00Z"
        running = set_clock(admin, T0, frozen=False)
        assert running["frozen"] is False
        assert abs(datetime.fromisoformat(running["now"]) - T0) < timedelta(seconds=5)
        real = admin.client.delete("/admin/clock", headers=admin.headers).json()
        assert (real["frozen"], real["offset_seconds"]) == (False, 0.0)

    def test_business_timestamps_follow_the_clock(self, mws: Mws, admin: Admin) -> None:
        set_clock(admin, T0)
        order = admin.order(order_payload(mws.seller["seller_id"]))
        mws.submit_and_process(
            envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
        )
        view = admin.get(f"/admin/orders/{order['amazon_order_id']}")
        assert view["cancellations"][0]["created_at"] == "2026-11-02T12:00:00Z"
        listed = mws.call(
            "GetFeedSubmissionList",
            {
                "SubmittedFromDate": "2026-11-02T00:00:00Z",
                "SubmittedToDate": "2026-11-03T00:00:00Z",
            },
        )
        assert b"<SubmittedDate>2026-11-02T12:00:00+00:00</SubmittedDate>" in listed.content

    def test_advance_refuses_going_back(self, admin: Admin) -> None:
        response = admin.client.post(
            "/admin/clock/advance", json={"days": -1}, headers=admin.headers
        )
        assert response.status_code == 422


class TestAutoCancel:
    def overdue_world(
        self, mws: Mws, admin: Admin
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        seller_id = mws.seller["seller_id"]
        set_clock(admin, T0)
        ship_by = (T0 + timedelta(days=2)).isoformat()
        late = admin.order(
            order_payload(
                seller_id,
                latest_ship_date=ship_by,
                items=[item_payload(quantity=2, quantity_shipped=1)],
            )
        )
        shipped = admin.order(
            order_payload(
                seller_id,
                latest_ship_date=ship_by,
                items=[item_payload(quantity=1, quantity_shipped=1)],
            )
        )
        fresh = admin.order(
            order_payload(seller_id, latest_ship_date=(T0 + timedelta(days=40)).isoformat())
        )
        drain(mws)
        return late, shipped, fresh

    def test_units_unshipped_thirty_days_after_ship_by_are_cancelled(
        self, mws: Mws, admin: Admin
    ) -> None:
        late, shipped, fresh = self.overdue_world(mws, admin)
        advance(admin, days=33)  # ship-by is T0 + 2 days
        drain(mws)  # the clock change queued a sweep
        late_view = admin.get(f"/admin/orders/{late['amazon_order_id']}")
        assert late_view["status"] == "Shipped"  # one shipped, the other cancelled
        [cancellation] = late_view["cancellations"]
        assert (
            cancellation["source"],
            cancellation["buyer_requested"],
            cancellation["quantity"],
        ) == ("auto", False, 1)
        assert admin.get(f"/admin/orders/{shipped['amazon_order_id']}")["cancellations"] == []
        assert admin.get(f"/admin/orders/{fresh['amazon_order_id']}")["status"] == "Unshipped"
        notes = admin.get("/admin/notifications", seller_id=mws.seller["seller_id"])
        assert [n["amazon_order_id"] for n in notes] == [late["amazon_order_id"]]

    def test_not_before_the_deadline(self, mws: Mws, admin: Admin) -> None:
        late, _, _ = self.overdue_world(mws, admin)
        ship_by = T0 + timedelta(days=2)
        set_clock(admin, ship_by + timedelta(days=30) - timedelta(seconds=1))
        drain(mws)
        assert admin.get(f"/admin/orders/{late['amazon_order_id']}")["cancellations"] == []
        advance(admin, seconds=1)
        drain(mws)
        assert admin.get(f"/admin/orders/{late['amazon_order_id']}")["status"] == "Shipped"


def test_business_day_rule() -> None:
    friday = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)
    assert add_business_days(friday, 7) == datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    assert AutoCancelRule("7-business-days-after-ship-date") is AutoCancelRule.SEVEN_BUSINESS_DAYS


class TestCancellationRate:
    def rate(self, admin: Admin, seller: dict[str, Any], **params: str) -> dict[str, Any]:
        result: dict[str, Any] = admin.get(
            f"/admin/sellers/{seller['seller_id']}/cancellation-rate", **params
        )
        return result

    def test_seller_cancellations_count_and_buyer_ones_do_not(self, mws: Mws, admin: Admin) -> None:
        seller_id = mws.seller["seller_id"]
        placed = (T0 - timedelta(days=1)).isoformat()
        orders = [admin.order(order_payload(seller_id, purchase_date=placed)) for _ in range(40)]
        old = admin.order(
            order_payload(seller_id, purchase_date=(T0 - timedelta(days=20)).isoformat())
        )
        feed = envelope(
            "OrderAcknowledgement",
            ack(orders[0]["amazon_order_id"], "Failure"),  # no reason: the seller's doing
            ack(
                orders[1]["amazon_order_id"],
                "Failure",
                ack_item(orders[1]["items"][0]["amazon_order_item_code"], "NoInventory"),
            ),
            ack(
                orders[2]["amazon_order_id"],
                "Failure",
                ack_item(orders[2]["items"][0]["amazon_order_item_code"], "BuyerCanceled"),
            ),
            ack(old["amazon_order_id"], "Failure"),  # outside the window
        )
        mws.submit_and_process(feed)
        measured = self.rate(admin, mws.seller, end=T0.isoformat())
        assert (measured["orders"], measured["seller_cancelled_orders"]) == (40, 2)
        assert measured["rate"] == pytest.approx(0.05)
        assert (measured["target"], measured["above_target"]) == (0.025, True)
        assert measured["window_start"] == "2026-10-26T12:00:00Z"
        wider = self.rate(admin, mws.seller, end=T0.isoformat(), days="30")
        assert (wider["orders"], wider["seller_cancelled_orders"]) == (41, 3)

    def test_below_target_and_empty_window(self, mws: Mws, admin: Admin) -> None:
        seller_id = mws.seller["seller_id"]
        placed = (T0 - timedelta(days=1)).isoformat()
        orders = [admin.order(order_payload(seller_id, purchase_date=placed)) for _ in range(50)]
        mws.submit_and_process(
            envelope("OrderAcknowledgement", ack(orders[0]["amazon_order_id"], "Failure"))
        )
        measured = self.rate(admin, mws.seller, end=T0.isoformat())
        assert (measured["rate"], measured["above_target"]) == (0.02, False)
        empty = self.rate(admin, mws.seller, end=(T0 - timedelta(days=60)).isoformat())
        assert (empty["orders"], empty["rate"], empty["above_target"]) == (0, 0.0, False)

    def test_automatic_cancellations_count_against_the_seller(self, mws: Mws, admin: Admin) -> None:
        set_clock(admin, T0)
        order = admin.order(
            order_payload(
                mws.seller["seller_id"],
                purchase_date=T0.isoformat(),
                latest_ship_date=T0.isoformat(),
            )
        )
        advance(admin, days=31)
        drain(mws)
        assert admin.get(f"/admin/orders/{order['amazon_order_id']}")["status"] == "Canceled"
        measured = self.rate(admin, mws.seller, end=(T0 + timedelta(days=1)).isoformat())
        assert (measured["orders"], measured["seller_cancelled_orders"]) == (1, 1)


class TestManualCancellation:
    def cancel(self, admin: Admin, order_id: str, body: dict[str, Any]) -> Any:
        return admin.client.post(
            f"/admin/orders/{order_id}/cancellations", json=body, headers=admin.headers
        )

    def test_chosen_items_with_quantities_reason_and_memo(self, mws: Mws, admin: Admin) -> None:
        order = admin.order(
            order_payload(
                mws.seller["seller_id"], items=[item_payload(quantity=3), item_payload(quantity=1)]
            )
        )
        code = order["items"][0]["amazon_order_item_code"]
        response = self.cancel(
            admin,
            order["amazon_order_id"],
            {
                "reason": "NoInventory",
                "memo": "warehouse flood",
                "items": [{"amazon_order_item_code": code, "quantity": 2}],
            },
        )
        assert response.status_code == 201, response.text
        view = response.json()
        assert [i["quantity_cancelled"] for i in view["items"]] == [2, 0]
        [cancellation] = view["cancellations"]
        assert (cancellation["source"], cancellation["reason"], cancellation["memo"]) == (
            "admin",
            "NoInventory",
            "warehouse flood",
        )
        notes = admin.get("/admin/notifications", seller_id=mws.seller["seller_id"])
        assert [n["kind"] for n in notes] == ["ItemsCancelled"]

    def test_whole_order_and_the_same_checks_as_a_feed(self, mws: Mws, admin: Admin) -> None:
        order = admin.order(
            order_payload(
                mws.seller["seller_id"], items=[item_payload(quantity=2, quantity_shipped=2)]
            )
        )
        refused = self.cancel(admin, order["amazon_order_id"], {"reason": "NoInventory"})
        assert refused.status_code == 409
        assert refused.json()["result_code"] == 91002
        assert "shipped" in refused.json()["detail"]
        fresh = admin.order(order_payload(mws.seller["seller_id"]))
        done = self.cancel(admin, fresh["amazon_order_id"], {"reason": "BuyerCanceled"})
        assert done.json()["status"] == "Canceled"
        assert done.json()["cancellations"][0]["buyer_requested"] is True
        again = self.cancel(admin, fresh["amazon_order_id"], {"reason": "BuyerCanceled"})
        assert again.json()["result_code"] == 91003

    @pytest.mark.parametrize(
        "body",
        [
            pytest.param({"reason": "Because"}, id="unknown-reason"),
            pytest.param(
                {
                    "reason": "NoInventory",
                    "items": [{"amazon_order_item_code": "1", "quantity": 1}],
                },
                id="bad-code",
            ),
            pytest.param(
                {
                    "reason": "NoInventory",
                    "items": [{"amazon_order_item_code": "11111111111111", "quantity": 0}],
                },
                id="zero",
            ),
        ],
    )
    def test_invalid_requests(self, mws: Mws, admin: Admin, body: dict[str, Any]) -> None:
        order = admin.order(order_payload(mws.seller["seller_id"]))
        assert self.cancel(admin, order["amazon_order_id"], body).status_code == 422
        assert (
            self.cancel(admin, "999-9999999-9999999", {"reason": "NoInventory"}).status_code == 404
        )
