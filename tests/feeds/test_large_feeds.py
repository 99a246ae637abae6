"""Feeds as streams: stored in pieces, validated and read without holding them whole."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy.orm import Session

from feedsvc.config import Settings
from feedsvc.feeds.documents import PIECE_BYTES, StoredFeed
from feedsvc.feeds.models import FeedDocument
from feedsvc.main import create_app
from feedsvc.xml.messages import read_messages
from feedsvc.xml.schemas import SchemaRegistry
from feedsvc.xml.validation import validate_xml_stream
from tests.conftest import ADMIN_TOKEN, Admin, Mws
from tests.fuzz.strategies import HOSTILE
from tests.support import ack, envelope, order_payload


def test_bodies_are_stored_in_pieces_and_read_back_exactly(mws: Mws, session: Session) -> None:
    content = os.urandom(2 * PIECE_BYTES + 123)
    submission_id = int(
        etree.fromstring(mws.submit(content).content).xpath(
            "string(//*[local-name()='FeedSubmissionId'])"
        )
    )
    pieces = session.query(FeedDocument).filter_by(submission_id=submission_id).count()
    assert pieces == 3
    stream = io.BufferedReader(StoredFeed(session, submission_id))
    assert stream.read() == content


def test_an_empty_piece_list_is_an_error(session: Session) -> None:
    with pytest.raises(Exception, match="missing"):
        StoredFeed(session, 987654321)


SCHEMAS = SchemaRegistry()


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param(
            envelope("OrderAcknowledgement", ack("111-1111111-1111111", "Failure")), [], id="valid"
        ),
        pytest.param(
            envelope(
                "OrderAcknowledgement", ack("111-1111111-1111111", "Failed"), ack("bad", "Success")
            ),
            ["StatusCode", "AmazonOrderID"],
            id="two-schema-errors",
        ),
        pytest.param(b"<AmazonEnvelope><Header>", ["Fatal"], id="not-well-formed"),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE a []><AmazonEnvelope/>', ["DOCTYPE"], id="doctype"
        ),
    ],
)
def test_streaming_validation(document: bytes, expected: list[str]) -> None:
    check = validate_xml_stream(io.BytesIO(document), SCHEMAS, head=document[:1024])
    assert len(check.problems) == len(expected)
    for problem, word in zip(check.problems, expected, strict=True):
        assert word in problem.description


def test_reading_messages_forgets_each_one() -> None:
    bodies = [ack(f"111-1111111-{n:07d}", "Failure") for n in range(1, 2001)]
    stream = io.BytesIO(envelope("OrderAcknowledgement", *bodies))
    seen = 0
    for message in read_messages(stream):
        seen += 1
        assert message.message_id == seen
    assert seen == 2000


@pytest.fixture
def streaming_app(database_url: str) -> Iterator[FastAPI]:
    settings = Settings(
        database_url=database_url,
        admin_token=ADMIN_TOKEN,
        run_worker=False,
        default_throttling="off",
        in_memory_validation_bytes=0,  # validate every feed as a stream
    )
    application = create_app(settings, migrate=False)
    yield application
    application.state.engine.dispose()


@pytest.mark.parametrize("feed", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_feeds_validated_as_streams_are_refused(
    streaming_app: FastAPI, feed: bytes
) -> None:
    """The path an entity bomb once crashed (lxml 6.2 expanded it while validating)."""
    with TestClient(streaming_app) as client:
        admin = Admin(client)
        mws = Mws(client, admin.seller(), streaming_app)
        submission_id = mws.submit_and_process(feed)
        results = mws.report(submission_id).findall("Message/ProcessingReport/Result")
        assert results
        assert results[0].findtext("ResultCode") == "Error"
        assert results[0].findtext("ResultDescription")
        assert b"root:" not in etree.tostring(mws.report(submission_id))
        # The service is still there, and still processes a good feed.
        order = admin.order(order_payload(mws.seller["seller_id"]))
        mws.submit_and_process(
            envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
        )
        assert admin.get(f"/admin/orders/{order['amazon_order_id']}")["status"] == "Canceled"


def test_feeds_validated_as_streams_end_to_end(streaming_app: FastAPI) -> None:
    with TestClient(streaming_app) as client:
        admin = Admin(client)
        mws = Mws(client, admin.seller(), streaming_app)
        order = admin.order(order_payload(mws.seller["seller_id"]))
        good = mws.submit_and_process(
            envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
        )
        assert (
            mws.report(good).findtext(
                "Message/ProcessingReport/ProcessingSummary/MessagesSuccessful"
            )
            == "1"
        )
        assert admin.get(f"/admin/orders/{order['amazon_order_id']}")["status"] == "Canceled"
        bad = mws.submit_and_process(
            envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Maybe"))
        )
        [result] = mws.report(bad).findall("Message/ProcessingReport/Result")
        assert result.findtext("ResultMessageCode") == "5001"
        assert "StatusCode" in (result.findtext("ResultDescription") or "")
