"""Admit or refuse a request under its seller's throttling mode."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from feedsvc.accounts.types import SellerAccount
from feedsvc.throttling.models import QuotaBucket
from feedsvc.throttling.policy import (
    FEEDS_QUOTAS,
    BucketState,
    Decision,
    ThrottlingMode,
    take,
)
from feedsvc.throttling.repository import QuotaRepository


def throttled(seller: SellerAccount, operation: str) -> bool:
    """Whether admit() has a quota to spend for this request."""
    return operation in FEEDS_QUOTAS and seller.throttling_mode != ThrottlingMode.OFF


def admit(
    session: Session, seller: SellerAccount, operation: str, *, now: datetime
) -> Decision | None:
    """Spend one request of ``operation``; None when throttling is off for the seller."""
    quota = FEEDS_QUOTAS.get(operation)
    mode = ThrottlingMode(seller.throttling_mode)
    if quota is None or mode == ThrottlingMode.OFF:
        return None
    speed = seller.throttling_speed if mode == ThrottlingMode.ACCELERATED else 1.0
    repository = QuotaRepository(session)
    bucket = repository.locked(seller.id, operation)
    if bucket is None:
        bucket = QuotaBucket(seller_pk=seller.id, operation=operation)
        state = BucketState.full(quota, now)
        repository.add(bucket)
    else:
        state = BucketState(
            bucket.tokens, bucket.refilled_at, bucket.window_start, bucket.window_count
        )
    decision = take(state, quota, now=now, speed=speed)
    bucket.tokens = decision.state.tokens
    bucket.refilled_at = decision.state.refilled_at
    bucket.window_start = decision.state.window_start
    bucket.window_count = decision.state.window_count
    return decision
