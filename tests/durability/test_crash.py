"""A worker killed with SIGKILL in the middle of a feed.

The feed cancels 3,000 order lines (300 orders of 10), which takes a second or more to
apply; the kill lands as soon as the first batch has been committed, while the worker's
transaction is open with more messages applied in it. Progress is committed every BATCH_MESSAGES messages together with its effects: afterwards
exactly the committed messages are visible, nothing of the batch that was open; once the
dead worker's lease runs out another worker applies the rest, once.
"""

from __future__ import annotations

import signal
import time
from collections import Counter

import pytest

from feedsvc.feeds.processing import BATCH_MESSAGES
from tests.durability.conftest import (
    FEED_ACK,
    Database,
    Processes,
    Report,
    cancel_items_feed,
    create_orders,
    order_batch,
    wait_until,
)

pytestmark = pytest.mark.e2e

ORDERS = 300
ITEMS_PER_ORDER = 10
MESSAGES = ORDERS * ITEMS_PER_ORDER
LEASE_SECONDS = "3"
BATCH = BATCH_MESSAGES


def test_a_worker_killed_mid_feed_leaves_no_half_batch_and_another_finishes_it_once(
    database: Database, processes: Processes
) -> None:
    api = processes.api()
    service = processes.service(api)
    orders = create_orders(
        service.admin,
        order_batch(service.seller_id, ORDERS, items_per_order=ITEMS_PER_ORDER),
    )
    submission_id = service.mws.submit(cancel_items_feed(orders), FEED_ACK)

    def status() -> str:
        if database.is_sqlite:
            # GetFeedSubmissionList would wait for worker A's write lock until the feed is
            # done (see test_api_while_busy.py): read the committed status directly.
            return database.status(submission_id)
        return service.mws.statuses([submission_id])[submission_id]

    worker_a = processes.worker("worker-a", FEEDSVC_JOB_LEASE_SECONDS=LEASE_SECONDS)
    wait_until(
        lambda: status() == "_IN_PROGRESS_",
        30,
        "worker A to start the feed",
        processes,
        must_live=[worker_a],
    )
    started = time.monotonic()

    def messages_done() -> int:
        query = f"SELECT messages_done FROM feed_submissions WHERE id = {int(submission_id)}"
        return int(database.scalar(query))

    wait_until(
        lambda: messages_done() >= BATCH,
        30,
        "worker A to commit its first batch",
        processes,
        must_live=[worker_a],
    )
    assert database.status(submission_id) == "_IN_PROGRESS_", (
        "worker A finished the feed before it could be killed: make the feed bigger\n"
        + processes.logs()
    )
    worker_a.signal(signal.SIGKILL)
    assert worker_a.wait(10) == -signal.SIGKILL
    killed_after = time.monotonic() - started

    # Exactly the committed batches are visible: their cancellations and buyer e-mails,
    # nothing of the batch that was open, and no report.
    assert service.mws.statuses([submission_id]) == {submission_id: "_IN_PROGRESS_"}
    result = service.mws.call("GetFeedSubmissionResult", {"FeedSubmissionId": submission_id})
    assert "FeedProcessingResultNotReady" in result.text, result.text
    done = messages_done()
    assert done % BATCH == 0, done
    assert done < MESSAGES, done
    assert database.scalar("SELECT count(*) FROM cancellations") == done
    notified = service.admin.http.get(
        "/admin/notifications", params={"seller_id": service.seller_id}
    )
    assert notified.status_code == 200, notified.text
    assert len(notified.json()) == done, notified.text
    assert database.scalar("SELECT count(*) FROM processing_reports") == 0
    (job,) = database.feed_jobs()
    assert (job["status"], job["attempts"]) == ("running", 1), job
    assert f":{worker_a.pid}:" in job["worker_id"], job

    # Two workers with short leases: whichever takes the job over holds it for longer than
    # its lease, and the other one must leave it alone all the same.
    takers = [
        processes.worker(name, FEEDSVC_JOB_LEASE_SECONDS=LEASE_SECONDS)
        for name in ("worker-b", "worker-c")
    ]
    taken_over = time.monotonic()
    wait_until(
        lambda: database.status(submission_id) == "_DONE_",
        45,
        "worker B or C to finish the feed",
        processes,
        must_live=takers,
    )
    print(
        f"killed {killed_after:.1f} s into the feed; "
        f"the takeover finished it {time.monotonic() - taken_over:.1f} s after start-up"
    )

    report = Report.parse(service.mws.report(submission_id))
    assert report.document_transaction_id == submission_id
    assert (report.processed, report.successful, report.results) == (MESSAGES, MESSAGES, []), (
        f"{report.processed} processed, {report.successful} successful, "
        f"first results {report.results[:5]}\n{processes.logs()}"
    )

    (job,) = database.feed_jobs()
    assert (job["status"], job["attempts"]) == ("done", 2), job
    assert worker_a.processed_submissions() == []
    processed = Counter(s for w in takers for s in w.processed_submissions())
    assert processed == Counter({int(submission_id): 1}), processes.logs()
    (finisher,) = [w for w in takers if w.processed_submissions()]
    assert f":{finisher.pid}:" in job["worker_id"], job

    # Every line cancelled exactly once, by this feed; one buyer e-mail per message.
    for order in orders:
        seen = service.admin.order(order["amazon_order_id"])
        assert seen["status"] == "Canceled", seen
        cancelled = sorted(
            (c["amazon_order_item_code"], c["quantity"], str(c["feed_submission_id"]))
            for c in seen["cancellations"]
        )
        expected = sorted((i["amazon_order_item_code"], 1, submission_id) for i in order["items"])
        assert cancelled == expected, seen
    notified = service.admin.http.get(
        "/admin/notifications", params={"seller_id": service.seller_id}
    )
    per_order = Counter(n["amazon_order_id"] for n in notified.json())
    assert per_order == Counter({o["amazon_order_id"]: ITEMS_PER_ORDER for o in orders})
    for worker in takers:
        assert "Traceback" not in worker.log(), processes.logs()
