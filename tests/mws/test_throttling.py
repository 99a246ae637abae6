"""Quotas and faults on demand, through the in-process HTTP interface."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from feedsvc.accounts.models import Seller
from feedsvc.queue.models import Job
from feedsvc.throttling.models import QuotaBucket
from tests.conftest import Admin, Mws, xml_text
from tests.support import ack, content_md5, envelope, order_payload

ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def throttle(admin: Admin, seller: dict[str, Any], mode: str, speed: float = 1.0) -> None:
    response = admin.client.patch(
        f"/admin/sellers/{seller['seller_id']}",
        json={"throttling": {"mode": mode, "speed": speed}},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["throttling"] == {"mode": mode, "speed": speed}


def arm(admin: Admin, seller: dict[str, Any], kind: str, body: dict[str, Any]) -> None:
    admin.post(f"/admin/sellers/{seller['seller_id']}/faults/{kind}", body)


def test_real_quota_headers_and_throttling(mws: Mws, admin: Admin) -> None:
    throttle(admin, mws.seller, "real")
    first = mws.call("GetFeedSubmissionCount")
    assert first.headers["x-mws-quota-max"] == "80.0"
    assert first.headers["x-mws-quota-remaining"] == "79.0"
    assert ISO_MS.fullmatch(first.headers["x-mws-quota-resetsOn"])
    for _ in range(9):
        assert mws.call("GetFeedSubmissionCount").status_code == 200
    throttled = mws.call("GetFeedSubmissionCount")
    assert throttled.status_code == 503
    assert xml_text(throttled.content, "Code") == "RequestThrottled"
    assert xml_text(throttled.content, "Message") == "Request is throttled"
    assert xml_text(throttled.content, "Type") == ""
    assert throttled.headers["x-mws-quota-remaining"] == "70.0"
    # Quotas are per operation: another one is untouched.
    assert mws.call("GetFeedSubmissionList").headers["x-mws-quota-remaining"] == "79.0"


def test_accelerated_quota_restores_in_moments(mws: Mws, admin: Admin) -> None:
    throttle(admin, mws.seller, "accelerated", speed=30.0)  # a 45 s restore takes 1.5 s
    admitted = 0
    while mws.call("GetFeedSubmissionCount").status_code == 200:
        admitted += 1
        assert admitted <= 12, "the burst of 10 was never spent"
    # The burst is 10; on a slow machine a token or two may restore meanwhile.
    assert 10 <= admitted <= 12
    deadline = time.monotonic() + 10
    while mws.call("GetFeedSubmissionCount").status_code != 200:
        assert time.monotonic() < deadline, "the quota never restored"
        time.sleep(0.1)


def test_hourly_quota_exceeded(mws: Mws, admin: Admin, session: Session) -> None:
    throttle(admin, mws.seller, "real")
    feed = envelope("OrderAcknowledgement", ack("111-1111111-1111111", "Failure"))
    assert mws.submit(feed).headers["x-mws-quota-remaining"] == "29.0"
    # Spend the rest of the hour without waiting for the burst to restore.
    seller_pk = select(Seller.id).where(Seller.seller_id == mws.seller["seller_id"])
    session.execute(
        update(QuotaBucket)
        .where(QuotaBucket.seller_pk == seller_pk.scalar_subquery())
        .values(window_count=30)
    )
    session.commit()
    response = mws.submit(feed)
    assert (response.status_code, xml_text(response.content, "Code")) == (503, "QuotaExceeded")
    message = xml_text(response.content, "Message")
    assert "quota of 30.0 requests per 1 hour for operation Feeds/2009-01-01/SubmitFeed" in message
    assert response.headers["x-mws-quota-resetsOn"] in message
    assert response.headers["x-mws-quota-remaining"] == "0.0"


def test_throttling_off_sends_no_quota_headers(mws: Mws, admin: Admin) -> None:
    throttle(admin, mws.seller, "off")
    response = mws.call("GetFeedSubmissionCount")
    assert "x-mws-quota-max" not in response.headers


def test_failed_requests_still_count(mws: Mws, admin: Admin) -> None:
    throttle(admin, mws.seller, "real")
    bad = mws.call("GetFeedSubmissionList", {"MaxCount": "1000"})
    assert bad.status_code == 400
    assert bad.headers["x-mws-quota-remaining"] == "79.0"
    assert mws.call("GetFeedSubmissionList").headers["x-mws-quota-remaining"] == "78.0"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        pytest.param("RequestThrottled", 503, id="throttled"),
        pytest.param("QuotaExceeded", 503, id="quota"),
        pytest.param("InternalError", 500, id="internal"),
    ],
)
def test_injected_errors_fire_the_requested_number_of_times(
    mws: Mws, admin: Admin, error: str, status: int
) -> None:
    arm(
        admin,
        mws.seller,
        "errors",
        {"operation": "GetFeedSubmissionCount", "error": error, "count": 2},
    )
    answers = [mws.call("GetFeedSubmissionCount") for _ in range(3)]
    assert [a.status_code for a in answers] == [status, status, 200]
    assert xml_text(answers[0].content, "Code") == error
    # Other operations are not affected.
    assert mws.call("GetFeedSubmissionList").status_code == 200


def test_an_injected_error_fires_only_for_its_seller(mws: Mws, admin: Admin) -> None:
    other = Mws(mws.client, admin.seller(), mws.app)
    arm(
        admin,
        other.seller,
        "errors",
        {"operation": "GetFeedSubmissionCount", "error": "InternalError", "count": 1},
    )
    assert mws.call("GetFeedSubmissionCount").status_code == 200
    assert other.call("GetFeedSubmissionCount").status_code == 500
    assert other.call("GetFeedSubmissionCount").status_code == 200


def test_feed_hold_keeps_a_feed_in_progress(mws: Mws, admin: Admin, session: Session) -> None:
    while mws.app.state.worker.run_once():  # the queue is shared: drain other tests' feeds
        pass
    order = admin.order(order_payload(mws.seller["seller_id"]))
    # Held far longer than the test takes, however busy the machine; the end of the hold
    # is brought forward below instead of waited for.
    arm(admin, mws.seller, "feed-holds", {"status": "_IN_SAFETY_NET_", "seconds": 600})
    response = mws.submit(
        envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
    )
    submission_id = xml_text(response.content, "FeedSubmissionId")
    assert mws.app.state.worker.run_once()  # claims it and puts it on hold
    listed = mws.call("GetFeedSubmissionList", {"FeedSubmissionIdList.Id.1": submission_id})
    assert xml_text(listed.content, "FeedProcessingStatus") == "_IN_SAFETY_NET_"
    assert xml_text(listed.content, "StartedProcessingDate")
    assert not mws.app.state.worker.run_once()  # nothing runnable while held
    result = mws.call("GetFeedSubmissionResult", {"FeedSubmissionId": submission_id})
    assert xml_text(result.content, "Code") == "FeedProcessingResultNotReady"
    cancel = mws.call("CancelFeedSubmissions", {"FeedSubmissionIdList.Id.1": submission_id})
    assert xml_text(cancel.content, "Count") == "0"
    assert admin.get(f"/admin/orders/{order['amazon_order_id']}")["status"] == "Unshipped"
    session.execute(
        update(Job)
        .where(Job.submission_id == int(submission_id))
        .values(run_after=datetime.now(UTC) - timedelta(seconds=1))
    )
    session.commit()
    assert mws.app.state.worker.run_once()
    listed = mws.call("GetFeedSubmissionList", {"FeedSubmissionIdList.Id.1": submission_id})
    assert xml_text(listed.content, "FeedProcessingStatus") == "_DONE_"
    assert admin.get(f"/admin/orders/{order['amazon_order_id']}")["status"] == "Canceled"


def test_wrong_content_md5_then_correct(mws: Mws, admin: Admin) -> None:
    submission_id = mws.submit_and_process(b"<broken")
    arm(admin, mws.seller, "wrong-content-md5", {"count": 1})
    wrong = mws.call("GetFeedSubmissionResult", {"FeedSubmissionId": submission_id})
    assert wrong.status_code == 200
    assert wrong.headers["content-md5"] != content_md5(wrong.content)
    right = mws.call("GetFeedSubmissionResult", {"FeedSubmissionId": submission_id})
    assert right.headers["content-md5"] == content_md5(right.content)
    assert right.content == wrong.content


def test_content_md5_can_be_omitted_for_boto(mws: Mws, admin: Admin) -> None:
    submission_id = mws.submit_and_process(b"<broken")
    response = admin.client.patch(
        f"/admin/sellers/{mws.seller['seller_id']}",
        json={"send_result_content_md5": False},
        headers=admin.headers,
    )
    assert response.json()["send_result_content_md5"] is False
    result = mws.call("GetFeedSubmissionResult", {"FeedSubmissionId": submission_id})
    assert result.status_code == 200
    assert "content-md5" not in result.headers


def test_faults_can_be_listed_and_cleared(mws: Mws, admin: Admin) -> None:
    arm(
        admin,
        mws.seller,
        "errors",
        {"operation": "SubmitFeed", "error": "InternalError", "count": 3},
    )
    path = f"/admin/sellers/{mws.seller['seller_id']}/faults"
    [fault] = admin.get(path)
    assert (fault["kind"], fault["operation"], fault["remaining"]) == (
        "InternalError",
        "SubmitFeed",
        3,
    )
    assert admin.client.delete(path, headers=admin.headers).status_code == 204
    assert admin.get(path) == []


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"operation": "ListOrders", "error": "InternalError"}, id="unknown-operation"),
        pytest.param({"operation": "SubmitFeed", "error": "AccessDenied"}, id="unknown-error"),
        pytest.param(
            {"operation": "SubmitFeed", "error": "InternalError", "count": 0}, id="count-0"
        ),
    ],
)
def test_bad_fault_requests(mws: Mws, admin: Admin, body: dict[str, Any]) -> None:
    response = admin.client.post(
        f"/admin/sellers/{mws.seller['seller_id']}/faults/errors", json=body, headers=admin.headers
    )
    assert response.status_code == 422
