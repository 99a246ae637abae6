"""What happened to each message of a feed, and the result codes that say so."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class ResultCode(IntEnum):
    """ResultMessageCode values; see docs/result-codes.md for where each comes from."""

    XML_INVALID = 5001
    INTERNAL_ERROR = 5002
    XML_NOT_WELL_FORMED = 50001
    INVALID_DATA = 18028
    FULFILLMENT_QUANTITY_EXCEEDED = 18021
    # feedsvc's own codes, for rules whose Amazon code is not known.
    WRONG_MESSAGE_TYPE = 91001
    UNITS_ALREADY_SHIPPED = 91002
    UNITS_ALREADY_CANCELLED = 91003
    QUANTITY_EXCEEDS_REMAINING = 91004
    REFUND_EXCEEDS_BALANCE = 91005
    NET_REFUND_NOT_POSITIVE = 91006
    NEGATIVE_COMPONENT = 91007
    CURRENCY_MISMATCH = 91008
    DUPLICATE_ADJUSTMENT = 91009
    MERCHANT_ID_CONFLICT = 91010
    REFUND_PENDING_SHIPMENT = 91011
    CHARSET_MISMATCH = 91012
    FLAT_FILE_MISSING_COLUMN = 90012
    FLAT_FILE_UNKNOWN_COLUMN = 90061


class Severity(StrEnum):
    ERROR = "Error"
    WARNING = "Warning"
    FATAL = "Fatal"  # flat-file reports only: the whole file was refused


@dataclass(frozen=True, slots=True)
class MessageResult:
    """One Result entry of a processing report."""

    message_id: int
    severity: Severity
    code: ResultCode
    description: str
    amazon_order_id: str | None = None
    amazon_order_item_code: str | None = None


@dataclass(frozen=True, slots=True)
class ProcessingSummary:
    """The counters of a report: processed = successful + with error."""

    processed: int
    successful: int
    with_error: int
    with_warning: int

    @classmethod
    def tally(cls, processed: int, results: list[MessageResult]) -> ProcessingSummary:
        """Counters for a processed feed: each message with an error counts once.

        Results about the whole document (MessageID 0) are not counted as messages.
        """
        errors = {r.message_id for r in results if r.severity is not Severity.WARNING} - {0}
        warnings = {r.message_id for r in results if r.severity is Severity.WARNING}
        warnings -= errors | {0}
        return cls(processed, processed - len(errors), len(errors), len(warnings))

    @classmethod
    def rejected(cls, messages: int) -> ProcessingSummary:
        """Counters for a document refused whole: every message failed (at least one)."""
        count = max(messages, 1)
        return cls(count, 0, count, 0)
