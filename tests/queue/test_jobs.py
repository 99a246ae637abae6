"""The job queue below the worker: enqueueing with the submission, claims, leases, cancels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from feedsvc.clock import FixedClock
from feedsvc.db.engine import transaction
from feedsvc.feeds.repository import FeedRepository, SubmissionFilter
from feedsvc.queue.models import Job, JobKind, JobStatus
from feedsvc.queue.repository import JobRepository
from tests.conftest import Admin, Mws, xml_text
from tests.queue.conftest import (
    WorkerFactory,
    cancelled_units,
    feed_status,
    job_of,
    submission_of,
    submit_cancellation,
    wall_now,
)
from tests.support import envelope


def all_jobs(session: Session) -> list[Job]:
    with session.begin():
        return list(session.scalars(select(Job).order_by(Job.id)))


class TestSubmitFeed:
    def test_valid_feed_commits_submission_and_job_together(
        self, mws: Mws, admin: Admin, session: Session
    ) -> None:
        before = wall_now()
        submission_id, _ = submit_cancellation(mws, admin)
        job = job_of(session, submission_id)
        assert (job.kind, job.status, job.attempts) == (JobKind.PROCESS_FEED, JobStatus.QUEUED, 0)
        assert before <= job.run_after <= wall_now()
        assert (job.worker_id, job.lease_expires_at, job.finished_at, job.last_error) == (
            None,
            None,
            None,
            None,
        )
        assert submission_of(session, submission_id).status == "_SUBMITTED_"
        with session.begin():
            assert JobRepository(session).depth() == 1

    @pytest.mark.parametrize(
        "feed",
        [
            pytest.param(b"<AmazonEnvelope><Header/>", id="not-well-formed"),
            pytest.param(envelope("OrderAcknowledgement", "<Nonsense/>"), id="schema-invalid"),
        ],
    )
    def test_rejected_feed_is_done_at_once_without_a_job(
        self, mws: Mws, session: Session, feed: bytes
    ) -> None:
        response = mws.submit(feed)
        assert response.status_code == 200, response.text
        submission_id = int(xml_text(response.content, "FeedSubmissionId"))
        assert submission_of(session, submission_id).status == "_DONE_"
        assert all_jobs(session) == []


class TestClaim:
    """JobRepository.claim with explicit times, so no test has to wait for a lease."""

    @pytest.mark.parametrize(
        ("run_after", "claim_at", "claimed"),
        [
            pytest.param(0, 0, True, id="due-now"),
            pytest.param(5, 4, False, id="backing-off"),
            pytest.param(5, 6, True, id="backoff-over"),
        ],
    )
    def test_queued_job_is_claimable_from_run_after(
        self,
        app: FastAPI,
        mws: Mws,
        admin: Admin,
        session: Session,
        run_after: int,
        claim_at: int,
        claimed: bool,
    ) -> None:
        submission_id, _ = submit_cancellation(mws, admin)
        t0 = wall_now()
        with transaction(app.state.sessions) as tx:
            tx.execute(update(Job).values(run_after=t0 + timedelta(seconds=run_after)))
        with transaction(app.state.sessions) as tx:
            job = JobRepository(tx).claim(
                now=t0 + timedelta(seconds=claim_at), lease=timedelta(seconds=30), worker_id="w"
            )
            assert (job is not None) == claimed
        expected = JobStatus.RUNNING if claimed else JobStatus.QUEUED
        assert job_of(session, submission_id).status == expected

    @pytest.mark.parametrize(
        ("claim_at", "holder"),
        [
            pytest.param(9, "worker-a", id="lease-held"),
            pytest.param(11, "worker-b", id="lease-expired"),
        ],
    )
    def test_running_job_is_reclaimable_only_after_its_lease(
        self,
        app: FastAPI,
        mws: Mws,
        admin: Admin,
        session: Session,
        claim_at: int,
        holder: str,
    ) -> None:
        submission_id, _ = submit_cancellation(mws, admin)
        t0 = wall_now()
        lease = timedelta(seconds=10)
        with transaction(app.state.sessions) as tx:
            first = JobRepository(tx).claim(now=t0, lease=lease, worker_id="worker-a")
            assert first is not None and first.submission_id == submission_id
        with transaction(app.state.sessions) as tx:
            JobRepository(tx).claim(
                now=t0 + timedelta(seconds=claim_at), lease=lease, worker_id="worker-b"
            )
        job = job_of(session, submission_id)
        assert (job.status, job.worker_id) == (JobStatus.RUNNING, holder)
        assert job.attempts == (1 if holder == "worker-a" else 2)
        with session.begin():
            jobs = JobRepository(session)
            holds = {w: jobs.holds_lease(job.id, w) for w in ("worker-a", "worker-b")}
        assert holds == {"worker-a": holder == "worker-a", "worker-b": holder == "worker-b"}


class TestCancel:
    def test_cancelled_feed_is_never_claimed_or_applied(
        self, mws: Mws, admin: Admin, session: Session, make_worker: WorkerFactory
    ) -> None:
        submission_id, order_id = submit_cancellation(mws, admin)
        response = mws.call(
            "CancelFeedSubmissions", {"FeedSubmissionIdList.Id.1": str(submission_id)}
        )
        assert xml_text(response.content, "Count") == "1"
        job = job_of(session, submission_id)
        assert job.status == JobStatus.CANCELLED and job.finished_at is not None

        assert make_worker("worker-a").run_once() is False
        assert feed_status(mws, submission_id) == "_CANCELLED_"
        assert job_of(session, submission_id).status == JobStatus.CANCELLED
        assert admin.get(f"/admin/orders/{order_id}")["status"] == "Unshipped"
        assert cancelled_units(admin, order_id) == []
        with session.begin():
            assert JobRepository(session).depth() == 0

    def test_job_of_a_feed_cancelled_behind_its_back_is_closed_as_cancelled(
        self,
        app: FastAPI,
        mws: Mws,
        admin: Admin,
        session: Session,
        clock: FixedClock,
        make_worker: WorkerFactory,
    ) -> None:
        """The worker's own guard, for a submission cancelled while its job stayed queued."""
        submission_id, order_id = submit_cancellation(mws, admin)
        seller_pk = submission_of(session, submission_id).seller_pk
        with transaction(app.state.sessions) as tx:
            cancelled = FeedRepository(tx).cancel_submitted(
                seller_pk, SubmissionFilter(ids=(submission_id,)), now=clock.now()
            )
            assert [s.id for s in cancelled] == [submission_id]
        assert job_of(session, submission_id).status == JobStatus.QUEUED

        assert make_worker("worker-a").run_once() is True
        job = job_of(session, submission_id)
        assert (job.status, job.lease_expires_at) == (JobStatus.CANCELLED, None)
        assert feed_status(mws, submission_id) == "_CANCELLED_"
        assert cancelled_units(admin, order_id) == []
