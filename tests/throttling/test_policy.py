"""The token-bucket arithmetic on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feedsvc.throttling.policy import FEEDS_QUOTAS, BucketState, Quota, Verdict, take

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
QUOTA = Quota(burst=3, restore_seconds=10, hourly=5)


def spend(state: BucketState, times: int, at: datetime, speed: float = 1.0) -> list[Verdict]:
    verdicts = []
    for _ in range(times):
        decision = take(state, QUOTA, now=at, speed=speed)
        state = decision.state
        verdicts.append(decision.verdict)
    return verdicts


def test_burst_then_throttled() -> None:
    assert spend(BucketState.full(QUOTA, T0), 4, T0) == [Verdict.ADMITTED] * 3 + [Verdict.THROTTLED]


def test_restore_rate_refills_one_token_per_period() -> None:
    state = BucketState.full(QUOTA, T0)
    for _ in range(3):
        state = take(state, QUOTA, now=T0, speed=1).state
    assert take(state, QUOTA, now=T0 + timedelta(seconds=9), speed=1).verdict == Verdict.THROTTLED
    assert take(state, QUOTA, now=T0 + timedelta(seconds=10), speed=1).verdict == Verdict.ADMITTED


def test_hourly_quota_then_reset() -> None:
    state = BucketState.full(QUOTA, T0)
    moments = [T0 + timedelta(seconds=60 * i) for i in range(6)]
    verdicts = []
    for moment in moments:
        decision = take(state, QUOTA, now=moment, speed=1)
        state = decision.state
        verdicts.append(decision.verdict)
    assert verdicts == [Verdict.ADMITTED] * 5 + [Verdict.QUOTA_EXCEEDED]
    assert decision.remaining == 0
    assert decision.resets_on == T0 + timedelta(hours=1)
    after = take(state, QUOTA, now=T0 + timedelta(hours=1), speed=1)
    assert (after.verdict, after.remaining) == (Verdict.ADMITTED, 4)


def test_speed_shrinks_every_period() -> None:
    state = BucketState.full(QUOTA, T0)
    for _ in range(3):
        state = take(state, QUOTA, now=T0, speed=60).state
    restored = take(state, QUOTA, now=T0 + timedelta(seconds=10 / 60), speed=60)
    assert restored.verdict == Verdict.ADMITTED
    assert restored.resets_on == T0 + timedelta(minutes=1)


def test_documented_feeds_quotas() -> None:
    assert FEEDS_QUOTAS["SubmitFeed"] == Quota(burst=15, restore_seconds=120, hourly=30)
    assert FEEDS_QUOTAS["GetFeedSubmissionResult"] == Quota(burst=15, restore_seconds=60, hourly=60)
