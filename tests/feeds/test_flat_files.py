"""Tab-separated order feeds and their tab-separated processing reports."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Admin, Mws, xml_text
from tests.support import content_md5, item_payload, order_payload

CANCELLATION = "_POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA_"
ADJUSTMENT = "_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_"
SHIPPING = "_POST_FLAT_FILE_FULFILLMENT_DATA_"
LATIN1 = "text/tab-separated-values; charset=iso-8859-1"


def tsv(*rows: list[str]) -> str:
    return "".join("\t".join(row) + "\r\n" for row in rows)


def run(mws: Mws, feed_type: str, text: str, content_type: str = LATIN1) -> tuple[str, Any]:
    """Submit, process, and return the report text and the raw response."""
    body = text.encode("latin-1") if "8859" in content_type else text.encode("utf-8")
    response = mws.call(
        "SubmitFeed",
        {"FeedType": feed_type},
        body=body,
        headers={"Content-MD5": content_md5(body), "Content-Type": content_type},
    )
    assert response.status_code == 200, response.text
    while mws.app.state.worker.run_once():
        pass
    submission_id = xml_text(response.content, "FeedSubmissionId")
    result = mws.call("GetFeedSubmissionResult", {"FeedSubmissionId": submission_id})
    assert result.status_code == 200
    assert result.headers["content-md5"] == content_md5(result.content)
    return result.content.decode("latin-1"), result


def rows(report: str) -> list[list[str]]:
    """The error and warning rows under the report's column header."""
    lines = report.split("\n")
    start = lines.index(
        "original-record-number\torder-id\torder-item-id\terror-code\terror-type\terror-message"
    )
    return [line.split("\t") for line in lines[start + 1 :] if line]


def summary(report: str) -> tuple[int, int]:
    processed = next(line for line in report.split("\n") if "records processed" in line)
    successful = next(line for line in report.split("\n") if "records successful" in line)
    return int(processed.split("\t")[-1]), int(successful.split("\t")[-1])


def view(admin: Admin, order: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = admin.get(f"/admin/orders/{order['amazon_order_id']}")
    return result


def test_order_cancellation_file(mws: Mws, admin: Admin) -> None:
    seller_id = mws.seller["seller_id"]
    whole = admin.order(order_payload(seller_id))
    partial = admin.order(order_payload(seller_id, items=[item_payload(), item_payload()]))
    shipped = admin.order(order_payload(seller_id, items=[item_payload(quantity_shipped=2)]))
    code = partial["items"][0]["amazon_order_item_code"]
    report, response = run(
        mws,
        CANCELLATION,
        tsv(
            ["TemplateType=OrderCancellation", "Version=2014.0415"],
            ["order-id", "cancellation-reason-code", "amazon-order-item-code"],
            [whole["amazon_order_id"], "BuyerCanceled", ""],
            [partial["amazon_order_id"], "NoInventory", code],
            [shipped["amazon_order_id"], "NoInventory", ""],
            [whole["amazon_order_id"], "Sold out", ""],
        ),
    )
    assert response.headers["content-type"] == "text/plain; charset=iso-8859-1"
    assert report.startswith("Feed Processing Summary:\n\tNumber of records processed\t\t4\n")
    assert summary(report) == (4, 2)
    found = rows(report)
    assert [(r[0], r[1], r[3], r[4]) for r in found] == [
        ("3", shipped["amazon_order_id"], "91002", "Error"),
        ("4", whole["amazon_order_id"], "18028", "Error"),
    ]
    assert "Sold out" in found[1][5]
    assert report.endswith("\n")
    whole_view = view(admin, whole)
    assert whole_view["status"] == "Canceled"
    assert whole_view["cancellations"][0]["reason"] == "BuyerCanceled"
    assert whole_view["cancellations"][0]["buyer_requested"] is True
    assert [i["quantity_cancelled"] for i in view(admin, partial)["items"]] == [2, 0]


def test_adjustment_file_refunds_and_cancels(mws: Mws, admin: Admin) -> None:
    order = admin.order(
        order_payload(
            mws.seller["seller_id"],
            items=[
                item_payload(quantity=3, quantity_shipped=2, item_price="30.00", item_tax="3.00")
            ],
        )
    )
    code = order["items"][0]["amazon_order_item_code"]
    header = [
        "order-id", "order-item-id", "adjustment-reason-code", "currency", "item-price-adj",
        "item-tax-adj", "shipping-price-adj", "shipping-tax-adj", "quantity-cancelled",
    ]  # fmt: skip
    report, _ = run(
        mws,
        ADJUSTMENT,
        tsv(
            header,
            [order["amazon_order_id"], code, "NoInventory", "USD", "10.00", "1.00", "", "", "1"],
            [order["amazon_order_id"], code, "CustomerReturn", "USD", "50.00", "", "", "", ""],
            [order["amazon_order_id"], code, "CustomerReturn", "USD", "1.999", "", "", "", ""],
        ),
    )
    assert summary(report) == (3, 1)
    assert [(r[0], r[3]) for r in rows(report)] == [("2", "91005"), ("3", "18028")]
    item = view(admin, order)["items"][0]
    assert item["refunded"] == {"Principal": "10.00", "Tax": "1.00"}
    assert item["quantity_cancelled"] == 1


def test_shipping_confirmation_file(mws: Mws, admin: Admin) -> None:
    order = admin.order(order_payload(mws.seller["seller_id"], items=[item_payload(quantity=3)]))
    code = order["items"][0]["amazon_order_item_code"]
    header = [
        "order-id",
        "order-item-id",
        "quantity",
        "ship-date",
        "carrier-code",
        "carrier-name",
        "tracking-number",
        "ship-method",
    ]
    report, _ = run(
        mws,
        SHIPPING,
        tsv(
            header,
            [order["amazon_order_id"], code, "2", "2026-11-03", "UPS", "", "1Z1", "Ground"],
            [order["amazon_order_id"], code, "two", "2026-11-03", "UPS", "", "1Z2", "Ground"],
            [order["amazon_order_id"], code, "5", "2026-11-03", "UPS", "", "1Z3", "Ground"],
        ),
    )
    assert summary(report) == (3, 1)
    assert [(r[0], r[3]) for r in rows(report)] == [("2", "18028"), ("3", "18021")]
    shipped = view(admin, order)
    assert shipped["status"] == "PartiallyShipped"
    assert shipped["shipments"][0]["tracking_number"] == "1Z1"


def test_missing_required_column_is_fatal_and_changes_nothing(mws: Mws, admin: Admin) -> None:
    order = admin.order(order_payload(mws.seller["seller_id"]))
    response = mws.call(
        "SubmitFeed",
        {"FeedType": CANCELLATION},
        body=(body := tsv(["order-id"], [order["amazon_order_id"]]).encode()),
        headers={"Content-MD5": content_md5(body), "Content-Type": LATIN1},
    )
    assert xml_text(response.content, "FeedProcessingStatus") == "_DONE_"
    report, _ = run(mws, CANCELLATION, tsv(["order-id"], [order["amazon_order_id"]]))
    [row] = rows(report)
    assert (row[0], row[3], row[4]) == ("0", "90012", "Fatal")
    assert "cancellation-reason-code" in row[5]
    assert view(admin, order)["status"] == "Unshipped"


def test_unknown_column_is_a_warning_and_rows_still_apply(mws: Mws, admin: Admin) -> None:
    order = admin.order(order_payload(mws.seller["seller_id"]))
    report, _ = run(
        mws,
        CANCELLATION,
        tsv(
            ["order-id", "cancellation-reason-code", "note"],
            [order["amazon_order_id"], "NoInventory", "call the buyer"],
        ),
    )
    assert summary(report) == (1, 1)
    [row] = rows(report)
    assert (row[0], row[3], row[4]) == ("0", "90061", "Warning")
    assert view(admin, order)["status"] == "Canceled"


@pytest.mark.parametrize(
    ("content_type", "encoding"),
    [
        pytest.param(LATIN1, "latin-1", id="iso-8859-1"),
        pytest.param("text/tab-separated-values", "latin-1", id="default-iso-8859-1"),
        pytest.param("text/tab-separated-values; charset=UTF-8", "utf-8", id="utf-8"),
    ],
)
def test_charsets(mws: Mws, admin: Admin, content_type: str, encoding: str) -> None:
    order = admin.order(order_payload(mws.seller["seller_id"]))
    text = tsv(
        ["order-id", "cancellation-reason-code", "remarque"],
        [order["amazon_order_id"], "Santé", "é"],
    )
    body = text.encode(encoding)
    response = mws.call(
        "SubmitFeed",
        {"FeedType": CANCELLATION},
        body=body,
        headers={"Content-MD5": content_md5(body), "Content-Type": content_type},
    )
    while mws.app.state.worker.run_once():
        pass
    submission_id = xml_text(response.content, "FeedSubmissionId")
    result = mws.call("GetFeedSubmissionResult", {"FeedSubmissionId": submission_id})
    charset = "utf-8" if encoding == "utf-8" else "iso-8859-1"
    report = result.content.decode(charset)
    assert "'Santé'" in report  # decoded in the declared charset, reported in it too


def test_utf8_bytes_labelled_latin1_are_read_as_latin1(mws: Mws, admin: Admin) -> None:
    order = admin.order(order_payload(mws.seller["seller_id"]))
    body = tsv(
        ["order-id", "cancellation-reason-code"], [order["amazon_order_id"], "Santé"]
    ).encode("utf-8")
    response = mws.call(
        "SubmitFeed",
        {"FeedType": CANCELLATION},
        body=body,
        headers={"Content-MD5": content_md5(body), "Content-Type": LATIN1},
    )
    while mws.app.state.worker.run_once():
        pass
    result = mws.call(
        "GetFeedSubmissionResult",
        {"FeedSubmissionId": xml_text(response.content, "FeedSubmissionId")},
    )
    assert "SantÃ©" in result.content.decode("latin-1")  # the mojibake the seller would see
