"""Fixtures for the queue tests: a database of each test's own, workers, and row snapshots.

The run's shared database is not good enough here: other tests leave feeds queued in
it (they submit without running the worker), and a worker claims the oldest job first,
so "idle", "one job per call" and "this worker took that job" would depend on what ran
before. Each test gets an empty database instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from feedsvc.clock import FixedClock
from feedsvc.db.engine import transaction
from feedsvc.feeds.models import FeedSubmission
from feedsvc.queue.models import Job
from feedsvc.queue.worker import Worker
from tests.conftest import Admin, Mws, xml_text
from tests.support import ack, envelope, order_payload, own_database

T = TypeVar("T")


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for this test alone (a schema of its own on PostgreSQL)."""
    with own_database(tmp_path, "queue_test") as url:
        yield url


WorkerFactory = Callable[..., Worker]


@pytest.fixture
def make_worker(app: FastAPI, clock: FixedClock) -> WorkerFactory:
    """Workers on the app's database: ``make_worker("worker-a", lease_seconds=0.05)``."""

    def build(worker_id: str, *, sessions: Any = None, **options: Any) -> Worker:
        options.setdefault("poll_seconds", 0.01)
        return Worker(sessions or app.state.sessions, clock=clock, worker_id=worker_id, **options)

    return build


def submit_cancellation(mws: Mws, admin: Admin) -> tuple[int, str]:
    """Queue a feed that cancels a fresh one-line, two-unit order; (submission id, order id)."""
    order = admin.order(order_payload(mws.seller["seller_id"]))
    order_id = order["amazon_order_id"]
    response = mws.submit(envelope("OrderAcknowledgement", ack(order_id, "Failure")))
    assert response.status_code == 200, response.text
    return int(xml_text(response.content, "FeedSubmissionId")), order_id


def feed_status(mws: Mws, submission_id: int) -> str:
    """The FeedProcessingStatus a seller sees through GetFeedSubmissionList."""
    response = mws.call("GetFeedSubmissionList", {"FeedSubmissionIdList.Id.1": str(submission_id)})
    assert response.status_code == 200, response.text
    return xml_text(response.content, "FeedProcessingStatus")


def cancelled_units(admin: Admin, order_id: str) -> list[int]:
    """The quantity of each cancellation recorded on the order, oldest first."""
    return [c["quantity"] for c in admin.get(f"/admin/orders/{order_id}")["cancellations"]]


def job_of(session: Session, submission_id: int) -> Job:
    """A fresh snapshot of the submission's job (read in a transaction of its own, so
    the SQLite write lock that BEGIN IMMEDIATE takes is not held by the test)."""
    with session.begin():
        query = select(Job).where(Job.submission_id == submission_id)
        return session.scalars(query.execution_options(populate_existing=True)).one()


def submission_of(session: Session, submission_id: int) -> FeedSubmission:
    with session.begin():
        query = select(FeedSubmission).where(FeedSubmission.id == submission_id)
        return session.scalars(query.execution_options(populate_existing=True)).one()


def stored_status(sessions: sessionmaker[Session], submission_id: int) -> str:
    """The submission's status read straight from the database: cheap enough to poll,
    where polling GetFeedSubmissionList would run into the MWS request quotas."""
    with transaction(sessions) as session:
        return session.get_one(FeedSubmission, submission_id).status


def wall_now() -> datetime:
    """The queue's clock: leases and backoff use the wall clock, not the test clock."""
    return datetime.now(UTC)


def eventually(attempt: Callable[[], T | None], *, timeout: float = 5.0) -> T:
    """Call ``attempt`` until it returns something truthy, for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = attempt()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting after {timeout} s")
        time.sleep(0.01)


class WorkerCrashed(BaseException):
    """Stands for the worker's process dying: not an Exception, so the worker cannot catch it."""


class CrashingSessions:
    """A session factory whose ``crash_at``-th session kills the worker using it. In
    ``Worker.run_once`` the first transaction claims the job and the second runs it, so
    ``crash_at=2`` leaves a claimed job behind that nobody will finish."""

    def __init__(self, sessions: sessionmaker[Session], *, crash_at: int = 2) -> None:
        self._sessions = sessions
        self._crash_at = crash_at
        self._calls = 0

    def __call__(self) -> Session:
        self._calls += 1
        if self._calls == self._crash_at:
            raise WorkerCrashed
        return self._sessions()


class PausingSessions:
    """A session factory that stops a worker at the start of its ``pause_at``-th
    transaction until ``resume()``: ``pause_at=2`` freezes a worker between claiming a
    job and running it, ``pause_at=3`` between a failed attempt and recording it."""

    def __init__(self, sessions: sessionmaker[Session], *, pause_at: int = 2) -> None:
        self._sessions = sessions
        self._pause_at = pause_at
        self._calls = 0
        self.paused = threading.Event()
        self._resume = threading.Event()

    def __call__(self) -> Session:
        self._calls += 1
        if self._calls == self._pause_at:
            self.paused.set()
            if not self._resume.wait(timeout=10):
                raise TimeoutError("the test never resumed this worker")
        return self._sessions()

    def resume(self) -> None:
        self._resume.set()


Pausing = Callable[..., PausingSessions]


@pytest.fixture
def pausing(app: FastAPI) -> Iterator[Pausing]:
    """``pausing(pause_at=2)``: PausingSessions on the app's database, all resumed when the
    test ends (even a failing one) so no worker thread outlives it."""
    made: list[PausingSessions] = []

    def build(**options: int) -> PausingSessions:
        made.append(PausingSessions(app.state.sessions, **options))
        return made[-1]

    yield build
    for sessions in made:
        sessions.resume()


class Background:
    """``worker.run_once()`` in a thread, with its result."""

    def __init__(self, worker: Worker) -> None:
        self.result: bool | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(worker,), daemon=True)
        self._thread.start()

    def _run(self, worker: Worker) -> None:
        try:
            self.result = worker.run_once()
        except BaseException as exc:
            self.error = exc

    def join(self) -> bool | None:
        self._thread.join(timeout=10)
        assert not self._thread.is_alive(), "run_once did not return"
        if self.error is not None:
            raise self.error
        return self.result
