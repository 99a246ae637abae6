"""No accepted feed is lost when the API process goes away before any worker ran.

Feeds are submitted to ``feedsvc serve --no-worker``; the first API process is stopped
with SIGTERM, a second one (more feeds) is killed with SIGKILL. Only then does a worker
start: it must apply every feed the API acknowledged, and a third API process must list
each one _DONE_ with its report.
"""

from __future__ import annotations

import signal
from collections import Counter

import pytest

from tests.durability.conftest import (
    FEED_ACK,
    FEED_ADJUSTMENT,
    Database,
    Processes,
    Report,
    cancel_orders_feed,
    create_orders,
    order_batch,
    wait_until,
)
from tests.support import adjusted_item, adjustment, envelope

pytestmark = pytest.mark.e2e

FEEDS_PER_API = 6


def test_feeds_accepted_by_an_api_that_then_stops_or_dies_are_all_processed(
    database: Database, processes: Processes
) -> None:
    first_api = processes.api("api-1")
    service = processes.service(first_api)
    # Shipped orders: each feed cancels one (acknowledgement) or refunds 5.00 of another.
    to_cancel = create_orders(service.admin, order_batch(service.seller_id, FEEDS_PER_API))
    to_refund = create_orders(
        service.admin, order_batch(service.seller_id, FEEDS_PER_API, quantity_shipped=1)
    )

    def refund_feed(order: dict[str, object]) -> bytes:
        items = order["items"]
        assert isinstance(items, list)
        return envelope(
            "OrderAdjustment",
            adjustment(
                str(order["amazon_order_id"]),
                adjusted_item(items[0]["amazon_order_item_code"], components={"Principal": "5.00"}),
            ),
        )

    half = FEEDS_PER_API // 2
    feeds: dict[str, dict[str, object]] = {}  # submission id -> the order it changes
    for order in to_cancel[:half]:
        feeds[service.mws.submit(cancel_orders_feed([order]), FEED_ACK)] = order
    for order in to_refund[:half]:
        feeds[service.mws.submit(refund_feed(order), FEED_ADJUSTMENT)] = order
    assert set(service.mws.statuses(list(feeds)).values()) == {"_SUBMITTED_"}

    first_api.signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal: the exit status is
    # "terminated by SIGTERM", not 0 (unlike `feedsvc worker`).
    assert first_api.wait(15) in (0, -signal.SIGTERM), processes.logs()
    assert "Application shutdown complete" in first_api.log(), processes.logs()

    second_api = processes.api("api-2")
    second = processes.mws(second_api, service.mws.seller)
    assert second.statuses(list(feeds)) == dict.fromkeys(feeds, "_SUBMITTED_")
    for order in to_cancel[half:]:
        feeds[second.submit(cancel_orders_feed([order]), FEED_ACK)] = order
    for order in to_refund[half:]:
        feeds[second.submit(refund_feed(order), FEED_ADJUSTMENT)] = order
    second_api.signal(signal.SIGKILL)
    assert second_api.wait(10) == -signal.SIGKILL

    # With no process running, every acknowledged feed is in the database, queued.
    assert len(feeds) == 2 * FEEDS_PER_API
    assert {database.status(f) for f in feeds} == {"_SUBMITTED_"}
    jobs = database.feed_jobs()
    assert sorted(str(j["submission_id"]) for j in jobs) == sorted(feeds), jobs
    assert {j["status"] for j in jobs} == {"queued"}, jobs

    worker = processes.worker("worker")
    wait_until(
        lambda: all(database.status(f) == "_DONE_" for f in feeds),
        30,
        "the worker to apply every feed",
        processes,
        must_live=[worker],
    )
    assert Counter(worker.processed_submissions()) == Counter(int(f) for f in feeds)

    third_api = processes.api("api-3")
    third = processes.mws(third_api, service.mws.seller)
    admin = processes.admin(third_api)
    assert third.statuses(list(feeds)) == dict.fromkeys(feeds, "_DONE_")
    for submission_id, order in feeds.items():
        report = Report.parse(third.report(submission_id))
        assert report.document_transaction_id == submission_id
        assert (report.successful, report.results) == (1, []), report
        seen = admin.order(str(order["amazon_order_id"]))
        if order in to_cancel:
            assert seen["status"] == "Canceled", seen
            assert [str(c["feed_submission_id"]) for c in seen["cancellations"]] == [
                submission_id
            ], seen
        else:
            assert [(str(r["feed_submission_id"]), r["total"]) for r in seen["refunds"]] == [
                (submission_id, "5.00")
            ], seen
    assert {(j["status"], j["attempts"]) for j in database.feed_jobs()} == {("done", 1)}
