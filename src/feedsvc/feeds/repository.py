"""Every query over feed submissions, their documents and reports."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.orm import Session

from feedsvc.db.driver import DriverStatement
from feedsvc.feeds.documents import PIECE_BYTES, FeedBody, StoredFeed, store
from feedsvc.feeds.models import FeedSubmission, ProcessingReportDocument, SubmissionResult
from feedsvc.feeds.types import FeedProcessingStatus
from feedsvc.reports.results import MessageResult, ResultCode, Severity

Q = TypeVar("Q", bound=Select[Any])
_ADD = DriverStatement(insert(FeedSubmission).returning(FeedSubmission.id))


@dataclass(frozen=True, slots=True)
class SubmissionFilter:
    """Which of a seller's submissions a List, Count or Cancel call is about."""

    ids: tuple[int, ...] = ()
    feed_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    submitted_from: datetime | None = None
    submitted_to: datetime | None = None


class FeedRepository:
    """Loads and stores submissions, their feed documents and processing reports."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        seller_pk: int,
        feed_type: str,
        content_type: str,
        content_md5: str,
        marketplace_ids: Sequence[str],
        submitted_at: datetime,
        body: FeedBody,
    ) -> int:
        """Store a new submission and its feed document; its id (driver INSERTs: every
        SubmitFeed pays for this, and nothing needs the rows as objects)."""
        connection = self._session.connection()
        ((submission_id,),) = _ADD.rows(
            connection,
            {
                "seller_pk": seller_pk,
                "feed_type": feed_type,
                "status": FeedProcessingStatus.SUBMITTED,
                "content_type": content_type,
                "content_md5": content_md5,
                "size": body.size,
                "marketplace_ids": list(marketplace_ids),
                "submitted_at": submitted_at,
                "messages_done": 0,
            },
        )
        store(connection, submission_id, body)
        return int(submission_id)

    def get(self, submission_id: int) -> FeedSubmission | None:
        return self._session.get(FeedSubmission, submission_id)

    def get_one(self, submission_id: int) -> FeedSubmission:
        """A submission that must exist (NoResultFound otherwise)."""
        return self._session.get_one(FeedSubmission, submission_id)

    def for_seller(self, seller_pk: int, submission_id: int) -> FeedSubmission | None:
        submission = self.get(submission_id)
        return submission if submission is not None and submission.seller_pk == seller_pk else None

    def open_content(self, submission_id: int) -> io.BufferedReader:
        """The stored feed as a buffered stream (``peek`` shows its first bytes)."""
        return io.BufferedReader(StoredFeed(self._session, submission_id), PIECE_BYTES)

    def add_results(self, submission_id: int, results: Sequence[MessageResult]) -> None:
        self._session.add_all(
            SubmissionResult(
                submission_id=submission_id,
                message_id=str(r.message_id),
                severity=r.severity,
                code=int(r.code),
                description=r.description,
                amazon_order_id=r.amazon_order_id,
                amazon_order_item_code=r.amazon_order_item_code,
            )
            for r in results
        )

    def results(self, submission_id: int) -> list[MessageResult]:
        """Every Result recorded so far, in the order they were found."""
        query = select(SubmissionResult).where(SubmissionResult.submission_id == submission_id)
        return [
            MessageResult(
                int(row.message_id),
                Severity(row.severity),
                ResultCode(row.code),
                row.description,
                row.amazon_order_id,
                row.amazon_order_item_code,
            )
            for row in self._session.scalars(query.order_by(SubmissionResult.id))
        ]

    def record_progress(self, submission_id: int, messages_done: int) -> None:
        self._session.execute(
            update(FeedSubmission)
            .where(FeedSubmission.id == submission_id)
            .values(messages_done=messages_done)
            .execution_options(synchronize_session=False)
        )

    def report(self, submission_id: int) -> ProcessingReportDocument | None:
        return self._session.get(ProcessingReportDocument, submission_id)

    def add_report(self, report: ProcessingReportDocument) -> None:
        self._session.add(report)

    def page(
        self, seller_pk: int, where: SubmissionFilter, *, limit: int, before_id: int | None = None
    ) -> Sequence[FeedSubmission]:
        """Newest first; ``before_id`` continues a previous page."""
        query = self._filtered(select(FeedSubmission), seller_pk, where)
        if before_id is not None:
            query = query.where(FeedSubmission.id < before_id)
        query = query.order_by(FeedSubmission.id.desc()).limit(limit)
        return self._session.scalars(query).all()

    def count(self, seller_pk: int, where: SubmissionFilter) -> int:
        query = self._filtered(select(func.count(FeedSubmission.id)), seller_pk, where)
        return self._session.scalar(query) or 0

    def cancel_submitted(
        self, seller_pk: int, where: SubmissionFilter, *, now: datetime
    ) -> Sequence[FeedSubmission]:
        """Cancel every matching submission that has not started; return them, newest first."""
        id_query = self._filtered(select(FeedSubmission.id), seller_pk, where).where(
            FeedSubmission.status == FeedProcessingStatus.SUBMITTED
        )
        ids = list(self._session.scalars(id_query.with_for_update()))
        if not ids:
            return []
        self._session.execute(
            update(FeedSubmission)
            .where(
                FeedSubmission.id.in_(ids),
                FeedSubmission.status == FeedProcessingStatus.SUBMITTED,
            )
            .values(status=FeedProcessingStatus.CANCELLED, completed_at=now)
            .execution_options(synchronize_session="fetch")
        )
        query = select(FeedSubmission).where(
            FeedSubmission.id.in_(ids), FeedSubmission.status == FeedProcessingStatus.CANCELLED
        )
        return self._session.scalars(query.order_by(FeedSubmission.id.desc())).all()

    def start(self, submission: FeedSubmission, *, now: datetime) -> bool:
        """Move a submission to _IN_PROGRESS_; False once it is cancelled or done.

        A submission already in progress (an earlier attempt died) or held by a fault
        starts again.
        """
        if submission.status in (FeedProcessingStatus.CANCELLED, FeedProcessingStatus.DONE):
            return False
        submission.status = FeedProcessingStatus.IN_PROGRESS
        submission.started_at = submission.started_at or now
        submission.held_until = None
        return True

    def hold(
        self, submission: FeedSubmission, *, status: str, until: datetime, now: datetime
    ) -> None:
        """Keep a submission in ``status`` (processing started) until ``until``."""
        submission.status = status
        submission.started_at = now
        submission.held_until = until

    def locked(self, submission_id: int) -> FeedSubmission | None:
        """The submission, its row locked against a concurrent CancelFeedSubmissions."""
        query = select(FeedSubmission).where(FeedSubmission.id == submission_id)
        return self._session.scalar(query.with_for_update())

    @staticmethod
    def _filtered(query: Q, seller_pk: int, where: SubmissionFilter) -> Q:
        query = query.where(FeedSubmission.seller_pk == seller_pk)
        if where.ids:
            # An id list overrides every other filter (as MWS documents).
            return query.where(FeedSubmission.id.in_(where.ids))
        if where.feed_types:
            query = query.where(FeedSubmission.feed_type.in_(where.feed_types))
        if where.statuses:
            query = query.where(FeedSubmission.status.in_(where.statuses))
        if where.submitted_from is not None:
            query = query.where(FeedSubmission.submitted_at >= where.submitted_from)
        if where.submitted_to is not None:
            query = query.where(FeedSubmission.submitted_at <= where.submitted_to)
        return query
