"""Wire values of feed submissions."""

from __future__ import annotations

from enum import StrEnum


class FeedType(StrEnum):
    ORDER_ACKNOWLEDGEMENT = "_POST_ORDER_ACKNOWLEDGEMENT_DATA_"
    PAYMENT_ADJUSTMENT = "_POST_PAYMENT_ADJUSTMENT_DATA_"
    ORDER_FULFILLMENT = "_POST_ORDER_FULFILLMENT_DATA_"
    FLAT_FILE_ORDER_ACKNOWLEDGEMENT = "_POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA_"
    FLAT_FILE_PAYMENT_ADJUSTMENT = "_POST_FLAT_FILE_PAYMENT_ADJUSTMENT_DATA_"
    FLAT_FILE_FULFILLMENT = "_POST_FLAT_FILE_FULFILLMENT_DATA_"


# The feed types this build processes, and the XML message body each accepts.
SUPPORTED_FEED_TYPES: dict[FeedType, str] = {
    FeedType.ORDER_ACKNOWLEDGEMENT: "OrderAcknowledgement",
    FeedType.PAYMENT_ADJUSTMENT: "OrderAdjustment",
    FeedType.ORDER_FULFILLMENT: "OrderFulfillment",
}


class FeedProcessingStatus(StrEnum):
    SUBMITTED = "_SUBMITTED_"
    IN_PROGRESS = "_IN_PROGRESS_"
    DONE = "_DONE_"
    CANCELLED = "_CANCELLED_"
    IN_SAFETY_NET = "_IN_SAFETY_NET_"
    AWAITING_ASYNCHRONOUS_REPLY = "_AWAITING_ASYNCHRONOUS_REPLY_"
    UNCONFIRMED = "_UNCONFIRMED_"
