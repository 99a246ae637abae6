"""Cancel units left unshipped past the deadline, as Amazon did automatically."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from feedsvc.orders.cancellation import CancelLine, cancel_lines
from feedsvc.orders.models import Order
from feedsvc.orders.repository import OrderRepository
from feedsvc.orders.types import CancellationSource

# No rule cancels sooner than this after the ship-by date; orders younger than that are
# not even loaded.
EARLIEST_DEADLINE = timedelta(days=9)


class AutoCancelRule(StrEnum):
    # Amazon's help pages until September 2020: 30 days after the expected ship date.
    THIRTY_DAYS = "30-days-after-ship-date"
    # From 30 September 2020: 7 business days after the latest ship date.
    SEVEN_BUSINESS_DAYS = "7-business-days-after-ship-date"
    OFF = "off"


def deadline(order: Order, rule: AutoCancelRule) -> datetime | None:
    """When the order's unshipped units are cancelled, or None if the rule is off."""
    ship_by = order.latest_ship_date or order.purchase_date
    if rule == AutoCancelRule.THIRTY_DAYS:
        return ship_by + timedelta(days=30)
    if rule == AutoCancelRule.SEVEN_BUSINESS_DAYS:
        return add_business_days(ship_by, 7)
    return None


def add_business_days(start: datetime, days: int) -> datetime:
    """``start`` moved forward by ``days`` weekdays (Saturday and Sunday do not count)."""
    moment = start
    while days:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def sweep(repository: OrderRepository, *, now: datetime, rule: AutoCancelRule) -> list[str]:
    """Cancel every overdue order's unshipped units; the AmazonOrderIDs it cancelled."""
    if rule == AutoCancelRule.OFF:
        return []
    cancelled = []
    for order in repository.unshipped_before(now - EARLIEST_DEADLINE):
        due = deadline(order, rule)
        lines = [CancelLine(i, None, None) for i in order.items if i.quantity_unshipped]
        if due is None or now < due or not lines:
            continue
        cancel_lines(repository, order, lines, source=CancellationSource.AUTO, now=now)
        cancelled.append(order.amazon_order_id)
    return cancelled
