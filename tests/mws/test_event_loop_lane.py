"""Small SubmitFeeds run on the event loop, and only while the write would not wait.

Which thread ran the handler is read off ``MwsApi.handle`` (wrapped to note the thread
name; the handler itself runs unchanged): AnyIO's worker threads are named "AnyIO
worker thread", the event loop of the test client runs in a thread of its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text

from feedsvc.db.engine import SQLITE_POOL_SIZE, make_sessionmaker, read_transaction
from feedsvc.feeds.models import FeedSubmission
from feedsvc.mws.router import INLINE_FEED_BYTES
from tests.conftest import Mws, xml_text
from tests.mws.test_readers_never_wait import write_lock_held
from tests.support import ack, envelope, unique_order_id

WORKER_THREAD = "AnyIO worker thread"


@pytest.fixture
def sqlite_only(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the lane is SQLite's: on PostgreSQL every request goes to a thread")


@pytest.fixture
def handler_threads(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    names: list[str] = []
    mws_api = app.state.mws
    handle = mws_api.handle

    def noting(*args: Any) -> Any:
        names.append(threading.current_thread().name)
        return handle(*args)

    monkeypatch.setattr(mws_api, "handle", noting)
    return names


def _feed(messages: int = 1) -> bytes:
    return envelope(
        "OrderAcknowledgement", *(ack(unique_order_id(), "Success") for _ in range(messages))
    )


def _submissions(app: FastAPI) -> int:
    with read_transaction(make_sessionmaker(app.state.engine)) as session:
        return int(session.scalar(select(func.count(FeedSubmission.id))) or 0)


def _in_background(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []
    thread = threading.Thread(target=lambda: outcome.append(call()), daemon=True)
    thread.start()
    return thread, outcome


@pytest.mark.usefixtures("sqlite_only")
def test_a_small_feed_is_handled_on_the_event_loop(mws: Mws, handler_threads: list[str]) -> None:
    response = mws.submit(_feed())
    assert response.status_code == 200, response.text
    assert handler_threads and WORKER_THREAD not in handler_threads


@pytest.mark.usefixtures("sqlite_only")
def test_a_large_feed_and_other_actions_go_to_a_thread(
    mws: Mws, handler_threads: list[str]
) -> None:
    feed = _feed(messages=400)
    assert len(feed) > INLINE_FEED_BYTES
    response = mws.submit(feed)
    assert response.status_code == 200, response.text
    assert mws.call("GetFeedSubmissionCount").status_code == 200
    assert handler_threads == [WORKER_THREAD, WORKER_THREAD]


@pytest.mark.usefixtures("sqlite_only")
def test_a_busy_writer_of_this_process_sends_the_feed_to_a_thread(
    mws: Mws, app: FastAPI, handler_threads: list[str]
) -> None:
    inside, release = threading.Event(), threading.Event()

    def busy_writer() -> None:  # as the in-process worker applying a feed
        with app.state.engine.begin() as connection:
            connection.execute(text("SELECT 1"))  # begins: takes this process's writer lock
            inside.set()
            release.wait(30)

    before = _submissions(app)
    writer = threading.Thread(target=busy_writer, daemon=True)
    writer.start()
    assert inside.wait(10)
    submit, submitted = _in_background(lambda: mws.submit(_feed()))
    try:
        # The loop stays free: a read-only call answers while the feed waits.
        assert mws.call("GetFeedSubmissionCount").status_code == 200
        assert submitted == []
    finally:
        release.set()
        writer.join(20)
    submit.join(20)
    assert submitted and submitted[0].status_code == 200, submitted
    assert handler_threads == [WORKER_THREAD, WORKER_THREAD]  # the feed's and the count's
    assert _submissions(app) == before + 1


@pytest.mark.usefixtures("sqlite_only")
def test_another_process_holding_the_lock_sends_the_feed_to_a_thread(
    mws: Mws, app: FastAPI, database_url: str, handler_threads: list[str]
) -> None:
    before = _submissions(app)
    with write_lock_held(database_url):  # a connection outside this app's engine
        submit, submitted = _in_background(lambda: mws.submit(_feed()))
        deadline = time.monotonic() + 10
        while not handler_threads and time.monotonic() < deadline:
            time.sleep(0.01)
        # The loop tried first, was turned away without writing, and handed it on.
        counted = mws.call("GetFeedSubmissionCount")
        assert counted.status_code == 200, counted.text
        assert submitted == []
    submit.join(20)
    assert submitted and submitted[0].status_code == 200, submitted
    assert xml_text(submitted[0].content, "FeedProcessingStatus") == "_SUBMITTED_"
    # The loop's attempt first; then the feed's and the count's, both in threads.
    assert handler_threads[0] != WORKER_THREAD
    assert handler_threads[1:] == [WORKER_THREAD, WORKER_THREAD]
    assert _submissions(app) == before + 1


@pytest.mark.usefixtures("sqlite_only")
@pytest.mark.timeout(20)  # a checkout that waited would take the pool's 30 s timeout
def test_the_loop_never_waits_for_a_pooled_connection(
    mws: Mws, app: FastAPI, handler_threads: list[str]
) -> None:
    """Threads may hold every pooled connection (waiting for the writer lock the loop
    holds, say): the loop's SubmitFeed opens one more instead of waiting."""
    held = [app.state.engine.connect() for _ in range(SQLITE_POOL_SIZE + 5)]
    try:
        response = mws.submit(_feed())
    finally:
        for connection in held:
            connection.close()
    assert response.status_code == 200, response.text
    assert WORKER_THREAD not in handler_threads


def test_on_postgresql_every_feed_goes_to_a_thread(
    mws: Mws, database_url: str, handler_threads: list[str]
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's behaviour: SQLite's lane is tested above")
    response = mws.submit(_feed())
    assert response.status_code == 200, response.text
    assert handler_threads == [WORKER_THREAD]
