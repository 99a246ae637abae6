"""Signed MWS requests with hostile parameters and feeds: 200 or a 4xx ErrorResponse, never 5xx.

Every property also checks that a refused request changed none of the seller's submissions,
and that every accepted feed ends _DONE_ with a processing report valid against our XSDs.
Inputs that hit a bug pinned by tests/fuzz/test_mws_regressions.py are excused only when
they get exactly that bug's answer (a 500 InternalError); see ``known_bug``.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from feedsvc.feeds.types import FeedType
from feedsvc.mws.actions import ACTIONS
from feedsvc.mws.router import PATHS
from tests.conftest import Mws, xml_text
from tests.fuzz.mws_support import (
    ENVELOPE_SCHEMA,
    NS,
    assert_mws_answer,
    finished_report,
    seed_submissions,
    submissions_of,
)
from tests.fuzz.strategies import (
    CONTENT_TYPES,
    HOSTILE,
    parameter_values,
    xml_documents,
)

FUZZ = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LISTS = ["FeedSubmissionIdList.Id", "FeedTypeList.Type", "FeedProcessingStatusList.Status",
         "MarketplaceIdList.Id"]  # fmt: skip
INDICES = ["1", "2", "0", "x", "999999", "1000000", "01", "-1", "", "1.5", "\u0661", " 1", "1.1"]
NAMES = ["MaxCount", "NextToken", "SubmittedFromDate", "SubmittedToDate", "FeedType",
         "FeedSubmissionId", "ContentMD5Value", "Timestamp", "Expires", "Version", "SellerId",
         "Merchant", "MWSAuthToken"]  # fmt: skip
KEYS = st.one_of(
    st.sampled_from(NAMES),
    st.builds("{}.{}".format, st.sampled_from(LISTS), st.sampled_from(INDICES)),
    st.text(min_size=1, max_size=8),
)
# The parameters each action reads, drawn more often than the rest.
OWN = {
    "SubmitFeed": ["FeedType", "ContentMD5Value"],
    "GetFeedSubmissionList": ["MaxCount", "SubmittedFromDate", "SubmittedToDate"],
    "GetFeedSubmissionListByNextToken": ["NextToken"],
    "GetFeedSubmissionCount": ["SubmittedFromDate", "SubmittedToDate"],
    "CancelFeedSubmissions": ["SubmittedFromDate", "SubmittedToDate"],
    "GetFeedSubmissionResult": ["FeedSubmissionId"],
}
DATES = ("Timestamp", "Expires", "SubmittedFromDate", "SubmittedToDate")


@pytest.mark.parametrize("action", [*ACTIONS, "NoSuchAction", ""])
def test_any_parameters_get_an_mws_answer(mws: Mws, app: FastAPI, action: str) -> None:
    seed_submissions(mws)
    snapshot = submissions_of(app, mws.seller["seller_id"])

    @FUZZ
    @given(
        own=st.fixed_dictionaries(
            {}, optional={name: parameter_values() for name in OWN.get(action, [])}
        ),
        extra=st.dictionaries(KEYS, parameter_values(), max_size=4),
        how=st.sampled_from([("POST", True), ("POST", False), ("GET", False)]),
        path=st.sampled_from(PATHS),
    )
    def fuzz(own: dict[str, str], extra: dict[str, str], how: tuple[str, bool], path: str) -> None:
        extra = {**own, **extra}
        before = snapshot()
        response = mws.call(action, extra, method=how[0], form=how[1], path=path)
        assert_mws_answer(response, action)
        if response.status_code != 200:
            assert snapshot() == before, "a refused request changed submissions"

    fuzz()


def _token(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# Infinity is left out: int(inf) is the OverflowError pinned by the regressions.
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_infinity=False, allow_nan=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=8,
)  # fmt: skip
TOKEN_KEYS = st.sampled_from(["s", "b", "n", "i", "t", "p", "f", "u"])


def test_corrupted_next_tokens_are_refused(mws: Mws) -> None:
    seed_submissions(mws)
    issued = mws.call("GetFeedSubmissionList", {"MaxCount": "1"})
    real = json.loads(base64.urlsafe_b64decode(xml_text(issued.content, "NextToken")))

    def not_ours(payload: dict[str, Any]) -> dict[str, Any]:
        """Tokens forged for this seller's own id are covered by the regressions module."""
        return (
            {**payload, "s": real["s"] + 1} if _as_int(payload.get("s")) == real["s"] else payload
        )

    @settings(FUZZ, max_examples=80)
    @given(
        token=st.one_of(
            st.text(min_size=1, max_size=40),
            st.binary(min_size=1, max_size=60).map(
                lambda raw: base64.urlsafe_b64encode(raw).decode()
            ),
            JSON.map(lambda value: _token(not_ours(value) if isinstance(value, dict) else value)),
            st.dictionaries(TOKEN_KEYS, JSON).map(
                lambda extra: _token(not_ours({**real, **extra}))
            ),
        )
    )
    def fuzz(token: str) -> None:
        response = mws.call("GetFeedSubmissionListByNextToken", {"NextToken": token})
        root = assert_mws_answer(response, "GetFeedSubmissionListByNextToken")
        assert root.findtext(f"{{{NS}}}Error/{{{NS}}}Code") == "NextTokenCorrupted"

    fuzz()


@FUZZ
@given(data=st.data())
def test_any_feed_body_is_refused_or_reported(mws: Mws, app: FastAPI, data: st.DataObject) -> None:
    snapshot = submissions_of(app, mws.seller["seller_id"])
    body = data.draw(st.one_of(st.binary(min_size=1, max_size=2048), xml_documents()))
    feed_type = data.draw(st.sampled_from([*FeedType, "_POST_PRODUCT_DATA_", "x"]))
    content_type = data.draw(CONTENT_TYPES)
    before = snapshot()
    response = mws.submit(body, feed_type, headers={"Content-Type": content_type})
    assert_mws_answer(response, "SubmitFeed")
    if response.status_code != 200:
        assert snapshot() == before, "a refused feed changed submissions"
        return
    submission_id = xml_text(response.content, "FeedSubmissionId")
    if "FLAT_FILE" in feed_type:  # a tab-separated report, not XML
        assert finished_report(mws, submission_id, parse=False).status_code == 200
        return
    report = finished_report(mws, submission_id)
    assert ENVELOPE_SCHEMA.validate(report), ENVELOPE_SCHEMA.error_log


@pytest.mark.parametrize("feed", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_feeds_are_refused_in_the_report(mws: Mws, feed: bytes) -> None:
    response = mws.submit(feed)
    assert_mws_answer(response, "SubmitFeed")
    report = finished_report(mws, xml_text(response.content, "FeedSubmissionId"))
    assert ENVELOPE_SCHEMA.validate(report), ENVELOPE_SCHEMA.error_log
    assert report.findtext(".//Result/ResultCode") == "Error"
    assert b"root:" not in etree.tostring(report)
