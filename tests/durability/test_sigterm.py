"""SIGTERM stops ``feedsvc worker`` gracefully: the feed it is applying is finished, no
new one is started, the process exits 0, and the next worker picks up the rest."""

from __future__ import annotations

import signal
import time
from collections import Counter

import pytest

from tests.durability.conftest import (
    FEED_ACK,
    Database,
    Processes,
    Report,
    cancel_items_feed,
    cancel_orders_feed,
    create_orders,
    order_batch,
    wait_until,
)

pytestmark = pytest.mark.e2e

ORDERS = 100
ITEMS_PER_ORDER = 10
MESSAGES = ORDERS * ITEMS_PER_ORDER  # one to a few seconds of work
FEW_SECONDS = 15.0  # the rest of that feed, on a busy 2-core machine


def test_sigterm_finishes_the_current_feed_and_starts_no_other(
    database: Database, processes: Processes
) -> None:
    api = processes.api()
    service = processes.service(api)
    big_orders = create_orders(
        service.admin, order_batch(service.seller_id, ORDERS, items_per_order=ITEMS_PER_ORDER)
    )
    small_orders = create_orders(service.admin, order_batch(service.seller_id, 2, quantity=2))
    big = service.mws.submit(cancel_items_feed(big_orders), FEED_ACK)
    small = service.mws.submit(cancel_orders_feed(small_orders), FEED_ACK)

    first = processes.worker("worker-1")
    wait_until(
        lambda: database.status(big) == "_IN_PROGRESS_",
        30,
        "worker 1 to start the big feed",
        processes,
        must_live=[first],
    )
    first.signal(signal.SIGTERM)
    signalled = time.monotonic()
    code = first.wait(FEW_SECONDS)
    assert code == 0, f"worker 1 exit code {code}\n{processes.logs()}"
    print(f"worker 1 exited {time.monotonic() - signalled:.1f} s after SIGTERM")

    # It finished the feed it had started, and did not take the next one.
    assert database.status(big) == "_DONE_", processes.logs()
    assert database.status(small) == "_SUBMITTED_", processes.logs()
    assert first.processed_submissions() == [int(big)]
    log = first.log()
    assert "worker stopped" in log and "Traceback" not in log, log

    second = processes.worker("worker-2")
    wait_until(
        lambda: database.status(small) == "_DONE_",
        30,
        "worker 2 to apply the small feed",
        processes,
        must_live=[second],
    )
    assert second.processed_submissions() == [int(small)]

    big_report = Report.parse(service.mws.report(big))
    assert (big_report.processed, big_report.successful, big_report.results) == (
        MESSAGES,
        MESSAGES,
        [],
    ), big_report.results[:5]
    small_report = Report.parse(service.mws.report(small))
    assert (small_report.successful, small_report.results) == (2, []), small_report
    jobs = {str(j["submission_id"]): j for j in database.feed_jobs()}
    assert {(j["status"], j["attempts"]) for j in jobs.values()} == {("done", 1)}, jobs
    assert f":{first.pid}:" in jobs[big]["worker_id"]
    assert f":{second.pid}:" in jobs[small]["worker_id"]

    for order, feed in [*((o, big) for o in big_orders), *((o, small) for o in small_orders)]:
        seen = service.admin.order(order["amazon_order_id"])
        assert seen["status"] == "Canceled", seen
        assert Counter(c["amazon_order_item_code"] for c in seen["cancellations"]) == Counter(
            i["amazon_order_item_code"] for i in order["items"]
        ), seen
        assert {str(c["feed_submission_id"]) for c in seen["cancellations"]} == {feed}, seen

    # An idle worker stops at once.
    second.signal(signal.SIGTERM)
    signalled = time.monotonic()
    assert second.wait(5) == 0, processes.logs()
    assert time.monotonic() - signalled < 5
    assert "Traceback" not in second.log(), second.log()
