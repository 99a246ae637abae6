"""The MWS API while a worker applies a long feed in another process."""

from __future__ import annotations

import time

import pytest

from tests.durability.conftest import (
    FEED_ACK,
    ON_SQLITE,
    Database,
    Processes,
    Report,
    cancel_items_feed,
    create_orders,
    order_batch,
    symptom,
    wait_until,
)

pytestmark = pytest.mark.e2e

# A feed that takes a few seconds to apply: ~3 s on SQLite here, about as long on
# PostgreSQL (more round trips per message) with half as many messages.
ORDERS = 600 if ON_SQLITE else 300
ITEMS_PER_ORDER = 10
MESSAGES = ORDERS * ITEMS_PER_ORDER
ANSWER_WITHIN = 2.0


def test_get_feed_submission_list_answers_while_a_worker_applies_a_long_feed(
    database: Database, processes: Processes
) -> None:
    api = processes.api()
    service = processes.service(api)
    orders = create_orders(
        service.admin,
        order_batch(service.seller_id, ORDERS, items_per_order=ITEMS_PER_ORDER),
    )
    submission_id = service.mws.submit(cancel_items_feed(orders), FEED_ACK)
    worker = processes.worker("worker")
    wait_until(
        lambda: database.status(submission_id) == "_IN_PROGRESS_",
        30,
        "the worker to start the feed",
        processes,
        must_live=[worker],
    )

    asked = time.monotonic()
    statuses = service.mws.statuses([submission_id])
    waited = time.monotonic() - asked
    symptom(
        waited < ANSWER_WITHIN and statuses == {submission_id: "_IN_PROGRESS_"},
        f"GetFeedSubmissionList answered {statuses} after {waited:.1f} s "
        f"(the feed was _IN_PROGRESS_ when it was asked)",
    )

    wait_until(
        lambda: database.status(submission_id) == "_DONE_",
        45,
        "the worker to finish the feed",
        processes,
        must_live=[worker],
    )
    report = Report.parse(service.mws.report(submission_id))
    assert (report.processed, report.successful) == (MESSAGES, MESSAGES)
