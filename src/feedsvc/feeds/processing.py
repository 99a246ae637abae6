"""Apply a queued feed's messages to the orders, each in its own savepoint, and report."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

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
# How often (in messages) the session forgets what it has loaded, to bound memory.
FORGET_EVERY = 500


@dataclass(frozen=True, slots=True)
class ProcessedFeed:
    feed_type: str
    processed: int
    results: list[MessageResult]


def process_submission(
    session: Session, *, submission_id: int, clock: Clock
) -> ProcessedFeed | None:
    """Apply every message of an _IN_PROGRESS_ submission and complete it with its report."""
    feeds = FeedRepository(session)
    submission = feeds.get(submission_id)
    if submission is None or submission.status != FeedProcessingStatus.IN_PROGRESS:
        return None
    seller = session.get_one(Seller, submission.seller_pk)
    kind = SUPPORTED_FEED_TYPES[FeedType(submission.feed_type)]
    orders = OrderService(
        OrderRepository(session), clock, seller_pk=seller.id, feed_submission_id=submission.id
    )
    content = feeds.open_content(submission_id)
    results, messages = _read(content, submission.content_type, kind)
    processed = 0
    for message_id, command in messages:
        processed += 1
        if processed % FORGET_EVERY == 0:
            # Everything so far is flushed; keep the session's identity map small.
            session.expunge_all()
        savepoint = session.begin_nested()
        try:
            notes = _apply(orders, command, kind.body)
        except Rejection as rejection:
            savepoint.rollback()
            results.append(
                MessageResult(
                    message_id,
                    Severity.ERROR,
                    rejection.code,
                    rejection.description,
                    rejection.amazon_order_id,
                    rejection.amazon_order_item_code,
                )
            )
            continue
        savepoint.commit()
        results.extend(
            MessageResult(
                message_id,
                Severity.WARNING,
                note.code,
                note.description,
                note.amazon_order_id,
                note.amazon_order_item_code,
            )
            for note in notes
        )
    submission = feeds.get(submission_id) or submission
    seller = session.get_one(Seller, seller.id)
    reporting.complete(
        feeds,
        submission,
        merchant_identifier=seller.seller_id,
        summary=ProcessingSummary.tally(processed, results),
        results=results,
        now=clock.now(),
    )
    log.info(
        "feed processed",
        extra={"submission_id": submission_id, "messages": processed, "results": len(results)},
    )
    return ProcessedFeed(submission.feed_type, processed, results)


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
