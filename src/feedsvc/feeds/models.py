"""Feed submissions, the documents they carry, and their processing reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from feedsvc.db.base import Base, BigIntId, UTCDateTime


class FeedSubmission(Base):
    """One SubmitFeed call; its id is the FeedSubmissionId."""

    __tablename__ = "feed_submissions"
    __table_args__ = (Index("ix_feed_submissions_seller_submitted", "seller_pk", "submitted_at"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    seller_pk: Mapped[int] = mapped_column(ForeignKey("sellers.id"))
    feed_type: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(40))
    content_type: Mapped[str] = mapped_column(String(128))
    content_md5: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    marketplace_ids: Mapped[list[str]] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Wall-clock time until which an injected fault holds the feed in its current status.
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Messages (or records) applied and committed so far, with their results.
    messages_done: Mapped[int] = mapped_column(Integer, default=0)


class FeedDocument(Base):
    """One piece of the feed body exactly as it arrived; pieces keep large feeds streamable."""

    __tablename__ = "feed_documents"

    submission_id: Mapped[int] = mapped_column(ForeignKey("feed_submissions.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, default=0)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class SubmissionResult(Base):
    """A Result of a feed being processed, kept as processing goes so it can resume."""

    __tablename__ = "submission_results"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("feed_submissions.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(16))
    code: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    amazon_order_id: Mapped[str | None] = mapped_column(String(64))
    amazon_order_item_code: Mapped[str | None] = mapped_column(String(32))


class ProcessingReportDocument(Base):
    """The processing report served by GetFeedSubmissionResult, byte for byte."""

    __tablename__ = "processing_reports"

    submission_id: Mapped[int] = mapped_column(ForeignKey("feed_submissions.id"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(128))
    content_md5: Mapped[str] = mapped_column(String(32))
    messages_processed: Mapped[int] = mapped_column(Integer)
    messages_successful: Mapped[int] = mapped_column(Integer)
    messages_with_error: Mapped[int] = mapped_column(Integer)
    messages_with_warning: Mapped[int] = mapped_column(Integer)
