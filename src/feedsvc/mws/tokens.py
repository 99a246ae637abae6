"""NextToken: an opaque, self-contained cursor for GetFeedSubmissionListByNextToken."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from feedsvc.errors import NextTokenCorrupted
from feedsvc.feeds.repository import SubmissionFilter

MAX_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class ListCursor:
    """Where the next page starts, and the query it continues."""

    seller_pk: int
    before_id: int
    max_count: int
    where: SubmissionFilter


def encode(cursor: ListCursor) -> str:
    where = cursor.where
    payload = {
        "s": cursor.seller_pk,
        "b": cursor.before_id,
        "n": cursor.max_count,
        "i": list(where.ids),
        "t": list(where.feed_types),
        "p": list(where.statuses),
        "f": where.submitted_from.isoformat() if where.submitted_from else None,
        "u": where.submitted_to.isoformat() if where.submitted_to else None,
    }
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii")


def decode(token: str, *, seller_pk: int) -> ListCursor:
    """The cursor in ``token``; NextTokenCorrupted if it was not issued to this seller."""
    try:
        payload = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
        cursor = ListCursor(
            seller_pk=int(payload["s"]),
            before_id=int(payload["b"]),
            max_count=int(payload["n"]),
            where=SubmissionFilter(
                ids=tuple(int(i) for i in payload["i"]),
                feed_types=tuple(str(t) for t in payload["t"]),
                statuses=tuple(str(p) for p in payload["p"]),
                submitted_from=_date(payload["f"]),
                submitted_to=_date(payload["u"]),
            ),
        )
        _check(cursor)
    except (ValueError, KeyError, TypeError, OverflowError, UnicodeEncodeError, binascii.Error):
        raise NextTokenCorrupted(
            "The NextToken is corrupted; call GetFeedSubmissionList again."
        ) from None
    if cursor.seller_pk != seller_pk:
        raise NextTokenCorrupted("The NextToken was not issued to this seller.")
    return cursor


def _date(value: object) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("a NextToken date without a time zone")
    return moment


def _check(cursor: ListCursor) -> None:
    """Refuse values no issued token carries (tokens are readable, so they can be edited)."""
    numbers = [cursor.seller_pk, cursor.before_id, *cursor.where.ids]
    if not all(0 <= n <= MAX_ID for n in numbers) or not 1 <= cursor.max_count <= 100:
        raise ValueError("a NextToken value out of range")
