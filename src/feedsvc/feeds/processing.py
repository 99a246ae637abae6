"""Apply a queued feed's messages to the orders, each in its own savepoint, and report."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from feedsvc.accounts.models import Seller
from feedsvc.clock import Clock
from feedsvc.feeds import reporting
from feedsvc.feeds.repository import FeedRepository
from feedsvc.feeds.types import (
    SUPPORTED_FEED_TYPES,
    FeedFormat,
    FeedKind,
    FeedProcessingStatus,
    FeedType,
)
from feedsvc.flatfile.templates import commands, read_template
from feedsvc.orders.commands import (
    Acknowledgement,
    Adjustment,
    Fulfillment,
    InvalidMessage,
    OrderCommand,
    UnsupportedMessage,
)
from feedsvc.orders.outcomes import Note, Rejection
from feedsvc.orders.repository import OrderRepository
from feedsvc.orders.service import OrderService
from feedsvc.reports.results import MessageResult, ProcessingSummary, ResultCode, Severity
from feedsvc.xml.encoding import parsing_encoding
from feedsvc.xml.messages import read_messages

log = logging.getLogger(__name__)

# Enough of a document to find its XML declaration.
HEAD_BYTES = 1024
# Messages applied between two commits of progress (SQLite's write lock is released then).
BATCH_MESSAGES = 250
# PostgreSQL's deadlock_detected and serialization_failure: retried after a checkpoint.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
CONFLICT_RETRIES = 5


class LockConflict(Exception):
    """The database aborted a message to break a lock cycle with another feed."""


@dataclass(frozen=True, slots=True)
class ProcessedFeed:
    feed_type: str
    processed: int
    results: list[MessageResult]


def process_submission(
    session: Session,
    *,
    submission_id: int,
    clock: Clock,
    checkpoint: Callable[[], None] = lambda: None,
    batch: int = BATCH_MESSAGES,
) -> ProcessedFeed | None:
    """Apply the messages of an _IN_PROGRESS_ submission and complete it with its report.

    Every ``batch`` messages, their effects, their results and the count done are
    committed together by ``checkpoint``, so a feed interrupted anywhere resumes after
    its last checkpoint: nothing is lost and nothing is applied twice.
    """
    feeds = FeedRepository(session)
    submission = feeds.get(submission_id)
    if submission is None or submission.status != FeedProcessingStatus.IN_PROGRESS:
        return None
    seller_pk, done = submission.seller_pk, submission.messages_done
    kind = SUPPORTED_FEED_TYPES[FeedType(submission.feed_type)]
    orders = OrderService(
        OrderRepository(session), clock, seller_pk=seller_pk, feed_submission_id=submission_id
    )
    notes, messages = _read(feeds.open_content(submission_id), submission.content_type, kind)
    pending = notes if done == 0 else []

    def commit_progress(count: int) -> None:
        feeds.add_results(submission_id, pending)
        pending.clear()
        feeds.record_progress(submission_id, count)
        checkpoint()
        session.expunge_all()  # keep the session's identity map small

    processed = 0
    for message_id, command in messages:
        processed += 1
        if processed <= done:
            continue  # applied before an interruption
        for _ in range(CONFLICT_RETRIES):
            try:
                found = _apply_one(session, orders, message_id, command, kind.body)
                break
            except LockConflict:
                # Another feed waits for orders this one holds: commit what is done (which
                # releases them), then try the message again.
                commit_progress(processed - 1)
        else:
            raise RuntimeError(f"message {message_id} kept meeting lock conflicts")
        pending.extend(found)
        if processed % batch == 0:
            commit_progress(processed)
    feeds.add_results(submission_id, pending)
    feeds.record_progress(submission_id, processed)
    results = feeds.results(submission_id)
    reporting.complete(
        feeds,
        feeds.get(submission_id) or submission,
        merchant_identifier=session.get_one(Seller, seller_pk).seller_id,
        summary=ProcessingSummary.tally(processed, results),
        results=results,
        now=clock.now(),
    )
    log.info(
        "feed processed",
        extra={"submission_id": submission_id, "messages": processed, "results": len(results)},
    )
    return ProcessedFeed(FeedType(submission.feed_type), processed, results)


def _apply_one(
    session: Session, orders: OrderService, message_id: int, command: OrderCommand, body: str
) -> list[MessageResult]:
    """Apply one message in its own savepoint; its Results."""
    savepoint = session.begin_nested()
    try:
        notes = _apply(orders, command, body)
        savepoint.commit()
    except DBAPIError as exc:
        savepoint.rollback()
        if getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
            raise LockConflict from exc
        if not isinstance(exc, IntegrityError):
            raise
        # A concurrent feed took the same unique value first (PostgreSQL): a rejection.
        duplicate = "merchant_adjustment_item_id" in str(exc.orig)
        code = ResultCode.DUPLICATE_ADJUSTMENT if duplicate else ResultCode.MERCHANT_ID_CONFLICT
        what = "MerchantAdjustmentItemID" if duplicate else "merchant ID"
        return [
            MessageResult(
                message_id,
                Severity.ERROR,
                code,
                f"A {what} in this message was applied by another feed at the same time; "
                "the message was not applied.",
            )
        ]
    except Rejection as rejection:
        savepoint.rollback()
        return [
            MessageResult(
                message_id,
                Severity.ERROR,
                rejection.code,
                rejection.description,
                rejection.amazon_order_id,
                rejection.amazon_order_item_code,
            )
        ]
    return [
        MessageResult(
            message_id,
            Severity.WARNING,
            note.code,
            note.description,
            note.amazon_order_id,
            note.amazon_order_item_code,
        )
        for note in notes
    ]


def _read(
    content: io.BufferedReader, content_type: str, kind: FeedKind
) -> tuple[list[MessageResult], Iterator[tuple[int, OrderCommand]]]:
    """Results about the whole document, and (MessageID or record number, command) pairs."""
    if kind.format == FeedFormat.FLAT_FILE:
        flat = read_template(content, content_type, kind.body)
        pairs = ((record.number, command) for record, command in commands(flat, kind.body))
        return list(flat.problems), pairs
    head = content.peek(HEAD_BYTES)[:HEAD_BYTES]
    encoding = parsing_encoding(head, content_type)
    xml = ((m.message_id, m.command) for m in read_messages(content, encoding=encoding))
    return reporting.document_notes(head, content_type), xml


def _apply(orders: OrderService, command: OrderCommand, expected_body: str) -> list[Note]:
    if isinstance(command, InvalidMessage):
        raise Rejection(
            command.code,
            command.description,
            amazon_order_id=command.amazon_order_id,
            amazon_order_item_code=command.amazon_order_item_code,
        )
    if isinstance(command, Acknowledgement) and expected_body == "OrderAcknowledgement":
        return orders.acknowledge(command)
    if isinstance(command, Adjustment) and expected_body == "OrderAdjustment":
        return orders.adjust(command)
    if isinstance(command, Fulfillment) and expected_body == "OrderFulfillment":
        return orders.fulfill(command)
    raise Rejection(
        ResultCode.WRONG_MESSAGE_TYPE,
        "We are unable to process the XML feed because one or more items are invalid: "
        f"this feed type takes {expected_body} messages, not {_body_name(command)}.",
    )


def _body_name(command: OrderCommand) -> str:
    if isinstance(command, UnsupportedMessage):
        return command.body
    if isinstance(command, InvalidMessage):
        return "an unreadable message"
    return {
        Acknowledgement: "OrderAcknowledgement",
        Adjustment: "OrderAdjustment",
        Fulfillment: "OrderFulfillment",
    }[type(command)]
