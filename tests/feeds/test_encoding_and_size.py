"""Feed character encodings and the size limit, through the in-process HTTP interface."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import etree

from feedsvc.config import Settings
from feedsvc.main import create_app
from feedsvc.xml.encoding import document_encoding, header_charset, label_mismatch
from tests.conftest import ADMIN_TOKEN, Admin, Mws, xml_text
from tests.support import content_md5, order_payload


def success_ack(order_id: str, merchant_order_id: str, declaration: str) -> str:
    return (
        f"{declaration}<AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion>"
        "<MerchantIdentifier>M</MerchantIdentifier></Header>"
        "<MessageType>OrderAcknowledgement</MessageType><Message><MessageID>1</MessageID>"
        f"<OrderAcknowledgement><AmazonOrderID>{order_id}</AmazonOrderID>"
        f"<MerchantOrderID>{merchant_order_id}</MerchantOrderID><StatusCode>Success</StatusCode>"
        "</OrderAcknowledgement></Message></AmazonEnvelope>"
    )


def submit(mws: Mws, body: bytes, content_type: str) -> etree._Element:
    response = mws.call(
        "SubmitFeed",
        {"FeedType": "_POST_ORDER_ACKNOWLEDGEMENT_DATA_"},
        body=body,
        headers={"Content-MD5": content_md5(body), "Content-Type": content_type},
    )
    assert response.status_code == 200, response.text
    while mws.app.state.worker.run_once():
        pass
    return mws.report(xml_text(response.content, "FeedSubmissionId"))


def results(report: etree._Element) -> list[tuple[str, str, str]]:
    return [
        (r.findtext("MessageID"), r.findtext("ResultCode"), r.findtext("ResultMessageCode"))
        for r in report.iterfind("Message/ProcessingReport/Result")
    ]


@pytest.mark.parametrize(
    ("declaration", "content_type"),
    [
        pytest.param('<?xml version="1.0" encoding="ISO-8859-1"?>', "text/xml", id="declared"),
        pytest.param("", "text/xml; charset=iso-8859-1", id="content-type-charset"),
    ],
)
def test_latin1_feeds_are_read_in_their_encoding(
    mws: Mws, admin: Admin, declaration: str, content_type: str
) -> None:
    order = admin.order(order_payload(mws.seller["seller_id"]))
    body = success_ack(order["amazon_order_id"], "Müller-Straße", declaration).encode("latin-1")
    report = submit(mws, body, content_type)
    assert results(report) == []
    view = admin.get(f"/admin/orders/{order['amazon_order_id']}")
    assert view["merchant_order_id"] == "Müller-Straße"


def test_undecodable_bytes_are_reported(mws: Mws, admin: Admin) -> None:
    order = admin.order(order_payload(mws.seller["seller_id"]))
    body = success_ack(order["amazon_order_id"], "Müller", "").encode("latin-1")
    report = submit(mws, body, "text/xml")
    assert results(report) == [("0", "Error", "50001")]
    description = report.findtext("Message/ProcessingReport/Result/ResultDescription") or ""
    assert "UTF-8" in description
    assert admin.get(f"/admin/orders/{order['amazon_order_id']}")["merchant_order_id"] is None


def test_label_that_disagrees_with_the_document_is_flagged(mws: Mws, admin: Admin) -> None:
    order = admin.order(order_payload(mws.seller["seller_id"]))
    declaration = '<?xml version="1.0" encoding="UTF-8"?>'
    body = success_ack(order["amazon_order_id"], "Müller", declaration).encode("utf-8")
    report = submit(mws, body, "text/xml; charset=iso-8859-1")
    assert results(report) == [("0", "Warning", "91012")]
    counters = report.find("Message/ProcessingReport/ProcessingSummary")
    assert counters is not None
    assert counters.findtext("MessagesSuccessful") == "1"
    assert counters.findtext("MessagesWithWarning") == "0"
    assert admin.get(f"/admin/orders/{order['amazon_order_id']}")["merchant_order_id"] == "Müller"


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        pytest.param(
            b'<?xml version="1.0" encoding="utf-8"?><a/>',
            "text/xml; charset=UTF-8",
            None,
            id="same",
        ),
        pytest.param(b"\xef\xbb\xbf<a/>", "text/xml; charset=utf8", None, id="bom-alias"),
        pytest.param(b"<a/>", "text/xml; charset=iso-8859-1", None, id="undeclared"),
        pytest.param(
            b'<?xml version="1.0" encoding="latin1"?><a/>',
            "text/xml;charset=ISO-8859-1",
            None,
            id="alias",
        ),
        pytest.param(
            b'<?xml version="1.0" encoding="UTF-8"?><a/>',
            "text/xml; charset=windows-1252",
            "windows-1252",
            id="differs",
        ),
        pytest.param(
            b'<?xml version="1.0"?><a/>', "text/xml; charset=bogus", None, id="unknown-charset"
        ),
    ],
)
def test_label_mismatch(content: bytes, content_type: str, expected: str | None) -> None:
    sentence = label_mismatch(content, content_type)
    assert (sentence is None) == (expected is None)
    if expected:
        assert expected in (sentence or "")


def test_charset_helpers() -> None:
    assert header_charset('text/tab-separated-values; charset="Shift_JIS"') == "Shift_JIS"
    assert header_charset("text/xml") is None
    assert document_encoding(b"\xff\xfe<\x00") == "utf-16"
    assert document_encoding(b"<?xml version='1.0' encoding='ISO-8859-1'?><a/>") == "ISO-8859-1"


@pytest.fixture
def small_app(database_url: str) -> Iterator[FastAPI]:
    settings = Settings(
        database_url=database_url,
        admin_token=ADMIN_TOKEN,
        run_worker=False,
        default_throttling="off",
        max_feed_bytes=1000,
    )
    application = create_app(settings, migrate=False)
    yield application
    application.state.engine.dispose()


def test_feed_over_the_size_limit_is_refused_and_not_recorded(small_app: FastAPI) -> None:
    with TestClient(small_app) as client:
        mws = Mws(client, Admin(client).seller(), small_app)
        body = b"<AmazonEnvelope>" + b" " * 2000 + b"</AmazonEnvelope>"
        response = mws.call(
            "SubmitFeed",
            {"FeedType": "_POST_ORDER_ACKNOWLEDGEMENT_DATA_"},
            body=body,
            headers={"Content-MD5": content_md5(body)},
        )
        assert (response.status_code, xml_text(response.content, "Code")) == (
            400,
            "InvalidParameterValue",
        )
        assert "1000 bytes" in xml_text(response.content, "Message")
        assert xml_text(mws.call("GetFeedSubmissionCount").content, "Count") == "0"
