"""Enqueue, claim, finish and retry jobs; claims use SKIP LOCKED where the database has it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from feedsvc.db.driver import DriverStatement
from feedsvc.queue.models import Job, JobKind, JobStatus

_ENQUEUE = DriverStatement(insert(Job))


class JobRepository:
    """The jobs table, seen by producers (in their own transaction) and by workers."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def enqueue(self, kind: JobKind, *, submission_id: int | None, now: datetime) -> None:
        # On the driver: every SubmitFeed enqueues, and nothing reads the job back.
        _ENQUEUE.rows(
            self._session.connection(),
            {
                "kind": kind,
                "submission_id": submission_id,
                "status": JobStatus.QUEUED,
                "attempts": 0,
                "run_after": now,
                "created_at": now,
            },
        )

    def claim(self, *, now: datetime, lease: timedelta, worker_id: str) -> Job | None:
        """Take the oldest runnable job, or one whose worker's lease ran out."""
        candidates = (
            select(Job.id)
            .where(
                or_(
                    (Job.status == JobStatus.QUEUED) & (Job.run_after <= now),
                    (Job.status == JobStatus.RUNNING) & (Job.lease_expires_at < now),
                )
            )
            .order_by(Job.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        job_id = self._session.scalar(candidates)
        if job_id is None:
            return None
        claimed = self._session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]))
            .values(
                status=JobStatus.RUNNING,
                attempts=Job.attempts + 1,
                lease_expires_at=now + lease,
                worker_id=worker_id,
            )
            .execution_options(synchronize_session=False)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            return None
        return self._session.get(Job, job_id, populate_existing=True)

    def holds_lease(self, job_id: int, worker_id: str) -> bool:
        """Lock the job row and confirm this worker still owns it."""
        query = select(Job).where(Job.id == job_id).with_for_update()
        job = self._session.scalar(query)
        return job is not None and job.status == JobStatus.RUNNING and job.worker_id == worker_id

    def renew(self, job_id: int, worker_id: str, *, until: datetime) -> bool:
        """Extend this worker's lease (locking the job row); False if the job is not its."""
        renewed = self._session.execute(
            update(Job)
            .where(Job.id == job_id, Job.worker_id == worker_id, Job.status == JobStatus.RUNNING)
            .values(lease_expires_at=until)
            .execution_options(synchronize_session=False)
        )
        return bool(renewed.rowcount)  # type: ignore[attr-defined]

    def finish_owned(self, job_id: int, worker_id: str, *, now: datetime) -> bool:
        """Mark this worker's job done; False if the job is not its any more."""
        finished = self._session.execute(
            update(Job)
            .where(Job.id == job_id, Job.worker_id == worker_id, Job.status == JobStatus.RUNNING)
            .values(status=JobStatus.DONE, finished_at=now, lease_expires_at=None)
            .execution_options(synchronize_session=False)
        )
        return bool(finished.rowcount)  # type: ignore[attr-defined]

    def finish(self, job_id: int, *, now: datetime, status: JobStatus = JobStatus.DONE) -> None:
        self._session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status=status, finished_at=now, lease_expires_at=None)
            .execution_options(synchronize_session=False)
        )

    def retry_later(self, job_id: int, *, error: str, run_after: datetime) -> None:
        self._session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                status=JobStatus.QUEUED,
                last_error=error,
                run_after=run_after,
                lease_expires_at=None,
                worker_id=None,
            )
            .execution_options(synchronize_session=False)
        )

    def postpone(self, job_id: int, *, run_after: datetime) -> None:
        """Put a claimed job back without counting the claim as an attempt."""
        self._session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                status=JobStatus.QUEUED,
                attempts=Job.attempts - 1,
                run_after=run_after,
                lease_expires_at=None,
                worker_id=None,
            )
            .execution_options(synchronize_session=False)
        )

    def cancel_for_submissions(self, submission_ids: Sequence[int], *, now: datetime) -> None:
        if not submission_ids:
            return
        self._session.execute(
            update(Job)
            .where(Job.submission_id.in_(submission_ids), Job.status == JobStatus.QUEUED)
            .values(status=JobStatus.CANCELLED, finished_at=now)
            .execution_options(synchronize_session=False)
        )

    def enqueue_once(self, kind: JobKind, *, now: datetime) -> bool:
        """Enqueue a job of ``kind`` unless one is already waiting; True if enqueued."""
        waiting = select(Job.id).where(Job.kind == kind, Job.status == JobStatus.QUEUED)
        if self._session.scalar(waiting.limit(1)) is not None:
            return False
        self.enqueue(kind, submission_id=None, now=now)
        return True

    def depth(self) -> int:
        """Jobs waiting to be claimed."""
        return self.counts_by_status().get(JobStatus.QUEUED, 0)

    def counts_by_status(self) -> dict[str, int]:
        rows = self._session.execute(select(Job.status, func.count(Job.id)).group_by(Job.status))
        return {status: count for status, count in rows}
