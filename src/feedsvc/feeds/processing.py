"""Apply a queued feed's messages to the orders, each in its own savepoint, and report."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

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
from feedsvc.orders.preload import PreloadedOrderRepository
from feedsvc.orders.repository import OrderRepository
from feedsvc.orders.row_batch import RowBatch
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
    batched: bool = True,
) -> ProcessedFeed | None:
    """Apply the messages of an _IN_PROGRESS_ submission and complete it with its report.

    Every ``batch`` messages, their effects, their results and the count done are
    committed together by ``checkpoint``, so a feed interrupted anywhere resumes after
    its last checkpoint: nothing is lost and nothing is applied twice.

    With ``batched`` (the default), runs of messages are applied together by _FastPath; a
    message it cannot apply in a run goes through the message-at-a-time path, whose
    result is the reference (``batched=False`` uses it for every message).
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

    fast = _FastPath(session, orders, clock, seller_pk, kind.body) if batched else None
    processed = done
    for chunk in _chunks(messages, batch, skip=done):
        applied = 0
        while applied < len(chunk):
            if fast is not None:
                count, found = fast.apply(chunk[applied:])
                pending.extend(found)
                applied += count
                if applied == len(chunk):
                    break
            message_id, command = chunk[applied]
            for _ in range(CONFLICT_RETRIES):
                try:
                    found = _apply_one(session, orders, message_id, command, kind.body)
                    break
                except LockConflict:
                    # Another feed waits for orders this one holds: commit what is done
                    # (which releases them), then try the message again.
                    commit_progress(processed + applied)
            else:
                raise RuntimeError(f"message {message_id} kept meeting lock conflicts")
            pending.extend(found)
            applied += 1
        processed += len(chunk)
        commit_progress(processed)
        if fast is not None:
            fast.reset()
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


def _chunks(
    messages: Iterator[tuple[int, OrderCommand]], size: int, *, skip: int
) -> Iterator[list[tuple[int, OrderCommand]]]:
    """The messages after the first ``skip``, ``size`` at a time."""
    chunk: list[tuple[int, OrderCommand]] = []
    for position, pair in enumerate(messages, start=1):
        if position <= skip:
            continue  # applied before an interruption
        chunk.append(pair)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _FastPath:
    """Applies a run of messages with one preload, no savepoints and one flush.

    Without a savepoint per message, a message that is rejected after changing anything
    in memory cannot be undone alone; so the run is rolled back to its savepoint, the
    messages before the rejected one are applied again as a run (they succeeded, and do
    again), and the rejected message is left to the message-at-a-time path. A database
    error (a unique value taken by a concurrent feed, a lock conflict) rolls the run back
    and turns the fast path off until ``reset()``, so the rest of the batch goes one
    message at a time, which knows how to report and retry those.
    """

    def __init__(
        self, session: Session, orders: OrderService, clock: Clock, seller_pk: int, body: str
    ) -> None:
        self._session = session
        self._orders = orders
        self._clock = clock
        self._seller_pk = seller_pk
        self._body = body
        self._enabled = True

    def reset(self) -> None:
        self._enabled = True

    def _lane(
        self, run: list[tuple[int, OrderCommand]]
    ) -> tuple[Callable[[OrderCommand], list[Note]], Callable[[], None], bool]:
        """How to apply each message of ``run``, how to write what they staged, and
        whether that is on plain rows.

        A run whose messages all name their orders by AmazonOrderID (or are refused)
        goes on plain rows (``RowBatch``); any other on the preloaded ORM objects."""
        commands = [command for _, command in run]
        if all(RowBatch.takes(c) or _BODIES.get(type(c)) != self._body for c in commands):
            batch = RowBatch(
                self._session, self._seller_pk, [c for c in commands if RowBatch.takes(c)]
            )
            now = self._clock.now()

            def on_rows(command: OrderCommand) -> list[Note]:
                # _refusal let only commands of the feed's body through, and takes() said
                # they are these.
                if isinstance(command, Adjustment):
                    return self._orders.adjust_rows(command, batch, now=now)
                if isinstance(command, Fulfillment):
                    return self._orders.fulfill_rows(command, batch, now=now)
                assert isinstance(command, Acknowledgement)
                return self._orders.acknowledge_rows(command, batch, now=now)

            return on_rows, batch.write, True
        repository = PreloadedOrderRepository.for_commands(self._session, self._seller_pk, commands)
        orders = self._orders.with_repository(repository)
        return partial(_apply, orders), repository.write_staged, False

    def apply(self, run: list[tuple[int, OrderCommand]]) -> tuple[int, list[MessageResult]]:
        """Apply the longest leading part of ``run`` that it can: (how many, their results)."""
        if not self._enabled:
            return 0, []
        results: list[MessageResult] = []
        rejected: int | None = None
        savepoint = self._session.begin_nested()
        try:
            apply, write, plain = self._lane(run)
            for position, (message_id, command) in enumerate(run):
                refused = _refusal(message_id, command, self._body)
                if refused is not None:  # nothing was touched: report it and go on
                    results.append(refused)
                    continue
                try:
                    notes = apply(command)
                except Rejection:
                    rejected = position
                    break
                results.extend(_warnings(message_id, notes))
            if rejected is None:
                write()
                savepoint.commit()  # flushes the run's changes
                if plain:
                    log.debug("run applied on plain rows", extra={"messages": len(run)})
                return len(run), results
        except DBAPIError as exc:
            savepoint.rollback()
            self._enabled = False
            log.warning(
                "batched apply met a database error; the batch goes one message at a time",
                extra={"error": f"{type(exc).__name__}: {exc.orig}"},
            )
            return 0, []
        except BaseException:
            savepoint.rollback()
            raise
        savepoint.rollback()
        return self.apply(run[:rejected]) if rejected else (0, [])


def _apply_one(
    session: Session, orders: OrderService, message_id: int, command: OrderCommand, body: str
) -> list[MessageResult]:
    """Apply one message in its own savepoint; its Results."""
    refused = _refusal(message_id, command, body)
    if refused is not None:
        return [refused]
    savepoint = session.begin_nested()
    try:
        notes = _apply(orders, command)
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
    return _warnings(message_id, notes)


def _warnings(message_id: int, notes: list[Note]) -> list[MessageResult]:
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


def _refusal(message_id: int, command: OrderCommand, expected_body: str) -> MessageResult | None:
    """The error for a message that cannot be applied whatever the orders say, if it is one."""
    if isinstance(command, InvalidMessage):
        return MessageResult(
            message_id,
            Severity.ERROR,
            command.code,
            command.description,
            command.amazon_order_id,
            command.amazon_order_item_code,
        )
    if _BODIES.get(type(command)) == expected_body:
        return None
    return MessageResult(
        message_id,
        Severity.ERROR,
        ResultCode.WRONG_MESSAGE_TYPE,
        "We are unable to process the XML feed because one or more items are invalid: "
        f"this feed type takes {expected_body} messages, not {_body_name(command)}.",
    )


def _apply(orders: OrderService, command: OrderCommand) -> list[Note]:
    """Apply a command that _refusal let through."""
    if isinstance(command, Acknowledgement):
        return orders.acknowledge(command)
    if isinstance(command, Adjustment):
        return orders.adjust(command)
    if isinstance(command, Fulfillment):
        return orders.fulfill(command)
    raise AssertionError(f"{type(command).__name__} reached _apply")


_BODIES: dict[type, str] = {
    Acknowledgement: "OrderAcknowledgement",
    Adjustment: "OrderAdjustment",
    Fulfillment: "OrderFulfillment",
}


def _body_name(command: OrderCommand) -> str:
    if isinstance(command, UnsupportedMessage):
        return command.body
    return _BODIES[type(command)]
