"""What stands between an authenticated request and its action: quotas, injected faults,
and the checksum policy of result downloads."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from feedsvc.accounts.types import SellerAccount
from feedsvc.errors import InternalError, MwsError, QuotaExceeded, RequestThrottled
from feedsvc.faults.models import Fault, FaultKind
from feedsvc.faults.repository import FaultRepository
from feedsvc.feeds.reporting import content_md5
from feedsvc.mws.actions import RawAnswer
from feedsvc.throttling.policy import FEEDS_QUOTAS, Decision, Verdict


def iso_milliseconds(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def refuse_when_spent(quota: Decision | None, operation: str) -> None:
    if quota is None or quota.verdict == Verdict.ADMITTED:
        return
    if quota.verdict == Verdict.QUOTA_EXCEEDED:
        raise QuotaExceeded(
            hourly=quota.hourly, operation=operation, resets_on=iso_milliseconds(quota.resets_on)
        )
    raise RequestThrottled()


def injected_error(fault: Fault, operation: str, quota: Decision | None) -> MwsError:
    kind = FaultKind(fault.kind)
    if kind == FaultKind.REQUEST_THROTTLED:
        return RequestThrottled()
    if kind == FaultKind.QUOTA_EXCEEDED:
        hourly = quota.hourly if quota else FEEDS_QUOTAS[operation].hourly
        resets_on = quota.resets_on if quota else datetime.now(UTC)
        return QuotaExceeded(
            hourly=hourly, operation=operation, resets_on=iso_milliseconds(resets_on)
        )
    return InternalError("We encountered an internal error. Please try again.")


def result_checksum(session: Session, seller: SellerAccount, answer: RawAnswer) -> RawAnswer:
    """Apply the seller's Content-MD5 switch and any armed wrong-checksum fault."""
    if FaultRepository(session).consume(seller.id, [FaultKind.WRONG_CONTENT_MD5]) is not None:
        return replace(answer, content_md5=content_md5(answer.content + b"corrupted"))
    if not seller.send_result_content_md5:
        return replace(answer, content_md5=None)
    return answer
