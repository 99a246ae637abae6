"""The automatic-cancellation rules, applied by sweep() on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from feedsvc.orders.auto_cancel import AutoCancelRule, sweep
from tests.orders.conftest import World
from tests.support import item_payload

SHIP_BY = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)  # a Friday


@pytest.mark.parametrize(
    ("rule", "deadline"),
    [
        pytest.param(AutoCancelRule.THIRTY_DAYS, SHIP_BY + timedelta(days=30), id="30-days"),
        pytest.param(
            AutoCancelRule.SEVEN_BUSINESS_DAYS,
            datetime(2026, 11, 17, 9, 0, tzinfo=UTC),  # weekends do not count
            id="7-business-days",
        ),
    ],
)
def test_cancelled_at_the_deadline_not_before(
    world: World, rule: AutoCancelRule, deadline: datetime
) -> None:
    order = world.order(
        item_payload(quantity=2),
        latest_ship_date=SHIP_BY.isoformat(),
        purchase_date="2026-11-01T00:00:00Z",
    )
    before = sweep(world.repository, now=deadline - timedelta(seconds=1), rule=rule)
    assert order.amazon_order_id not in before
    after = sweep(world.repository, now=deadline, rule=rule)
    assert order.amazon_order_id in after
    view = world.view(order.amazon_order_id)
    assert view.status == "Canceled"
    assert [(c.source, c.buyer_requested) for c in view.cancellations] == [("auto", False)]
    # A second sweep finds nothing left to cancel.
    assert order.amazon_order_id not in sweep(world.repository, now=deadline, rule=rule)


def test_off_cancels_nothing(world: World) -> None:
    order = world.order(latest_ship_date=SHIP_BY.isoformat())
    assert sweep(world.repository, now=SHIP_BY + timedelta(days=365), rule=AutoCancelRule.OFF) == []
    assert world.view(order.amazon_order_id).status == "Unshipped"
