"""Metrics, health and structured logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from feedsvc.config import Settings
from feedsvc.logs import REQUEST_ID, JsonFormatter
from feedsvc.main import create_app
from tests.conftest import FEED_ADJUSTMENT, Admin, Mws, xml_text
from tests.support import ack, envelope, order_payload


def samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_count_requests_messages_and_the_queue(mws: Mws, admin: Admin) -> None:
    while mws.app.state.worker.run_once():  # the queue is shared: drain other tests' feeds
        pass
    start = samples(mws.client)
    order = admin.order(order_payload(mws.seller["seller_id"]))
    feed = envelope(
        "OrderAcknowledgement",
        ack(order["amazon_order_id"], "Failure"),
        ack("999-0000000-0000000", "Failure"),
    )
    mws.submit(feed)
    mws.submit(feed, FEED_ADJUSTMENT)
    before = samples(mws.client)
    assert before[("feedsvc_queue_depth", ())] == 2
    assert (
        before[("feedsvc_http_requests_total", (("action", "SubmitFeed"), ("status", "200")))] == 2
    )
    while mws.app.state.worker.run_once():
        pass
    mws.call("GetFeedSubmissionResult", {"FeedSubmissionId": "nope"})
    after = samples(mws.client)
    after = {
        key: value - start.get(key, 0) if "_total" in key[0] or "_count" in key[0] else value
        for key, value in after.items()
    }
    assert after[("feedsvc_queue_depth", ())] == 0
    assert after[("feedsvc_jobs_in_flight", ())] == 0
    ack_type = "_POST_ORDER_ACKNOWLEDGEMENT_DATA_"
    assert (
        after[
            (
                "feedsvc_feed_messages_total",
                (("feed_type", ack_type), ("outcome", "applied"), ("result_code", "")),
            )
        ]
        == 1
    )
    assert (
        after[
            (
                "feedsvc_feed_messages_total",
                (("feed_type", ack_type), ("outcome", "rejected"), ("result_code", "18028")),
            )
        ]
        == 1
    )
    assert (
        after[
            (
                "feedsvc_feed_messages_total",
                (("feed_type", FEED_ADJUSTMENT), ("outcome", "rejected"), ("result_code", "91001")),
            )
        ]
        == 2
    )
    assert after[("feedsvc_feed_processing_seconds_count", (("feed_type", ack_type),))] == 1
    assert (
        after[
            (
                "feedsvc_http_requests_total",
                (("action", "GetFeedSubmissionResult"), ("status", "400")),
            )
        ]
        == 1
    )


def test_health_reports_an_unreachable_database() -> None:
    settings = Settings(
        database_url="postgresql://postgres@127.0.0.1:1/none",
        admin_token="unused",
        run_worker=False,
    )
    app = create_app(settings, migrate=False)
    with TestClient(app) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


class _Lines(logging.Handler):
    """Each record as the JSON line the service would write."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.entries: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.entries.append(json.loads(self.format(record)))


@pytest.fixture
def log_lines() -> Iterator[_Lines]:
    lines = _Lines()
    logger = logging.getLogger("feedsvc")
    level = logger.level
    logger.addHandler(lines)
    logger.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        logger.removeHandler(lines)
        logger.setLevel(level)


def test_a_submission_is_logged_with_its_request_and_its_job_with_the_submission(
    mws: Mws, admin: Admin, log_lines: _Lines
) -> None:
    while mws.app.state.worker.run_once():  # the queue is shared: drain other tests' feeds
        pass
    order = admin.order(order_payload(mws.seller["seller_id"]))
    feed = envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
    response = mws.submit(feed)
    assert response.status_code == 200, response.text
    submission_id = int(xml_text(response.content, "FeedSubmissionId"))
    (submitted,) = [e for e in log_lines.entries if e["message"] == "feed submitted"]
    assert submitted == {
        **submitted,
        "level": "INFO",
        "request_id": response.headers["x-mws-request-id"],
        "submission_id": submission_id,
        "feed_type": "_POST_ORDER_ACKNOWLEDGEMENT_DATA_",
        "status": "_SUBMITTED_",
        "seller_id": mws.seller["seller_id"],
        "bytes": len(feed),
    }

    log_lines.entries.clear()
    while mws.app.state.worker.run_once():
        pass
    logging.getLogger("feedsvc.test").info("after the job")
    # Records of the job name its submission though they do not say it themselves.
    (run,) = [e for e in log_lines.entries if e["message"] == "run applied on plain rows"]
    assert run["submission_id"] == submission_id
    assert "submission_id" not in log_lines.entries[-1]
    assert [e["submission_id"] for e in log_lines.entries if e["message"] == "feed processed"] == [
        submission_id
    ]


def test_json_logs_carry_the_request_and_submission_ids() -> None:
    record = logging.LogRecord(
        "feedsvc.test", logging.INFO, __file__, 1, "feed processed", None, None
    )
    record.submission_id = 42
    token = REQUEST_ID.set("req-1")
    try:
        line = JsonFormatter().format(record)
    finally:
        REQUEST_ID.reset(token)
    entry = json.loads(line)
    assert (entry["message"], entry["request_id"], entry["submission_id"]) == (
        "feed processed",
        "req-1",
        42,
    )
    assert entry["level"] == "INFO"
