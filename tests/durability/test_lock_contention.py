"""Two workers applying feeds that lock the same rows.

Each feed is one transaction, so its locks are held until the whole feed is applied.
On PostgreSQL two feeds that meet on shared orders wait for each other; the questions
here are whether that ends well for both feeds, and whether it costs one of them a failed
attempt (a logged error, the back-off delay, the whole feed applied again, and one of
the FEEDSVC_JOB_MAX_ATTEMPTS that end in a 5002 "internal error" report). On SQLite
feeds never overlap (one writer at a time), so both feeds always pass first time.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.durability.conftest import (
    FEED_ACK,
    FEED_ADJUSTMENT,
    Database,
    Proc,
    Processes,
    Report,
    create_orders,
    order_batch,
    symptom,
    wait_until,
)
from tests.support import ack, ack_item, adjusted_item, adjustment, envelope

pytestmark = pytest.mark.e2e

FILLER = 300  # messages between the two contested ones: long enough for both feeds to overlap


def _two_workers(processes: Processes) -> list[Proc]:
    workers = [processes.worker(f"worker-{n}") for n in (1, 2)]
    for worker in workers:
        processes.wait_started(worker)
    return workers


def _first_attempts(database: Database, workers: list[Proc], processes: Processes) -> None:
    """The symptom: every job done on its first attempt, no worker logged a failure."""
    jobs = database.feed_jobs()
    failures = [
        record
        for worker in workers
        for record in worker.log_records()
        if record.get("message") == "job failed"
    ]
    retried = [j for j in jobs if j["attempts"] != 1]
    symptom(
        not retried and not failures,
        "a feed failed an attempt only because another feed held a lock: "
        + "; ".join(f"job {j['id']} attempts {j['attempts']}: {j['last_error']}" for j in retried)[
            :3000
        ],
    )


def _refund(order: dict[str, Any], amount: str, adjustment_id: str | None = None) -> str:
    return adjustment(
        order["amazon_order_id"],
        adjusted_item(
            order["items"][0]["amazon_order_item_code"],
            components={"Principal": amount},
            adjustment_id=adjustment_id,
        ),
    )


def test_feeds_locking_the_same_orders_in_opposite_order_both_pass_first_time(
    database: Database, processes: Processes
) -> None:
    api = processes.api()
    service = processes.service(api)
    workers = _two_workers(processes)
    p, q, filler_x = create_orders(service.admin, order_batch(service.seller_id, 3))
    (filler_y,) = create_orders(
        service.admin, order_batch(service.seller_id, 1, items_per_order=FILLER)
    )
    # X acknowledges P, then filler_x again and again, then Q (Success: it only locks).
    feed_x = envelope(
        "OrderAcknowledgement",
        ack(p["amazon_order_id"], "Success", merchant_order_id="MO-P"),
        *(ack(filler_x["amazon_order_id"], "Success") for _ in range(FILLER)),
        ack(q["amazon_order_id"], "Success", merchant_order_id="MO-Q"),
    )
    # Y cancels Q, then filler_y's lines one by one, then P.
    feed_y = envelope(
        "OrderAcknowledgement",
        ack(q["amazon_order_id"], "Failure"),
        *(
            ack(filler_y["amazon_order_id"], "Failure", ack_item(i["amazon_order_item_code"]))
            for i in filler_y["items"]
        ),
        ack(p["amazon_order_id"], "Failure"),
    )
    x = service.mws.submit(feed_x, FEED_ACK)
    y = service.mws.submit(feed_y, FEED_ACK)
    wait_until(
        lambda: {database.status(x), database.status(y)} == {"_DONE_"},
        45,
        "both feeds to be applied",
        processes,
        must_live=workers,
    )

    # Whatever happened on the way, both feeds were applied in full, once.
    for submission_id in (x, y):
        report = Report.parse(service.mws.report(submission_id))
        assert (report.processed, report.successful, report.results) == (
            FILLER + 2,
            FILLER + 2,
            [],
        ), report.results[:5]
    for order, merchant_id in ((p, "MO-P"), (q, "MO-Q")):
        seen = service.admin.order(order["amazon_order_id"])
        assert seen["merchant_order_id"] == merchant_id, seen
        assert seen["status"] == "Canceled", seen
        assert [str(c["feed_submission_id"]) for c in seen["cancellations"]] == [y], seen
    assert {(j["status"]) for j in database.feed_jobs()} == {"done"}

    _first_attempts(database, workers, processes)


def test_the_same_adjustment_id_in_two_concurrent_feeds_is_a_clean_duplicate(
    database: Database, processes: Processes
) -> None:
    api = processes.api()
    service = processes.service(api)
    workers = _two_workers(processes)
    p, q, filler_x, filler_y = create_orders(
        service.admin, order_batch(service.seller_id, 4, quantity_shipped=1)
    )
    feeds = [
        envelope(
            "OrderAdjustment",
            _refund(target, "5.00", "ADJ-SAME"),
            *(_refund(filler, "0.01") for _ in range(FILLER)),
        )
        for target, filler in ((p, filler_x), (q, filler_y))
    ]
    ids = [service.mws.submit(feed, FEED_ADJUSTMENT) for feed in feeds]
    wait_until(
        lambda: {database.status(i) for i in ids} == {"_DONE_"},
        45,
        "both feeds to be applied",
        processes,
        must_live=workers,
    )

    # Exactly one of P and Q got the refund; the other feed reports the duplicate.
    reports = {i: Report.parse(service.mws.report(i)) for i in ids}
    duplicates = [i for i in ids if reports[i].results]
    assert len(duplicates) == 1, reports
    assert reports[duplicates[0]].results == [("1", "Error", "91009")], reports
    for submission_id in ids:
        assert reports[submission_id].successful == FILLER + (submission_id not in duplicates)
    refunded = [
        r
        for order in (p, q)
        for r in service.admin.order(order["amazon_order_id"])["refunds"]
        if r["merchant_adjustment_item_id"] == "ADJ-SAME"
    ]
    assert len(refunded) == 1, refunded
    for filler in (filler_x, filler_y):
        seen = service.admin.order(filler["amazon_order_id"])
        assert seen["items"][0]["refunded"] == {"Principal": "3.00"}, seen

    _first_attempts(database, workers, processes)
