"""The worker: claim a job, run it in one transaction, retry or give up cleanly."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from feedsvc.accounts.models import Seller
from feedsvc.clock import Clock, SystemClock
from feedsvc.config import Settings
from feedsvc.db.engine import transaction
from feedsvc.faults.models import FaultKind
from feedsvc.faults.repository import FaultRepository
from feedsvc.feeds import reporting
from feedsvc.feeds.processing import BATCH_MESSAGES, process_submission
from feedsvc.feeds.repository import FeedRepository
from feedsvc.feeds.types import FeedProcessingStatus
from feedsvc.logs import SUBMISSION_ID
from feedsvc.metrics import Metrics
from feedsvc.orders.auto_cancel import AutoCancelRule, sweep
from feedsvc.orders.repository import OrderRepository
from feedsvc.queue.models import JobKind, JobStatus
from feedsvc.queue.repository import JobRepository
from feedsvc.reports.results import MessageResult, ProcessingSummary, ResultCode, Severity

log = logging.getLogger(__name__)


# On SQLite, a feed's processing holds the one write lock between checkpoints. Once it has
# worked this long since its last pause, it steps aside for CHECKPOINT_PAUSE_SECONDS so
# that waiting writers (SubmitFeed, other workers) get the lock.
CHECKPOINT_SLICE_SECONDS = 0.5
CHECKPOINT_PAUSE_SECONDS = 0.05


class LeaseLost(Exception):
    """The job's lease ran out and another worker holds it now: stop, commit nothing."""


class Worker:
    """Runs queued jobs until told to stop; safe to run as many as the database allows."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        clock: Clock,
        lease_seconds: float = 300.0,
        max_attempts: int = 5,
        poll_seconds: float = 0.5,
        worker_id: str | None = None,
        auto_cancel: AutoCancelRule = AutoCancelRule.THIRTY_DAYS,
        auto_cancel_interval: float = 60.0,
        metrics: Metrics | None = None,
        batch_messages: int = BATCH_MESSAGES,
        batched: bool = True,
    ) -> None:
        """``batch_messages`` and ``batched`` are process_submission's ``batch`` and
        ``batched`` (tests compare the batched path with the message-at-a-time one)."""
        self._sessions = sessions
        self._clock = clock
        self._wall = SystemClock()
        self._lease = timedelta(seconds=lease_seconds)
        self._max_attempts = max_attempts
        self._poll = poll_seconds
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._auto_cancel = auto_cancel
        self._auto_cancel_interval = auto_cancel_interval
        self._next_sweep = 0.0
        self._metrics = metrics
        self._signalled = False
        self._slice_started = time.monotonic()
        self._batch_messages = batch_messages
        self._batched = batched

    @classmethod
    def from_settings(
        cls,
        sessions: sessionmaker[Session],
        *,
        clock: Clock,
        settings: Settings,
        metrics: Metrics | None = None,
    ) -> Worker:
        return cls(
            sessions,
            clock=clock,
            lease_seconds=settings.job_lease_seconds,
            max_attempts=settings.job_max_attempts,
            poll_seconds=settings.worker_poll_seconds,
            auto_cancel=AutoCancelRule(settings.auto_cancel),
            auto_cancel_interval=settings.auto_cancel_interval_seconds,
            metrics=metrics,
        )

    def wake(self) -> None:
        """Tell an idle worker that a job was just enqueued."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def stop_from_signal(self) -> None:
        """Ask the loop to stop; safe in a signal handler (takes no lock), noticed within
        one poll interval."""
        self._signalled = True

    def run(self) -> None:
        """Work until ``stop()``; finishes the current job before returning."""
        log.info("worker started", extra={"worker_id": self.worker_id})
        while not self._stop.is_set() and not self._signalled:
            try:
                self._schedule_sweep()
                worked = self.run_once()
            except Exception:
                log.exception("worker loop failed; retrying after a pause")
                worked = False
            if not worked:
                self._wake.wait(self._poll)
                self._wake.clear()
        log.info("worker stopped", extra={"worker_id": self.worker_id})

    def run_once(self) -> bool:
        """Claim and run one job; False when there was nothing to do."""
        token = None  # once a job is claimed, every record logged for it names its feed
        try:
            with transaction(self._sessions) as session:
                jobs = JobRepository(session)
                job = jobs.claim(now=self._wall.now(), lease=self._lease, worker_id=self.worker_id)
                if job is None:
                    return False
                job_id, kind, submission_id = job.id, JobKind(job.kind), job.submission_id
                attempts = job.attempts
                token = SUBMISSION_ID.set(submission_id)
                if attempts > self._max_attempts:
                    # Every earlier attempt died without a word (a crash, a kill): stop here.
                    jobs.finish(job_id, now=self._wall.now(), status=JobStatus.FAILED)
                    if submission_id is not None:
                        _give_up(session, submission_id, now_clock=self._clock)
                    return True
                if submission_id is not None and not self._start(session, job_id, submission_id):
                    return True
            self._run(job_id, kind, submission_id, attempts)
            return True
        finally:
            if token is not None:
                SUBMISSION_ID.reset(token)

    def _run(self, job_id: int, kind: JobKind, submission_id: int | None, attempts: int) -> None:
        """Run a started job and finish it; a failure is recorded, not raised."""
        try:
            with self._sessions() as session:
                try:
                    jobs = JobRepository(session)
                    if not jobs.holds_lease(job_id, self.worker_id):
                        return  # the lease ran out and another worker took the job
                    self._slice_started = time.monotonic()
                    self._execute(
                        session,
                        kind,
                        submission_id,
                        checkpoint=lambda: self._checkpoint(session, job_id),
                    )
                    if not jobs.finish_owned(job_id, self.worker_id, now=self._wall.now()):
                        raise LeaseLost(job_id)
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise
        except LeaseLost:
            log.warning("lease lost; the job is another worker's now", extra={"job_id": job_id})
        except Exception as exc:
            log.exception("job failed", extra={"job_id": job_id})
            self._failed(job_id, submission_id, attempts, exc)

    def _start(self, session: Session, job_id: int, submission_id: int) -> bool:
        """Move the submission to _IN_PROGRESS_; False when the job has nothing to run now."""
        feeds, jobs = FeedRepository(session), JobRepository(session)
        submission = feeds.locked(submission_id)
        now = self._wall.now()
        was_held = submission is not None and submission.held_until is not None
        if submission is None or not feeds.start(submission, now=self._clock.now()):
            # Cancelled before it started, or finished by an earlier attempt.
            cancelled = (
                submission is not None and submission.status == FeedProcessingStatus.CANCELLED
            )
            jobs.finish(
                job_id, now=now, status=JobStatus.CANCELLED if cancelled else JobStatus.DONE
            )
            return False
        if was_held:
            return True
        hold = FaultRepository(session).consume(submission.seller_pk, [FaultKind.HOLD_FEED])
        if hold is not None:
            until = now + timedelta(seconds=hold.hold_seconds or 0)
            status = hold.hold_status or FeedProcessingStatus.IN_PROGRESS
            feeds.hold(submission, status=status, until=until, now=self._clock.now())
            jobs.postpone(job_id, run_after=until)
            return False
        return True

    def _schedule_sweep(self) -> None:
        """Queue an auto-cancel sweep every ``auto_cancel_interval`` seconds."""
        if self._auto_cancel == AutoCancelRule.OFF or time.monotonic() < self._next_sweep:
            return
        self._next_sweep = time.monotonic() + self._auto_cancel_interval
        with transaction(self._sessions) as session:
            JobRepository(session).enqueue_once(JobKind.AUTO_CANCEL, now=self._wall.now())

    def _checkpoint(self, session: Session, job_id: int) -> None:
        """Commit a feed's progress so far, if the job is still ours, and extend the lease."""
        until = self._wall.now() + self._lease
        if not JobRepository(session).renew(job_id, self.worker_id, until=until):
            raise LeaseLost(job_id)
        session.commit()
        held = time.monotonic() - self._slice_started
        if session.get_bind().dialect.name == "sqlite" and held >= CHECKPOINT_SLICE_SECONDS:
            # SQLite has one writer: step aside so waiting requests get the lock during a
            # long feed instead of after it.
            time.sleep(CHECKPOINT_PAUSE_SECONDS)
            self._slice_started = time.monotonic()

    def _execute(
        self,
        session: Session,
        kind: JobKind,
        submission_id: int | None,
        *,
        checkpoint: Callable[[], None],
    ) -> None:
        if kind == JobKind.PROCESS_FEED and submission_id is not None:
            started = time.perf_counter()
            feed = process_submission(
                session,
                submission_id=submission_id,
                clock=self._clock,
                checkpoint=checkpoint,
                batch=self._batch_messages,
                batched=self._batched,
            )
            if feed is not None and self._metrics is not None:
                elapsed = time.perf_counter() - started
                self._metrics.feed_processed(feed.feed_type, elapsed, feed.processed, feed.results)
        elif kind == JobKind.AUTO_CANCEL:
            cancelled = sweep(
                OrderRepository(session), now=self._clock.now(), rule=self._auto_cancel
            )
            if cancelled:
                log.info("auto-cancelled overdue orders", extra={"orders": cancelled})

    def _failed(
        self, job_id: int, submission_id: int | None, attempts: int, exc: Exception
    ) -> None:
        error = f"{type(exc).__name__}: {exc}"
        with transaction(self._sessions) as session:
            jobs = JobRepository(session)
            if not jobs.holds_lease(job_id, self.worker_id):
                return  # the lease ran out meanwhile: the job is another worker's now
            if attempts < self._max_attempts:
                backoff = timedelta(seconds=min(2**attempts, 60))
                jobs.retry_later(job_id, error=error, run_after=self._wall.now() + backoff)
                return
            jobs.finish(job_id, now=self._wall.now(), status=JobStatus.FAILED)
            if submission_id is not None:
                _give_up(session, submission_id, now_clock=self._clock)


def _give_up(session: Session, submission_id: int, *, now_clock: Clock) -> None:
    """After the last attempt, finish the feed with an internal-error report (never lose it)."""
    feeds = FeedRepository(session)
    submission = feeds.get(submission_id)
    if submission is None or submission.status == FeedProcessingStatus.DONE:
        return
    seller = session.get_one(Seller, submission.seller_pk)
    done = submission.messages_done
    if done == 0:
        summary = ProcessingSummary.rejected(0)
        results = []
        what = "nothing in it was applied. Please resubmit the feed."
    else:
        # The messages before the last checkpoint were applied; say so, with their results.
        results = feeds.results(submission_id)
        summary = ProcessingSummary.tally(done, results)
        what = (
            f"its first {done} messages were applied (their results are above) and the rest "
            "were not. Please resubmit the messages after them."
        )
    results.append(
        MessageResult(
            0,
            Severity.ERROR,
            ResultCode.INTERNAL_ERROR,
            f"An internal error stopped the processing of this feed: {what}",
        )
    )
    reporting.complete(
        feeds,
        submission,
        merchant_identifier=seller.seller_id,
        summary=summary,
        results=results,
        now=now_clock.now(),
    )
