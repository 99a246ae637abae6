"""Wire values of feed submissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class FeedType(StrEnum):
    ORDER_ACKNOWLEDGEMENT = "_POST_ORDER_ACKNOWLEDGEMENT_DATA_"
    PAYMENT_ADJUSTMENT = "_POST_PAYMENT_ADJUSTMENT_DATA_"
    ORDER_FULFILLMENT = "_POST_ORDER_FULFILLMENT_DATA_"
    FLAT_FILE_ORDER_ACKNOWLEDGEMENT = "_POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA_"
    FLAT_FILE_PAYMENT_ADJUSTMENT = "_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_"
    FLAT_FILE_FULFILLMENT = "_POST_FLAT_FILE_FULFILLMENT_DATA_"


class FeedFormat(StrEnum):
    XML = "xml"
    FLAT_FILE = "flat-file"


@dataclass(frozen=True, slots=True)
class FeedKind:
    """How a feed type is written, and which order message it carries."""

    format: FeedFormat
    body: str


# The feed types this build processes.
SUPPORTED_FEED_TYPES: dict[FeedType, FeedKind] = {
    FeedType.ORDER_ACKNOWLEDGEMENT: FeedKind(FeedFormat.XML, "OrderAcknowledgement"),
    FeedType.PAYMENT_ADJUSTMENT: FeedKind(FeedFormat.XML, "OrderAdjustment"),
    FeedType.ORDER_FULFILLMENT: FeedKind(FeedFormat.XML, "OrderFulfillment"),
    FeedType.FLAT_FILE_ORDER_ACKNOWLEDGEMENT: FeedKind(
        FeedFormat.FLAT_FILE, "OrderAcknowledgement"
    ),
    FeedType.FLAT_FILE_PAYMENT_ADJUSTMENT: FeedKind(FeedFormat.FLAT_FILE, "OrderAdjustment"),
    FeedType.FLAT_FILE_FULFILLMENT: FeedKind(FeedFormat.FLAT_FILE, "OrderFulfillment"),
}


class FeedProcessingStatus(StrEnum):
    SUBMITTED = "_SUBMITTED_"
    IN_PROGRESS = "_IN_PROGRESS_"
    DONE = "_DONE_"
    CANCELLED = "_CANCELLED_"
    IN_SAFETY_NET = "_IN_SAFETY_NET_"
    AWAITING_ASYNCHRONOUS_REPLY = "_AWAITING_ASYNCHRONOUS_REPLY_"
    UNCONFIRMED = "_UNCONFIRMED_"


class SubmissionStatus(Protocol):
    """What FeedSubmissionInfo shows of a submission: a stored one, or one just queued."""

    @property
    def id(self) -> int: ...
    @property
    def feed_type(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def submitted_at(self) -> datetime: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def completed_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class QueuedSubmission:
    """A submission as SubmitFeed just wrote and queued it (not loaded back)."""

    id: int
    feed_type: str
    submitted_at: datetime
    status: str = FeedProcessingStatus.SUBMITTED
    started_at: datetime | None = None
    completed_at: datetime | None = None
