"""Bad input the fuzzers once turned into a 500 InternalError or an invalid report, each
with the answer the MWS rules require."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from lxml import etree

from tests.conftest import FEED_ACK, Mws, xml_text
from tests.fuzz.mws_support import (
    ENVELOPE_SCHEMA,
    NS,
    assert_mws_answer,
    finished_report,
    seed_submissions,
)
from tests.support import ack, envelope

OVERFLOW = "astimezone(UTC) of a date at the edge of datetime's range raises OverflowError"


def error_code(response: Any) -> str | None:
    return etree.fromstring(response.content).findtext(f"{{{NS}}}Error/{{{NS}}}Code")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Timestamp", "0001-01-01T00:00:00+14:00"),
        ("Expires", "9999-12-31T23:59:59-14:00"),
        ("SubmittedFromDate", "0001-01-01T00:00:00+14:00"),
        ("SubmittedToDate", "9999-12-31T23:59:59-01:00"),
    ],
)
def test_a_date_beyond_the_utc_range_is_an_invalid_parameter(
    mws: Mws, name: str, value: str
) -> None:
    response = mws.call("GetFeedSubmissionList", {name: value})
    assert error_code(response) == "InvalidParameterValue", response.text


def test_a_max_count_of_thousands_of_digits_is_an_invalid_parameter(mws: Mws) -> None:
    response = mws.call("GetFeedSubmissionList", {"MaxCount": "9" * 4301})
    assert error_code(response) == "InvalidParameterValue", response.text


FORGED = [  # (field of an issued token, forged value, where it used to fail)
    ("s", float("inf"), "tokens.decode: int(inf) raises OverflowError"),
    ("n", 0, "actions._page: page.submissions[-1] on an empty page raises IndexError"),
    ("n", -1, "actions._page: a LIMIT 0 page, then IndexError"),
    ("n", 2**70, "feeds.repository: a LIMIT beyond SQLite's INTEGER raises OverflowError"),
    ("b", 2**70, "feeds.repository: a before_id beyond SQLite's INTEGER raises OverflowError"),
    ("i", [2**70], "feeds.repository: an id beyond SQLite's INTEGER raises OverflowError"),
    ("f", "2020-01-01T00:00:00", "a naive date reaches the UTCDateTime column: ValueError"),
]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param(field, value, id=f"{field}={value}"[:24])
        for field, value, reason in FORGED
    ],
)  # fmt: skip
def test_a_forged_next_token_is_corrupted(mws: Mws, field: str, value: Any) -> None:
    seed_submissions(mws)
    issued = mws.call("GetFeedSubmissionList", {"MaxCount": "1"})
    payload = json.loads(base64.urlsafe_b64decode(xml_text(issued.content, "NextToken")))
    token = base64.urlsafe_b64encode(json.dumps({**payload, field: value}).encode()).decode()
    response = mws.call("GetFeedSubmissionListByNextToken", {"NextToken": token})
    assert error_code(response) == "NextTokenCorrupted", response.text


def test_a_charset_libxml2_lacks_gets_a_report_not_a_500(mws: Mws) -> None:
    response = mws.submit(b"<x/>", headers={"Content-Type": "text/xml; charset=latin-1"})
    assert_mws_answer(response, "SubmitFeed")


def test_a_flat_file_with_an_unknown_charset_gets_a_report_not_a_500(mws: Mws) -> None:
    response = mws.submit(
        b"\x00",
        "_POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA_",
        headers={"Content-Type": "text/tab-separated-values; charset=x-unknown"},
    )
    assert_mws_answer(response, "SubmitFeed")


def test_a_message_id_of_thousands_of_digits_gets_a_report_not_a_500(mws: Mws) -> None:
    feed = envelope("OrderAcknowledgement", ack("123-1234567-1234567"))
    feed = feed.replace(b"<MessageID>1<", b"<MessageID>" + b"1" * 4301 + b"<")
    assert_mws_answer(mws.submit(feed), "SubmitFeed")


def test_a_21_digit_message_id_still_gets_a_valid_report(mws: Mws) -> None:
    feed = envelope("OrderAcknowledgement", ack("123-1234567-1234567"))
    feed = feed.replace(b"<MessageID>1<", b"<MessageID>" + b"1" * 21 + b"<")
    response = mws.submit(feed, FEED_ACK)
    report = finished_report(mws, xml_text(response.content, "FeedSubmissionId"))
    assert ENVELOPE_SCHEMA.validate(report), ENVELOPE_SCHEMA.error_log


@pytest.mark.parametrize("name", ["FeedTypeList.Type.1", "SellerId"])
def test_a_nul_in_a_parameter_is_not_a_500(mws: Mws, name: str) -> None:
    response = mws.call("GetFeedSubmissionList", {name: "A\x00"})
    assert_mws_answer(response, "GetFeedSubmissionList")
