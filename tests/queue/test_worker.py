"""The worker against the real database: one job per call, leases, retries, cancels, stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from feedsvc.clock import FixedClock
from feedsvc.config import Settings
from feedsvc.db.engine import transaction
from feedsvc.feeds.models import FeedDocument
from feedsvc.main import create_app
from feedsvc.queue.models import Job, JobStatus
from tests.conftest import ADMIN_TOKEN, Admin, Mws, xml_text
from tests.queue.conftest import (
    Background,
    CrashingSessions,
    Pausing,
    WorkerCrashed,
    WorkerFactory,
    cancelled_units,
    eventually,
    feed_status,
    job_of,
    stored_status,
    submission_of,
    submit_cancellation,
    wall_now,
)


def order_applied_once(admin: Admin, order_id: str) -> None:
    """The feed cancelled the order's two units, once."""
    order = admin.get(f"/admin/orders/{order_id}")
    assert [c["quantity"] for c in order["cancellations"]] == [2]
    assert [i["quantity_cancelled"] for i in order["items"]] == [2]
    assert order["status"] == "Canceled"


def corrupt_content(session: Session) -> None:
    """Make the stored feed unreadable, so that processing it raises."""
    session.execute(update(FeedDocument).values(content=b"this is not XML \x00\xff"))


def delete_content(session: Session) -> None:
    """Lose the stored feed, so that processing it raises."""
    session.execute(delete(FeedDocument))


def end_backoff(app: FastAPI) -> None:
    """Move the job's run_after into the past instead of sleeping through the backoff."""
    with transaction(app.state.sessions) as tx:
        tx.execute(update(Job).values(run_after=wall_now() - timedelta(seconds=1)))


class TestRunOnce:
    def test_idle_worker_returns_false(self, make_worker: WorkerFactory) -> None:
        assert make_worker("worker-a").run_once() is False

    def test_processes_one_job_per_call_oldest_first(
        self, mws: Mws, admin: Admin, session: Session, make_worker: WorkerFactory
    ) -> None:
        first, first_order = submit_cancellation(mws, admin)
        second, second_order = submit_cancellation(mws, admin)
        worker = make_worker("worker-a")

        assert worker.run_once() is True
        assert [feed_status(mws, first), feed_status(mws, second)] == ["_DONE_", "_SUBMITTED_"]
        assert (cancelled_units(admin, first_order), cancelled_units(admin, second_order)) == (
            [2],
            [],
        )

        assert worker.run_once() is True
        assert [feed_status(mws, first), feed_status(mws, second)] == ["_DONE_", "_DONE_"]
        assert cancelled_units(admin, second_order) == [2]

        assert worker.run_once() is False
        for submission_id in (first, second):
            job = job_of(session, submission_id)
            assert (job.status, job.attempts, job.worker_id) == (JobStatus.DONE, 1, "worker-a")
            assert job.finished_at is not None and job.lease_expires_at is None

    def test_feed_goes_submitted_then_in_progress_then_done(
        self,
        app: FastAPI,
        mws: Mws,
        admin: Admin,
        session: Session,
        clock: FixedClock,
        make_worker: WorkerFactory,
        pausing: Pausing,
    ) -> None:
        submission_id, order_id = submit_cancellation(mws, admin)
        assert feed_status(mws, submission_id) == "_SUBMITTED_"

        # Stop the worker after its first transaction (the claim), before it runs the job.
        paused = pausing()
        run = Background(make_worker("worker-a", sessions=paused))
        assert paused.paused.wait(timeout=5)
        assert feed_status(mws, submission_id) == "_IN_PROGRESS_"
        assert submission_of(session, submission_id).started_at == clock.now()
        job = job_of(session, submission_id)
        assert (job.status, job.worker_id, job.attempts) == (JobStatus.RUNNING, "worker-a", 1)
        assert job.lease_expires_at is not None and job.lease_expires_at > wall_now()
        assert cancelled_units(admin, order_id) == []
        # Started feeds can no longer be cancelled, nor taken by another worker.
        cancel = mws.call(
            "CancelFeedSubmissions", {"FeedSubmissionIdList.Id.1": str(submission_id)}
        )
        assert xml_text(cancel.content, "Count") == "0"
        assert make_worker("worker-b").run_once() is False

        paused.resume()
        assert run.join() is True
        assert feed_status(mws, submission_id) == "_DONE_"
        order_applied_once(admin, order_id)
        job = job_of(session, submission_id)
        assert (job.status, job.worker_id, job.attempts) == (JobStatus.DONE, "worker-a", 1)


class TestLeases:
    def test_expired_lease_is_reclaimed_by_another_worker(
        self,
        app: FastAPI,
        mws: Mws,
        admin: Admin,
        session: Session,
        make_worker: WorkerFactory,
    ) -> None:
        submission_id, order_id = submit_cancellation(mws, admin)
        first = make_worker(
            "worker-a", sessions=CrashingSessions(app.state.sessions), lease_seconds=0.05
        )
        second = make_worker("worker-b", lease_seconds=0.05)

        # The first worker claims the job and dies before running it.
        with pytest.raises(WorkerCrashed):
            first.run_once()
        assert feed_status(mws, submission_id) == "_IN_PROGRESS_"
        assert job_of(session, submission_id).worker_id == "worker-a"

        # Once its lease has run out, the second worker takes the job over.
        eventually(second.run_once, timeout=5)
        assert feed_status(mws, submission_id) == "_DONE_"
        job = job_of(session, submission_id)
        assert (job.status, job.worker_id, job.attempts) == (JobStatus.DONE, "worker-b", 2)
        assert second.run_once() is False
        order_applied_once(admin, order_id)

    @pytest.mark.parametrize(
        "second_has_finished",
        [
            pytest.param(True, id="after-the-new-holder-finished"),
            pytest.param(False, id="while-the-new-holder-runs"),
        ],
    )
    def test_worker_that_lost_its_lease_does_not_apply_the_feed(
        self,
        app: FastAPI,
        mws: Mws,
        admin: Admin,
        session: Session,
        make_worker: WorkerFactory,
        pausing: Pausing,
        second_has_finished: bool,
    ) -> None:
        submission_id, order_id = submit_cancellation(mws, admin)
        slow = pausing()
        first = make_worker("worker-a", sessions=slow, lease_seconds=0.05)
        first_run = Background(first)
        assert slow.paused.wait(timeout=5)

        # The first worker stalls between claiming and running; its lease runs out
        # and the second worker claims the job (pausing too, unless it may finish).
        successor = pausing(pause_at=0 if second_has_finished else 2)
        second = make_worker("worker-b", sessions=successor, lease_seconds=30)

        def second_claims() -> Background | None:
            expires = job_of(session, submission_id).lease_expires_at
            assert expires is not None
            if wall_now() <= expires:
                return None
            run = Background(second)
            if not second_has_finished:
                assert successor.paused.wait(timeout=5)
            return run

        second_run = eventually(second_claims, timeout=5)
        if second_has_finished:
            assert second_run.join() is True
        assert job_of(session, submission_id).worker_id == "worker-b"

        # The first worker comes back: it must notice and leave the job alone.
        slow.resume()
        assert first_run.join() is True
        expected = "_DONE_" if second_has_finished else "_IN_PROGRESS_"
        assert feed_status(mws, submission_id) == expected
        assert cancelled_units(admin, order_id) == ([2] if second_has_finished else [])
        job = job_of(session, submission_id)
        assert job.worker_id == "worker-b"
        assert job.status == (JobStatus.DONE if second_has_finished else JobStatus.RUNNING)

        successor.resume()
        assert second_run.join() is True
        assert feed_status(mws, submission_id) == "_DONE_"
        order_applied_once(admin, order_id)
        assert job_of(session, submission_id).status == JobStatus.DONE

    def test_worker_that_lost_its_lease_does_not_record_its_failure_on_the_job(
        self,
        app: FastAPI,
        mws: Mws,
        admin: Admin,
        session: Session,
        make_worker: WorkerFactory,
        pausing: Pausing,
    ) -> None:
        submission_id, order_id = submit_cancellation(mws, admin)
        with transaction(app.state.sessions) as tx:
            original = tx.get_one(FeedDocument, (submission_id, 0)).content
            corrupt_content(tx)
        # The first worker's attempt fails; it stalls before recording the failure
        # (its third transaction) while its lease runs out.
        slow = pausing(pause_at=3)
        first_run = Background(make_worker("worker-a", sessions=slow, lease_seconds=0.05))
        assert slow.paused.wait(timeout=5)

        # Meanwhile the problem goes away and another worker runs the job to completion.
        with transaction(app.state.sessions) as tx:
            tx.execute(update(FeedDocument).values(content=original))
        eventually(make_worker("worker-b", lease_seconds=30).run_once, timeout=5)
        assert feed_status(mws, submission_id) == "_DONE_"
        order_applied_once(admin, order_id)

        slow.resume()
        assert first_run.join() is True
        job = job_of(session, submission_id)
        assert (job.status, job.worker_id, job.last_error) == (JobStatus.DONE, "worker-b", None)


class TestFailures:
    def test_job_whose_workers_keep_dying_is_given_up(
        self,
        app: FastAPI,
        mws: Mws,
        admin: Admin,
        session: Session,
        make_worker: WorkerFactory,
    ) -> None:
        submission_id, order_id = submit_cancellation(mws, admin)
        for name in ("worker-a", "worker-b"):  # each claims the job, then dies
            time.sleep(0.1)  # the previous holder's lease runs out
            dying = make_worker(
                name, sessions=CrashingSessions(app.state.sessions), lease_seconds=0.05
            )
            with pytest.raises(WorkerCrashed):
                dying.run_once()
        time.sleep(0.1)
        survivor = make_worker("worker-c", lease_seconds=0.05, max_attempts=2)
        eventually(survivor.run_once, timeout=5)
        job = job_of(session, submission_id)
        assert (job.status, job.attempts) == (JobStatus.FAILED, 3)
        assert feed_status(mws, submission_id) == "_DONE_"
        results = mws.report(str(submission_id)).findall("Message/ProcessingReport/Result")
        assert [r.findtext("ResultMessageCode") for r in results] == ["5002"]
        assert cancelled_units(admin, order_id) == []

    @pytest.mark.parametrize(
        ("break_feed", "error"),
        [
            pytest.param(corrupt_content, "XMLSyntaxError", id="content-not-xml"),
            pytest.param(delete_content, "NoResultFound", id="content-missing"),
        ],
    )
    def test_failing_job_is_retried_then_reported_as_an_internal_error(
        self,
        app: FastAPI,
        mws: Mws,
        admin: Admin,
        session: Session,
        make_worker: WorkerFactory,
        break_feed: Callable[[Session], None],
        error: str,
    ) -> None:
        submission_id, order_id = submit_cancellation(mws, admin)
        with transaction(app.state.sessions) as tx:
            break_feed(tx)
        worker = make_worker("worker-a", max_attempts=2)

        failed_at = wall_now()
        assert worker.run_once() is True
        job = job_of(session, submission_id)
        assert (job.status, job.attempts, job.worker_id) == (JobStatus.QUEUED, 1, None)
        assert job.last_error is not None and job.last_error.startswith(f"{error}:")
        assert (
            failed_at + timedelta(seconds=2) <= job.run_after <= wall_now() + timedelta(seconds=2)
        )
        assert feed_status(mws, submission_id) == "_IN_PROGRESS_"
        assert worker.run_once() is False  # still backing off

        end_backoff(app)
        assert worker.run_once() is True
        job = job_of(session, submission_id)
        assert (job.status, job.attempts) == (JobStatus.FAILED, 2)
        assert job.finished_at is not None and job.lease_expires_at is None
        assert worker.run_once() is False

        # The feed is not lost: it is _DONE_ with a report that says what happened.
        assert feed_status(mws, submission_id) == "_DONE_"
        report = mws.report(str(submission_id))
        summary = report.find("Message/ProcessingReport/ProcessingSummary")
        assert summary is not None
        counters = {child.tag: child.text for child in summary}
        assert counters == {
            "MessagesProcessed": "1",
            "MessagesSuccessful": "0",
            "MessagesWithError": "1",
            "MessagesWithWarning": "0",
        }
        results = report.findall("Message/ProcessingReport/Result")
        assert [(r.findtext("ResultCode"), r.findtext("ResultMessageCode")) for r in results] == [
            ("Error", "5002")
        ]
        assert cancelled_units(admin, order_id) == []

    @pytest.mark.parametrize(
        ("max_attempts", "backoffs"),
        [
            pytest.param(1, [], id="one-attempt"),
            pytest.param(3, [2, 4], id="three-attempts"),
            pytest.param(6, [2, 4, 8, 16, 32], id="six-attempts"),
        ],
    )
    def test_backoff_doubles_until_the_last_attempt(
        self,
        app: FastAPI,
        mws: Mws,
        admin: Admin,
        session: Session,
        make_worker: WorkerFactory,
        max_attempts: int,
        backoffs: list[int],
    ) -> None:
        submission_id, _ = submit_cancellation(mws, admin)
        with transaction(app.state.sessions) as tx:
            corrupt_content(tx)
        worker = make_worker("worker-a", max_attempts=max_attempts)
        seen = []
        for attempt in range(1, max_attempts + 1):
            before = wall_now()
            assert worker.run_once() is True
            job = job_of(session, submission_id)
            assert job.attempts == attempt
            if job.status == JobStatus.QUEUED:
                seen.append(round((job.run_after - before).total_seconds()))
                end_backoff(app)
        assert seen == backoffs
        assert job_of(session, submission_id).status == JobStatus.FAILED
        assert feed_status(mws, submission_id) == "_DONE_"


class TestRun:
    def test_idle_run_stops_promptly(self, make_worker: WorkerFactory) -> None:
        worker = make_worker("worker-a", poll_seconds=60)
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        time.sleep(0.05)  # let it go idle, waiting out its 60 s poll
        started = time.monotonic()
        worker.stop()
        thread.join(timeout=5)
        assert not thread.is_alive()
        assert time.monotonic() - started < 1

    def test_running_worker_takes_a_job_when_woken_then_stops(
        self, app: FastAPI, mws: Mws, admin: Admin, make_worker: WorkerFactory
    ) -> None:
        sessions = app.state.sessions
        worker = make_worker("worker-a", poll_seconds=60)
        thread = threading.Thread(target=worker.run, daemon=True)
        thread.start()
        try:
            submission_id, order_id = submit_cancellation(mws, admin)
            worker.wake()
            eventually(lambda: stored_status(sessions, submission_id) == "_DONE_", timeout=5)
            assert feed_status(mws, submission_id) == "_DONE_"
            order_applied_once(admin, order_id)
        finally:
            worker.stop()
            thread.join(timeout=5)
        assert not thread.is_alive()


def test_app_worker_is_woken_by_submit_feed_and_stops_with_the_app(
    database_url: str, clock: FixedClock
) -> None:
    """The app's own worker thread: a 60 s poll, so only SubmitFeed's wake() can explain
    the feed being processed within the deadline; and the app's shutdown stops it."""
    settings = Settings(
        database_url=database_url,
        admin_token=ADMIN_TOKEN,
        run_worker=True,
        worker_poll_seconds=60,
    )
    app = create_app(settings, clock=clock, migrate=False)
    sessions = app.state.sessions
    with TestClient(app) as client:
        admin = Admin(client)
        mws = Mws(client, admin.seller(), app)
        time.sleep(0.05)  # let the worker find the queue empty and start its long wait
        submission_id, order_id = submit_cancellation(mws, admin)
        eventually(lambda: stored_status(sessions, submission_id) == "_DONE_", timeout=5)
        assert feed_status(mws, submission_id) == "_DONE_"
        order_applied_once(admin, order_id)
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 2
    assert not [t for t in threading.enumerate() if t.name == "feedsvc-worker"]
