"""Helpers of the MWS fuzz tests: the answer rules, submission snapshots, finished reports."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from lxml import etree
from sqlalchemy import select

from feedsvc.accounts.models import Seller
from feedsvc.feeds.models import FeedSubmission
from tests.conftest import Mws, xml_text
from tests.support import ack, envelope

NS = "http://mws.amazonaws.com/doc/2009-01-01/"
XSD = Path(__file__).resolve().parents[2] / "xsd" / "amzn-envelope.xsd"
ENVELOPE_SCHEMA = etree.XMLSchema(etree.parse(str(XSD)))
ON_POSTGRESQL = bool(os.environ.get("FEEDSVC_TEST_DATABASE_URL"))


def is_internal_error(response: Any) -> bool:
    return response.status_code == 500 and b"<Code>InternalError</Code>" in response.content


def assert_mws_answer(response: Any, action: str) -> etree._Element:
    """200, or a 4xx MWS ErrorResponse with a Code; always XML."""
    status = response.status_code
    assert status == 200 or 400 <= status < 500, (status, response.text)
    root = etree.fromstring(response.content)
    if status == 200 and action == "GetFeedSubmissionResult":
        return root
    assert response.headers["content-type"] == "text/xml"
    expected = f"{{{NS}}}{action}Response" if status == 200 else f"{{{NS}}}ErrorResponse"
    assert root.tag == expected, response.text
    if status != 200:
        assert root.findtext(f"{{{NS}}}Error/{{{NS}}}Code"), response.text
    return root


def submissions_of(app: FastAPI, seller_id: str) -> Callable[[], list[tuple[int, str]]]:
    def snapshot() -> list[tuple[int, str]]:
        with app.state.sessions() as session:
            rows = session.execute(
                select(FeedSubmission.id, FeedSubmission.status)
                .join(Seller, Seller.id == FeedSubmission.seller_pk)
                .where(Seller.seller_id == seller_id)
                .order_by(FeedSubmission.id)
            )
            return [(row.id, row.status) for row in rows]

    return snapshot


def seed_submissions(mws: Mws) -> None:
    """Two queued feeds and one refused at once, for the list and cancel actions to find."""
    for feed in (envelope("OrderAcknowledgement", ack("123-1234567-1234567")),) * 2 + (b"<x/>",):
        assert mws.submit(feed).status_code == 200


def finished_report(mws: Mws, submission_id: str, *, parse: bool = True) -> Any:
    """Run the worker until idle; the submission is _DONE_; its (parsed) result."""
    while mws.app.state.worker.run_once():
        pass
    listed = mws.call("GetFeedSubmissionList", {"FeedSubmissionIdList.Id.1": submission_id})
    assert xml_text(listed.content, "FeedProcessingStatus") == "_DONE_"
    response = mws.call("GetFeedSubmissionResult", {"FeedSubmissionId": submission_id})
    return assert_mws_answer(response, "GetFeedSubmissionResult") if parse else response
