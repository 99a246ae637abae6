"""One API process and three ``feedsvc worker`` processes on one database.

Thirty feeds from three sellers, submitted concurrently while the workers run: ten
adjustment feeds race for the refund balance of ONE order line, twenty acknowledgement
feeds cancel orders of their own. Every feed must be applied exactly once, by exactly
one worker, and the refunds must never exceed what was charged.
"""

from __future__ import annotations

import random
import signal
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from tests.durability.conftest import (
    FEED_ACK,
    FEED_ADJUSTMENT,
    Database,
    MwsApi,
    Processes,
    Report,
    cancel_orders_feed,
    create_orders,
    order_batch,
    wait_until,
)
from tests.support import adjusted_item, adjustment, envelope

pytestmark = pytest.mark.e2e

WORKERS = 3
REFUND_FEEDS = 10
REFUND = Decimal("3.00")
PRINCIPAL = Decimal("20.00")
CANCEL_FEEDS_PER_SELLER = 10
ORDERS_PER_CANCEL_FEED = 3


@dataclass(frozen=True)
class Feed:
    """A feed to submit: who sends it, and the orders it cancels (None: the refund)."""

    client: MwsApi
    document: bytes
    feed_type: str
    orders: list[dict[str, Any]] | None = None


def test_thirty_feeds_on_three_workers_are_each_applied_exactly_once(
    database: Database, processes: Processes
) -> None:
    api = processes.api()
    workers = [processes.worker(f"worker-{n}") for n in range(1, WORKERS + 1)]
    for worker in workers:
        processes.wait_started(worker)
    admin = processes.admin(api)
    sellers = [admin.seller() for _ in range(3)]
    clients = [processes.mws(api, seller) for seller in sellers]

    # The contested line: one unit, shipped (so refunds apply at once), Principal 20.00.
    (contested,) = create_orders(
        admin,
        order_batch(
            sellers[0]["seller_id"],
            1,
            item_price=str(PRINCIPAL),
            quantity_shipped=1,
        ),
    )
    line = contested["items"][0]
    assert line["charged"]["Principal"] == str(PRINCIPAL)
    refund_feeds = [
        envelope(
            "OrderAdjustment",
            adjustment(
                contested["amazon_order_id"],
                adjusted_item(
                    line["amazon_order_item_code"],
                    "CustomerReturn",
                    components={"Principal": str(REFUND)},
                    adjustment_id=f"ADJ-{n}",
                ),
            ),
        )
        for n in range(1, REFUND_FEEDS + 1)
    ]

    # Sellers 1 and 2: each cancel feed cancels three orders nobody else touches.
    cancel_jobs: list[tuple[MwsApi, list[dict[str, Any]]]] = []
    for client, seller in zip(clients[1:], sellers[1:], strict=True):
        orders = create_orders(
            admin,
            order_batch(
                seller["seller_id"], CANCEL_FEEDS_PER_SELLER * ORDERS_PER_CANCEL_FEED, quantity=2
            ),
        )
        for start in range(0, len(orders), ORDERS_PER_CANCEL_FEED):
            cancel_jobs.append((client, orders[start : start + ORDERS_PER_CANCEL_FEED]))

    # Submit everything at once, interleaved, from six client threads.
    submissions = [Feed(clients[0], feed, FEED_ADJUSTMENT) for feed in refund_feeds] + [
        Feed(client, cancel_orders_feed(orders), FEED_ACK, orders) for client, orders in cancel_jobs
    ]
    random.shuffle(submissions)
    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = list(pool.map(lambda f: f.client.submit(f.document, f.feed_type), submissions))
    assert len(set(ids)) == len(submissions) == 30

    by_client: dict[int, list[str]] = {}
    for feed, submission_id in zip(submissions, ids, strict=True):
        by_client.setdefault(id(feed.client), []).append(submission_id)

    def all_done() -> bool:
        for client in clients:
            mine = by_client[id(client)]
            statuses = client.statuses(mine)
            if sorted(statuses) != sorted(mine) or set(statuses.values()) != {"_DONE_"}:
                return False
        return True

    wait_until(all_done, 45, "all 30 feeds to be _DONE_", processes, must_live=workers)

    # Each seller counts exactly its own feeds as done.
    for client in clients:
        response = client.call(
            "GetFeedSubmissionCount", {"FeedProcessingStatusList.Status.1": "_DONE_"}
        )
        assert response.status_code == 200, response.text
        assert f"<Count>{len(by_client[id(client)])}</Count>" in response.text, response.text

    # Reports: one per feed, naming its own submission.
    reports: dict[str, Report] = {}
    for feed, submission_id in zip(submissions, ids, strict=True):
        report = Report.parse(feed.client.report(submission_id))
        assert report.document_transaction_id == submission_id
        reports[submission_id] = report

    refund_ids = [i for f, i in zip(submissions, ids, strict=True) if f.orders is None]
    refunded = [i for i in refund_ids if reports[i].successful == 1]
    rejected = [i for i in refund_ids if reports[i].with_error == 1]
    details = "\n".join(f"{i}: {reports[i]}" for i in refund_ids)
    assert len(refunded) == 6 and len(rejected) == 4, details + "\n" + processes.logs()
    for submission_id in refunded:
        assert reports[submission_id].results == [], details
    for submission_id in rejected:
        assert reports[submission_id].results == [("1", "Error", "91005")], details

    order = admin.order(contested["amazon_order_id"])
    assert order["items"][0]["refunded"] == {"Principal": "18.00"}, order
    assert order["items"][0]["pending_refunds"] == {}, order
    assert sum(Decimal(r["total"]) for r in order["refunds"]) == Decimal("18.00"), order
    assert sorted(str(r["feed_submission_id"]) for r in order["refunds"]) == sorted(refunded)
    assert all(r["state"] == "applied" for r in order["refunds"]), order

    # Cancellations: every order once, by its own feed; one buyer e-mail per order.
    for feed, submission_id in zip(submissions, ids, strict=True):
        if feed.orders is None:
            continue
        report = reports[submission_id]
        assert (report.processed, report.successful, report.results) == (3, 3, []), report
        for created in feed.orders:
            seen = admin.order(created["amazon_order_id"])
            assert seen["status"] == "Canceled", seen
            assert [
                (c["quantity"], str(c["feed_submission_id"])) for c in seen["cancellations"]
            ] == [(2, submission_id)], seen
    for seller in sellers[1:]:
        response = admin.http.get("/admin/notifications", params={"seller_id": seller["seller_id"]})
        assert response.status_code == 200, response.text
        notified = Counter(n["amazon_order_id"] for n in response.json())
        assert len(notified) == CANCEL_FEEDS_PER_SELLER * ORDERS_PER_CANCEL_FEED
        assert set(notified.values()) == {1}, notified

    # The queue: one job per feed, done on its first attempt; no job failed.
    jobs = database.feed_jobs()
    assert sorted(str(j["submission_id"]) for j in jobs) == sorted(ids)
    assert {(j["status"], j["attempts"]) for j in jobs} == {("done", 1)}, jobs
    assert not [j for j in database.jobs() if j["status"] == "failed"], database.jobs()

    # Each feed was processed by exactly one worker, once.
    processed = Counter(s for w in workers for s in w.processed_submissions())
    assert sorted(processed) == sorted(int(i) for i in ids), processes.logs()
    assert set(processed.values()) == {1}, processed
    share = {w.name: len(w.processed_submissions()) for w in workers}
    print(f"feeds per worker: {share}")
    for worker in workers:
        assert "Traceback" not in worker.log(), processes.logs()

    # And the workers stop cleanly.
    for worker in workers:
        worker.signal(signal.SIGTERM)
    for worker in workers:
        assert worker.wait(10) == 0, processes.logs()
