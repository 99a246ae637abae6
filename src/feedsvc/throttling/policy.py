"""The documented Feeds quotas and the arithmetic of one bucket."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

HOUR = timedelta(hours=1)


class ThrottlingMode(StrEnum):
    REAL = "real"  # Amazon's quotas on the real clock
    ACCELERATED = "accelerated"  # Amazon's quotas on a clock running ``speed`` times faster
    OFF = "off"


@dataclass(frozen=True, slots=True)
class Quota:
    """Burst size, seconds to restore one request, and requests per hour."""

    burst: int
    restore_seconds: float
    hourly: int


# MWS Feeds API throttling, per seller account and operation.
FEEDS_QUOTAS: dict[str, Quota] = {
    "SubmitFeed": Quota(burst=15, restore_seconds=120, hourly=30),
    "GetFeedSubmissionList": Quota(burst=10, restore_seconds=45, hourly=80),
    "GetFeedSubmissionListByNextToken": Quota(burst=30, restore_seconds=2, hourly=1800),
    "GetFeedSubmissionCount": Quota(burst=10, restore_seconds=45, hourly=80),
    "CancelFeedSubmissions": Quota(burst=10, restore_seconds=45, hourly=80),
    "GetFeedSubmissionResult": Quota(burst=15, restore_seconds=60, hourly=60),
}


@dataclass(frozen=True, slots=True)
class BucketState:
    """What is left: tokens (fractional while restoring) and this hour's count."""

    tokens: float
    refilled_at: datetime
    window_start: datetime
    window_count: int

    @classmethod
    def full(cls, quota: Quota, now: datetime) -> BucketState:
        return cls(float(quota.burst), now, now, 0)


class Verdict(StrEnum):
    ADMITTED = "admitted"
    THROTTLED = "throttled"  # the burst is spent: RequestThrottled
    QUOTA_EXCEEDED = "quota_exceeded"  # the hourly quota is spent: QuotaExceeded


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    state: BucketState
    hourly: int
    remaining: int
    resets_on: datetime


def take(state: BucketState, quota: Quota, *, now: datetime, speed: float) -> Decision:
    """Spend one request from ``state`` at ``now``, the clock running ``speed`` times fast."""
    elapsed = max((now - state.refilled_at).total_seconds(), 0.0) * speed
    tokens = min(float(quota.burst), state.tokens + elapsed / quota.restore_seconds)
    window = HOUR / speed
    window_start, count = state.window_start, state.window_count
    if now - window_start >= window:
        window_start, count = now, 0
    resets_on = window_start + window
    state = replace(state, tokens=tokens, refilled_at=now, window_start=window_start,
                    window_count=count)  # fmt: skip
    if count >= quota.hourly:
        return Decision(Verdict.QUOTA_EXCEEDED, state, quota.hourly, 0, resets_on)
    if tokens < 1:
        return Decision(Verdict.THROTTLED, state, quota.hourly, quota.hourly - count, resets_on)
    state = replace(state, tokens=tokens - 1, window_count=count + 1)
    return Decision(Verdict.ADMITTED, state, quota.hourly, quota.hourly - count - 1, resets_on)
