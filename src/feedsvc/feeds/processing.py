"""Apply a queued feed's messages to the orders, each in its own savepoint, and report."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from feedsvc.accounts.models import Seller
from feedsvc.clock import Clock
from feedsvc.feeds import reporting
from feedsvc.feeds.repository import FeedRepository
from feedsvc.feeds.types import SUPPORTED_FEED_TYPES, FeedProcessingStatus, FeedType
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
from feedsvc.xml.messages import read_messages

log = logging.getLogger(__name__)


def process_submission(session: Session, *, submission_id: int, clock: Clock) -> None:
    """Apply every message of an _IN_PROGRESS_ submission and complete it with its report."""
    feeds = FeedRepository(session)
    submission = feeds.get(submission_id)
    if submission is None or submission.status != FeedProcessingStatus.IN_PROGRESS:
        return
    seller = session.get_one(Seller, submission.seller_pk)
    expected_body = SUPPORTED_FEED_TYPES[FeedType(submission.feed_type)]
    orders = OrderService(
        OrderRepository(session), clock, seller_pk=seller.id, feed_submission_id=submission.id
    )
    content = feeds.content(submission_id)
    results = reporting.document_notes(content, submission.content_type)
    processed = 0
    for message in read_messages(content, content_type=submission.content_type):
        processed += 1
        savepoint = session.begin_nested()
        try:
            notes = _apply(orders, message.command, expected_body)
        except Rejection as rejection:
            savepoint.rollback()
            results.append(
                MessageResult(
                    message.message_id,
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
                message.message_id,
                Severity.WARNING,
                note.code,
                note.description,
                note.amazon_order_id,
                note.amazon_order_item_code,
            )
            for note in notes
        )
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


def _apply(orders: OrderService, command: OrderCommand, expected_body: str) -> list[Note]:
    if isinstance(command, InvalidMessage):
        raise Rejection(ResultCode.INVALID_DATA, command.description)
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
