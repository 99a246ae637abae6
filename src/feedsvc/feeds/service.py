"""The feed operations: submit, list, count, cancel and fetch results."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from feedsvc.accounts.types import SellerAccount
from feedsvc.clock import Clock, SystemClock
from feedsvc.errors import (
    FeedCanceled,
    FeedProcessingResultNotReady,
    InvalidFeedType,
    InvalidMarketplace,
)
from feedsvc.feeds import reporting
from feedsvc.feeds.documents import FeedBody
from feedsvc.feeds.models import FeedSubmission, ProcessingReportDocument
from feedsvc.feeds.repository import FeedRepository, SubmissionFilter
from feedsvc.feeds.types import (
    SUPPORTED_FEED_TYPES,
    FeedFormat,
    FeedProcessingStatus,
    FeedType,
    QueuedSubmission,
    SubmissionStatus,
)
from feedsvc.flatfile.reader import charset_of, undecodable
from feedsvc.flatfile.templates import read_template
from feedsvc.queue.models import JobKind
from feedsvc.queue.repository import JobRepository
from feedsvc.reports.results import MessageResult, ProcessingSummary, ResultCode, Severity
from feedsvc.xml.schemas import SchemaRegistry
from feedsvc.xml.validation import validate_xml_feed, validate_xml_stream

CANCEL_LIST_LIMIT = 100
# Feeds up to this size are validated in memory (every problem with its line); larger
# ones as a stream, in bounded memory.
IN_MEMORY_BYTES = 16 * 1024 * 1024
HEAD_BYTES = 1024
HEADER_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class FeedUpload:
    """A feed body and what the client said about it."""

    feed_type: str
    body: FeedBody
    content_type: str
    marketplace_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Page:
    submissions: Sequence[FeedSubmission]
    has_next: bool


class FeedService:
    """One transaction's worth of feed operations for sellers."""

    def __init__(
        self,
        session: Session,
        *,
        clock: Clock,
        schemas: SchemaRegistry,
        wall_clock: Clock | None = None,
        in_memory_bytes: int = IN_MEMORY_BYTES,
    ) -> None:
        self._feeds = FeedRepository(session)
        self._jobs = JobRepository(session)
        self._clock = clock
        self._wall_clock = wall_clock or SystemClock()
        self._schemas = schemas
        self._in_memory_bytes = in_memory_bytes

    def submit(self, seller: SellerAccount, upload: FeedUpload) -> SubmissionStatus:
        """Record the feed; queue it if valid, else complete it at once with its problems."""
        feed_type = _supported(upload.feed_type)
        unknown = [m for m in upload.marketplace_ids if m not in seller.marketplace_ids]
        if unknown:
            raise InvalidMarketplace(
                f"Seller {seller.seller_id} does not sell in marketplace "
                f"{', '.join(unknown)}; its marketplaces are {', '.join(seller.marketplace_ids)}."
            )
        now = self._clock.now()
        refusal = self._refusal(feed_type, upload)
        submission_id = self._feeds.add(
            seller_pk=seller.id,
            feed_type=feed_type,
            content_type=upload.content_type,
            content_md5=base64.b64encode(upload.body.md5_digest).decode("ascii"),
            marketplace_ids=upload.marketplace_ids,
            submitted_at=now,
            body=upload.body,
        )
        if refusal is None:
            self._jobs.enqueue(
                JobKind.PROCESS_FEED, submission_id=submission_id, now=self._wall_clock.now()
            )
            return QueuedSubmission(submission_id, feed_type, submitted_at=now)
        submission = self._feeds.get_one(submission_id)  # written just above
        summary, results = refusal
        reporting.complete(
            self._feeds,
            submission,
            merchant_identifier=seller.seller_id,
            summary=summary,
            results=results,
            now=now,
        )
        return submission

    def _refusal(
        self, feed_type: FeedType, upload: FeedUpload
    ) -> tuple[ProcessingSummary, list[MessageResult]] | None:
        """The report of a feed refused whole before queueing, or None to queue it."""
        kind = SUPPORTED_FEED_TYPES[feed_type]
        body, content_type = upload.body, upload.content_type
        head = body.head(HEAD_BYTES)
        if kind.format == FeedFormat.FLAT_FILE:
            return _flat_file_refusal(body, content_type, kind.body)
        if body.size <= self._in_memory_bytes:
            check = validate_xml_feed(body.read_all(), self._schemas, content_type=content_type)
        else:
            check = validate_xml_stream(
                body.open(), self._schemas, head=head, content_type=content_type
            )
        if not check.problems:
            return None
        results = reporting.document_notes(head, content_type)
        results.extend(
            MessageResult(p.message_id, Severity.ERROR, p.code, p.description)
            for p in check.problems
        )
        return ProcessingSummary.rejected(check.messages), results

    def page(
        self,
        seller: SellerAccount,
        where: SubmissionFilter,
        *,
        max_count: int,
        before_id: int | None,
    ) -> Page:
        rows = self._feeds.page(seller.id, where, limit=max_count + 1, before_id=before_id)
        return Page(submissions=rows[:max_count], has_next=len(rows) > max_count)

    def count(self, seller: SellerAccount, where: SubmissionFilter) -> int:
        return self._feeds.count(seller.id, where)

    def cancel(
        self, seller: SellerAccount, where: SubmissionFilter
    ) -> tuple[int, Sequence[FeedSubmission]]:
        """Cancel matching submissions that have not started: the count, and the first 100."""
        cancelled = self._feeds.cancel_submitted(seller.id, where, now=self._clock.now())
        self._jobs.cancel_for_submissions([s.id for s in cancelled], now=self._wall_clock.now())
        return len(cancelled), cancelled[:CANCEL_LIST_LIMIT]

    def get(self, seller: SellerAccount, submission_id: int) -> FeedSubmission | None:
        return self._feeds.for_seller(seller.id, submission_id)

    def result(self, submission: FeedSubmission) -> ProcessingReportDocument:
        """The processing report of a finished submission."""
        if submission.status == FeedProcessingStatus.CANCELLED:
            raise FeedCanceled(submission.id)
        report = self._feeds.report(submission.id)
        if submission.status != FeedProcessingStatus.DONE or report is None:
            raise FeedProcessingResultNotReady(submission.id)
        return report


def _flat_file_refusal(
    body: FeedBody, content_type: str, message: str
) -> tuple[ProcessingSummary, list[MessageResult]] | None:
    """A flat file is refused whole for bytes not in its charset or a bad header row."""
    reason = undecodable(body.open(), charset_of(content_type))
    if reason is not None:
        problems = [
            MessageResult(
                0,
                Severity.FATAL,
                ResultCode.XML_NOT_WELL_FORMED,
                f"The file cannot be read: {reason}. Send the charset it is in with the "
                "Content-Type header.",
            )
        ]
    else:
        flat = read_template(io.BytesIO(body.head(HEADER_BYTES)), content_type, message)
        problems = [p for p in flat.problems if p.severity is Severity.FATAL]
    return (ProcessingSummary(0, 0, 0, 0), problems) if problems else None


def _supported(feed_type: str) -> FeedType:
    try:
        known = FeedType(feed_type)
    except ValueError:
        known = None
    if known is None or known not in SUPPORTED_FEED_TYPES:
        supported = ", ".join(SUPPORTED_FEED_TYPES)
        raise InvalidFeedType(
            f"Feed type {feed_type!r} is not supported by this service. Supported: {supported}."
        )
    return known
