"""Feeds from submission to processing report, through the in-process HTTP interface."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

from feedsvc.resources import xsd_dir
from tests.conftest import FEED_ADJUSTMENT, Admin, Mws
from tests.support import (
    ack,
    ack_item,
    adjusted_item,
    adjustment,
    envelope,
    item_payload,
    order_payload,
)


@pytest.fixture(scope="module")
def report_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(xsd_dir() / "amzn-envelope.xsd")))


def summary(report: etree._Element) -> dict[str, int]:
    counters = report.find("Message/ProcessingReport/ProcessingSummary")
    assert counters is not None
    return {child.tag: int(child.text or "") for child in counters}


def results(report: etree._Element) -> list[dict[str, Any]]:
    return [
        {
            "message": int(r.findtext("MessageID") or ""),
            "severity": r.findtext("ResultCode"),
            "code": int(r.findtext("ResultMessageCode") or ""),
            "description": r.findtext("ResultDescription"),
            "order": r.findtext("AdditionalInfo/AmazonOrderID"),
            "item": r.findtext("AdditionalInfo/AmazonOrderItemCode"),
        }
        for r in report.iterfind("Message/ProcessingReport/Result")
    ]


def test_mixed_feed_applies_good_messages_and_reports_bad_ones(
    mws: Mws, admin: Admin, report_schema: etree.XMLSchema
) -> None:
    seller_id = mws.seller["seller_id"]
    whole = admin.order(order_payload(seller_id))
    partial = admin.order(order_payload(seller_id, items=[item_payload(), item_payload()]))
    shipped = admin.order(order_payload(seller_id, items=[item_payload(quantity_shipped=2)]))
    keep_code = partial["items"][1]["amazon_order_item_code"]
    cancel_code = partial["items"][0]["amazon_order_item_code"]
    feed = envelope(
        "OrderAcknowledgement",
        ack(whole["amazon_order_id"], "Failure"),
        ack(partial["amazon_order_id"], "Failure", ack_item(cancel_code, "NoInventory")),
        ack(shipped["amazon_order_id"], "Failure"),
        ack("999-0000000-0000000", "Failure"),
    )
    submission_id = mws.submit_and_process(feed)
    report = mws.report(submission_id)

    assert report_schema.validate(report), report_schema.error_log
    assert report.findtext("Message/ProcessingReport/StatusCode") == "Complete"
    assert summary(report) == {
        "MessagesProcessed": 4,
        "MessagesSuccessful": 2,
        "MessagesWithError": 2,
        "MessagesWithWarning": 0,
    }
    found = results(report)
    assert [(r["message"], r["severity"], r["code"]) for r in found] == [
        (3, "Error", 91002),
        (4, "Error", 18028),
    ]
    assert found[0]["order"] == shipped["amazon_order_id"]
    assert found[0]["item"] == shipped["items"][0]["amazon_order_item_code"]
    assert "shipped" in found[0]["description"]
    assert found[1]["order"] == "999-0000000-0000000"

    assert admin.get(f"/admin/orders/{whole['amazon_order_id']}")["status"] == "Canceled"
    view = admin.get(f"/admin/orders/{partial['amazon_order_id']}")
    cancelled = {i["amazon_order_item_code"]: i["quantity_cancelled"] for i in view["items"]}
    assert cancelled == {cancel_code: 2, keep_code: 0}
    assert view["cancellations"][0]["reason"] == "NoInventory"
    assert view["cancellations"][0]["feed_submission_id"] == int(submission_id)
    assert admin.get(f"/admin/orders/{shipped['amazon_order_id']}")["status"] == "Shipped"
    notified = admin.get("/admin/notifications", seller_id=seller_id)
    assert sorted(n["amazon_order_id"] for n in notified) == sorted(
        [whole["amazon_order_id"], partial["amazon_order_id"]]
    )


def test_adjustment_feed_refunds_and_reports_excess(
    mws: Mws, admin: Admin, report_schema: etree.XMLSchema
) -> None:
    order = admin.order(
        order_payload(
            mws.seller["seller_id"],
            items=[item_payload(quantity=3, quantity_shipped=2, item_price="30.00")],
        )
    )
    code = order["items"][0]["amazon_order_item_code"]
    feed = envelope(
        "OrderAdjustment",
        adjustment(
            order["amazon_order_id"],
            adjusted_item(
                code, "NoInventory", components={"Principal": "10.00"}, quantity_cancelled=1
            ),
        ),
        adjustment(
            order["amazon_order_id"], adjusted_item(code, components={"Principal": "25.00"})
        ),
    )
    submission_id = mws.submit_and_process(feed, FEED_ADJUSTMENT)
    report = mws.report(submission_id)
    assert report_schema.validate(report), report_schema.error_log
    assert summary(report)["MessagesSuccessful"] == 1
    [excess] = results(report)
    assert (excess["message"], excess["code"]) == (2, 91005)
    assert "20.00" in excess["description"]  # what is left to refund
    view = admin.get(f"/admin/orders/{order['amazon_order_id']}")
    assert view["status"] == "Shipped"
    assert view["items"][0]["refunded"] == {"Principal": "10.00"}
    assert view["items"][0]["quantity_cancelled"] == 1


def test_not_well_formed_feed_is_recorded_and_reported_at_once(
    mws: Mws, report_schema: etree.XMLSchema
) -> None:
    feed = b'<?xml version="1.0"?>\n<AmazonEnvelope>\n<Header>\n</AmazonEnvelope>'
    response = mws.submit(feed)
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    submission_id = root.xpath("string(//*[local-name()='FeedSubmissionId'])")
    assert root.xpath("string(//*[local-name()='FeedProcessingStatus'])") == "_DONE_"
    report = mws.report(submission_id)
    assert report_schema.validate(report), report_schema.error_log
    [problem] = results(report)
    assert (problem["message"], problem["code"]) == (0, 50001)
    assert problem["description"].startswith("XML Parsing Fatal Error at Line 4")
    # The document counts as one message, failed, so the counters still add up.
    assert summary(report) == {
        "MessagesProcessed": 1,
        "MessagesSuccessful": 0,
        "MessagesWithError": 1,
        "MessagesWithWarning": 0,
    }


def test_schema_invalid_feed_names_every_problem_and_changes_nothing(
    mws: Mws, admin: Admin
) -> None:
    order = admin.order(order_payload(mws.seller["seller_id"]))
    feed = envelope(
        "OrderAcknowledgement",
        ack(order["amazon_order_id"], "Failure"),
        ack(order["amazon_order_id"], "Failed"),
        ack("not-an-order-id", "Success"),
    ).replace(b"><", b">\n<")
    submission_id = mws.submit_and_process(feed)
    report = mws.report(submission_id)
    assert summary(report) == {
        "MessagesProcessed": 3,
        "MessagesSuccessful": 0,
        "MessagesWithError": 3,
        "MessagesWithWarning": 0,
    }
    found = results(report)
    assert [(r["message"], r["code"]) for r in found] == [(2, 5001), (3, 5001)]
    assert "StatusCode" in found[0]["description"] and "Failed" in found[0]["description"]
    assert "Line 2" not in found[0]["description"] and "Line " in found[0]["description"]
    assert "AmazonOrderID" in found[1]["description"]
    assert admin.get(f"/admin/orders/{order['amazon_order_id']}")["status"] == "Unshipped"


@pytest.mark.parametrize(
    "feed",
    [
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b"<AmazonEnvelope>&lol2;</AmazonEnvelope>",
            id="entity-expansion",
        ),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b"<AmazonEnvelope>&xxe;</AmazonEnvelope>",
            id="external-entity",
        ),
    ],
)
def test_doctype_is_refused_without_expansion(mws: Mws, feed: bytes) -> None:
    submission_id = mws.submit_and_process(feed)
    [problem] = results(mws.report(submission_id))
    assert problem["code"] == 5001
    assert "DOCTYPE" in problem["description"]
    assert "root:" not in problem["description"]


def test_message_of_the_wrong_type_is_rejected(mws: Mws, admin: Admin) -> None:
    order = admin.order(order_payload(mws.seller["seller_id"]))
    feed = envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
    submission_id = mws.submit_and_process(feed, FEED_ADJUSTMENT)
    [problem] = results(mws.report(submission_id))
    assert problem["code"] == 91001
    assert "OrderAdjustment" in problem["description"]
    assert admin.get(f"/admin/orders/{order['amazon_order_id']}")["status"] == "Unshipped"


def test_root_other_than_envelope_is_refused(mws: Mws) -> None:
    submission_id = mws.submit_and_process(b"<AmazonOrderID>111-1111111-1111111</AmazonOrderID>")
    [problem] = results(mws.report(submission_id))
    assert (problem["message"], problem["code"]) == (0, 5001)
    assert "AmazonEnvelope" in problem["description"]


def test_report_merchant_identifier_is_the_seller(mws: Mws) -> None:
    submission_id = mws.submit_and_process(b"<broken")
    report = mws.report(submission_id)
    assert report.findtext("Header/MerchantIdentifier") == mws.seller["seller_id"]
    assert report.findtext("Header/DocumentVersion") == "1.02"
