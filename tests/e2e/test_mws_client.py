"""The PyPI ``mws`` client, unchanged, against a real feedsvc server process."""

from __future__ import annotations

import json
import time
from typing import Any

import mws
import pytest

from tests.e2e.conftest import Server
from tests.support import (
    ack,
    ack_item,
    adjusted_item,
    adjustment,
    envelope,
    item_payload,
    order_payload,
)

pytestmark = pytest.mark.e2e

ACK = "_POST_ORDER_ACKNOWLEDGEMENT_DATA_"
ADJUSTMENT = "_POST_PAYMENT_ADJUSTMENT_DATA_"


class Seller:
    """A seller with a real ``mws.Feeds`` client pointed at the server."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.account = server.seller()
        self.seller_id: str = self.account["seller_id"]
        self.feeds = mws.Feeds(
            self.account["access_key_id"],
            self.account["secret_key"],
            self.seller_id,
            domain=server.base_url,
        )

    def order(self, *items: dict[str, Any]) -> dict[str, Any]:
        return self.server.order(order_payload(self.seller_id, items=list(items) or None))

    def submit_and_wait(self, feed: bytes, feed_type: str = ACK) -> str:
        submitted = self.feeds.submit_feed(feed, feed_type)
        info = submitted.parsed.FeedSubmissionInfo
        submission_id = str(info.FeedSubmissionId)
        assert str(info.FeedType) == feed_type
        return self.wait_done(submission_id)

    def wait_done(self, submission_id: str) -> str:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            listed = self.feeds.get_feed_submission_list(feedids=[submission_id])
            if str(listed.parsed.FeedSubmissionInfo.FeedProcessingStatus) == "_DONE_":
                return submission_id
            time.sleep(0.05)
        raise AssertionError(f"feed {submission_id} did not finish")

    def report(self, submission_id: str) -> Any:
        return self.feeds.get_feed_submission_result(submission_id).parsed.ProcessingReport

    def view(self, order: dict[str, Any]) -> Any:
        return self.server.get(f"/admin/orders/{order['amazon_order_id']}")


@pytest.fixture
def seller(server: Server) -> Seller:
    return Seller(server)


def results(report: Any) -> list[Any]:
    found = report.get("Result")
    if found is None:
        return []
    return found if isinstance(found, list) else [found]


def counters(report: Any) -> dict[str, int]:
    summary = report.ProcessingSummary
    return {
        name: int(str(summary[name]))
        for name in ("MessagesProcessed", "MessagesSuccessful", "MessagesWithError")
    }


def test_cancel_a_whole_order(seller: Seller) -> None:
    order = seller.order(item_payload(quantity=2), item_payload(quantity=1))
    submission_id = seller.submit_and_wait(
        envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
    )
    report = seller.report(submission_id)
    assert str(report.DocumentTransactionID) == submission_id
    assert counters(report) == {
        "MessagesProcessed": 1,
        "MessagesSuccessful": 1,
        "MessagesWithError": 0,
    }
    view = seller.view(order)
    assert view["status"] == "Canceled"
    assert [i["quantity_cancelled"] for i in view["items"]] == [2, 1]
    notifications = seller.server.get("/admin/notifications", seller_id=seller.seller_id)
    assert [n["amazon_order_id"] for n in notifications] == [order["amazon_order_id"]]


def test_cancel_one_item(seller: Seller) -> None:
    order = seller.order(item_payload(quantity=2), item_payload(quantity=3))
    code = order["items"][1]["amazon_order_item_code"]
    feed = envelope(
        "OrderAcknowledgement",
        ack(order["amazon_order_id"], "Failure", ack_item(code, "ShippingAddressUndeliverable")),
    )
    seller.submit_and_wait(feed)
    view = seller.view(order)
    assert view["status"] == "Unshipped"
    assert [i["quantity_unshipped"] for i in view["items"]] == [2, 0]
    assert [(c["amazon_order_item_code"], c["reason"]) for c in view["cancellations"]] == [
        (code, "ShippingAddressUndeliverable")
    ]


def test_partial_refund_with_quantity_cancelled(seller: Seller) -> None:
    order = seller.order(
        item_payload(quantity=3, quantity_shipped=2, item_price="30.00", item_tax="3.00")
    )
    code = order["items"][0]["amazon_order_item_code"]
    feed = envelope(
        "OrderAdjustment",
        adjustment(
            order["amazon_order_id"],
            adjusted_item(
                code,
                "NoInventory",
                components={"Principal": "10.00", "Tax": "1.00"},
                quantity_cancelled=1,
                adjustment_id="REFUND-1",
            ),
        ),
    )
    submission_id = seller.submit_and_wait(feed, ADJUSTMENT)
    assert results(seller.report(submission_id)) == []
    view = seller.view(order)
    assert view["status"] == "Shipped"
    item = view["items"][0]
    assert (item["quantity_shipped"], item["quantity_cancelled"], item["quantity_unshipped"]) == (
        2,
        1,
        0,
    )
    assert item["refunded"] == {"Principal": "10.00", "Tax": "1.00"}
    assert [(r["reason"], r["total"]) for r in view["refunds"]] == [("NoInventory", "11.00")]
    assert [c["reason"] for c in view["cancellations"]] == ["NoInventory"]


def test_refund_beyond_the_balance_is_rejected_in_the_report(seller: Seller) -> None:
    order = seller.order(item_payload(quantity=1, quantity_shipped=1, item_price="20.00"))
    code = order["items"][0]["amazon_order_item_code"]
    feed = envelope(
        "OrderAdjustment",
        adjustment(
            order["amazon_order_id"], adjusted_item(code, components={"Principal": "25.00"})
        ),
    )
    report = seller.report(seller.submit_and_wait(feed, ADJUSTMENT))
    assert counters(report) == {
        "MessagesProcessed": 1,
        "MessagesSuccessful": 0,
        "MessagesWithError": 1,
    }
    [result] = results(report)
    assert str(result.ResultCode) == "Error"
    assert str(result.ResultMessageCode) == "91005"
    assert "exceeds" in str(result.ResultDescription)
    assert str(result.AdditionalInfo.AmazonOrderID) == order["amazon_order_id"]
    assert str(result.AdditionalInfo.AmazonOrderItemCode) == code
    assert seller.view(order)["refunds"] == []


def test_malformed_feed_is_reported(seller: Seller) -> None:
    report = seller.report(seller.submit_and_wait(b"<AmazonEnvelope><Header></AmazonEnvelope>"))
    [result] = results(report)
    assert (str(result.MessageID), str(result.ResultMessageCode)) == ("0", "50001")
    assert "XML Parsing Fatal Error at Line 1" in str(result.ResultDescription)


def test_list_count_cancel_and_errors(seller: Seller) -> None:
    ids = [seller.submit_and_wait(b"<broken") for _ in range(3)]
    count = seller.feeds.get_feed_submission_count(processingstatuses=["_DONE_"])
    assert str(count.parsed.Count) == "3"
    first = seller.feeds.get_feed_submission_list(max_count=2)
    assert str(first.parsed.HasNext) == "true"
    listed = [str(i.FeedSubmissionId) for i in first.parsed.FeedSubmissionInfo]
    rest = seller.feeds.get_feed_submission_list(next_token=str(first.parsed.NextToken))
    listed.append(str(rest.parsed.FeedSubmissionInfo.FeedSubmissionId))
    assert listed == ids[::-1]
    cancelled = seller.feeds.cancel_feed_submissions(feedids=ids)
    assert str(cancelled.parsed.Count) == "0"  # finished feeds cannot be cancelled
    with pytest.raises(mws.MWSError) as caught:
        seller.feeds.get_feed_submission_result("99999999999")
    assert caught.value.response.status_code == 400
    assert "InvalidFeedSubmissionId" in str(caught.value)


def test_the_server_log_ties_a_request_to_its_submission(seller: Seller) -> None:
    """What an operator greps for: the RequestId a client got back leads to the feed,
    and the feed's id to its processing."""
    order = seller.order(item_payload())
    feed = envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
    submitted = seller.feeds.submit_feed(feed, ACK)
    request_id = submitted.response.headers["x-mws-request-id"]
    submission_id = int(str(submitted.parsed.FeedSubmissionInfo.FeedSubmissionId))
    seller.wait_done(str(submission_id))

    lines = seller.server.log_path.read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    (logged,) = [e for e in entries if e.get("request_id") == request_id]
    assert logged["message"] == "feed submitted"
    assert (logged["submission_id"], logged["seller_id"], logged["bytes"]) == (
        submission_id,
        seller.seller_id,
        len(feed),
    )
    processed = [e for e in entries if e["message"] == "feed processed"]
    assert [e["messages"] for e in processed if e["submission_id"] == submission_id] == [1]
