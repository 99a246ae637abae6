"""Finish a submission: render its processing report and mark it _DONE_."""

from __future__ import annotations

import base64
import codecs
import hashlib
from collections.abc import Sequence
from datetime import datetime

from feedsvc.feeds.models import FeedSubmission, ProcessingReportDocument
from feedsvc.feeds.repository import FeedRepository
from feedsvc.feeds.types import SUPPORTED_FEED_TYPES, FeedFormat, FeedProcessingStatus, FeedType
from feedsvc.flatfile.reader import DEFAULT_CHARSET, charset_of
from feedsvc.flatfile.report import render_flat_report
from feedsvc.reports.results import MessageResult, ProcessingSummary, ResultCode, Severity
from feedsvc.reports.xml_report import render_xml_report
from feedsvc.xml.encoding import label_mismatch


def content_md5(content: bytes) -> str:
    """Base64 of the binary MD5, as the Content-MD5 header carries it."""
    return base64.b64encode(hashlib.md5(content).digest()).decode("ascii")  # noqa: S324


def complete(
    repository: FeedRepository,
    submission: FeedSubmission,
    *,
    merchant_identifier: str,
    summary: ProcessingSummary,
    results: Sequence[MessageResult],
    now: datetime,
) -> ProcessingReportDocument:
    """Store the report (XML, or tab-separated for flat files) and mark the submission _DONE_."""
    kind = SUPPORTED_FEED_TYPES[FeedType(submission.feed_type)]
    if kind.format == FeedFormat.FLAT_FILE:
        charset = charset_of(submission.content_type)
        try:
            codecs.lookup(charset)
        except LookupError:
            charset = DEFAULT_CHARSET  # the report says the file's charset was unknown
        content = render_flat_report(summary, results, charset=charset)
        content_type = f"text/plain; charset={charset}"
    else:
        content = render_xml_report(
            submission_id=submission.id,
            merchant_identifier=merchant_identifier,
            summary=summary,
            results=results,
        )
        content_type = "text/xml"
    report = ProcessingReportDocument(
        submission_id=submission.id,
        content=content,
        content_type=content_type,
        content_md5=content_md5(content),
        messages_processed=summary.processed,
        messages_successful=summary.successful,
        messages_with_error=summary.with_error,
        messages_with_warning=summary.with_warning,
    )
    repository.add_report(report)
    submission.status = FeedProcessingStatus.DONE
    submission.started_at = submission.started_at or now
    submission.completed_at = now
    return report


def document_notes(content: bytes, content_type: str) -> list[MessageResult]:
    """Warnings about the document as a whole (MessageID 0)."""
    mismatch = label_mismatch(content, content_type)
    if mismatch is None:
        return []
    return [MessageResult(0, Severity.WARNING, ResultCode.CHARSET_MISMATCH, mismatch)]
