"""The seller's cancellation rate, as Amazon measured it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from feedsvc.orders.repository import OrderRepository

# Amazon's target: seller-cancelled orders below 2.5 % of all orders.
CANCELLATION_RATE_TARGET = 0.025


@dataclass(frozen=True, slots=True)
class CancellationRate:
    window_start: datetime
    window_end: datetime
    orders: int
    seller_cancelled_orders: int

    @property
    def rate(self) -> float:
        return self.seller_cancelled_orders / self.orders if self.orders else 0.0

    @property
    def above_target(self) -> bool:
        return self.rate > CANCELLATION_RATE_TARGET


def cancellation_rate(
    repository: OrderRepository, seller_pk: int, *, end: datetime, days: int
) -> CancellationRate:
    """Orders placed in the ``days`` before ``end`` that the seller cancelled, any part of.

    Cancellations the buyer asked for (BuyerCanceled, CustomerCancel) are exempt;
    automatic cancellations count against the seller.
    """
    start = end - timedelta(days=days)
    orders, cancelled = repository.cancellation_counts(seller_pk, start, end)
    return CancellationRate(start, end, orders, cancelled)
