"""Status calls answer while another connection holds the database's write lock.

A worker applying a long feed holds the write lock between its checkpoints. On SQLite a
request that began a write transaction (BEGIN IMMEDIATE) would wait for it, up to the
busy timeout; the calls that only read must not.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from fastapi import FastAPI
from sqlalchemy import Connection, text

from feedsvc.db.engine import make_engine
from tests.conftest import Mws, xml_text
from tests.support import ack, envelope, unique_order_id

T = TypeVar("T")
ANSWER_WITHIN = 5.0  # seconds; a request stuck behind the lock waits the busy timeout (30 s)


@contextmanager
def write_lock_held(database_url: str) -> Iterator[None]:
    """Hold the write lock from a connection of the test's own, as a busy worker does."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:  # SQLite: the engine's BEGIN IMMEDIATE
            _lock(connection)
            yield
            connection.rollback()
    finally:
        engine.dispose()


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text("SELECT 1"))  # begins the transaction: BEGIN IMMEDIATE
    else:  # PostgreSQL: block every writer of the tables a poll reads
        connection.execute(text("LOCK TABLE feed_submissions, jobs IN EXCLUSIVE MODE"))


def _within(seconds: float, call: Callable[[], T]) -> T:
    """Run ``call`` in a thread; its result, or fail if it takes longer than ``seconds``."""
    outcome: list[T] = []
    thread = threading.Thread(target=lambda: outcome.append(call()), daemon=True)
    began = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert outcome, f"no answer within {seconds} s (still waiting: {thread.is_alive()})"
    assert time.monotonic() - began < seconds
    return outcome[0]


def test_status_calls_answer_while_the_write_lock_is_held(
    mws: Mws, app: FastAPI, database_url: str
) -> None:
    feed = envelope("OrderAcknowledgement", ack(unique_order_id(), "Success"))
    submitted = mws.submit(feed)
    assert submitted.status_code == 200, submitted.text
    submission_id = xml_text(submitted.content, "FeedSubmissionId")

    with write_lock_held(database_url):
        listed = _within(
            ANSWER_WITHIN,
            lambda: mws.call("GetFeedSubmissionList", {"FeedSubmissionIdList.Id.1": submission_id}),
        )
        counted = _within(ANSWER_WITHIN, lambda: mws.call("GetFeedSubmissionCount"))

    assert listed.status_code == 200, listed.text
    assert xml_text(listed.content, "FeedSubmissionId") == submission_id
    assert counted.status_code == 200, counted.text
    assert int(xml_text(counted.content, "Count")) >= 1
