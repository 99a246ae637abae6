"""Batched processing must give exactly what message-at-a-time processing gives.

Two sellers get the same orders. Random feeds (acknowledgements with merchant ids and
cancellations, adjustments with refunds, cancelled quantities and repeated adjustment ids,
fulfilments that release pending refunds), full of messages that are rejected after
changing something in memory, go to both sellers: one seller's feeds are processed by the
batched path, the other's one message at a time (the reference). The processing reports,
the orders and the buyer e-mails must be the same, once the ids are named alike.
"""

from __future__ import annotations

import difflib
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI

from feedsvc.clock import FixedClock
from feedsvc.db.engine import make_sessionmaker
from feedsvc.queue.worker import Worker
from tests.conftest import FEED_ACK, FEED_ADJUSTMENT, Admin, Mws, xml_text
from tests.support import envelope, item_payload, order_payload, unique_item_code

FEED_FULFILLMENT = "_POST_ORDER_FULFILLMENT_DATA_"
# (units ordered, units shipped) of each line of each order.
ORDERS = [
    [(5, 0)],
    [(3, 0), (3, 0)],
    [(4, 2), (4, 1)],
    [(2, 2)],
    [(2, 0), (2, 0), (2, 0)],
    [(6, 0)],
    [(3, 1), (3, 0)],
    [(4, 0)],
]
MERCHANT_ORDER_IDS = ["MO-1", "MO-2", "MO-3"]
MERCHANT_ITEM_IDS = ["MI-1", "MI-2"]
ADJUSTMENT_IDS = ["ADJ-1", "ADJ-2", "ADJ-3", "ADJ-4", "ADJ-5", "ADJ-6"]

# A message as a function of the seller's names: symbolic id -> that seller's real id.
Render = Callable[[dict[str, str]], str]


@dataclass
class Side:
    """One seller, its orders (symbolic ids -> real ids) and the worker that runs its feeds."""

    mws: Mws
    names: dict[str, str]
    worker: Worker

    def run(self, body: str, feed_type: str, messages: list[Render]) -> str:
        feed = envelope(body, *(render(self.names) for render in messages))
        response = self.mws.submit(feed, feed_type)
        assert response.status_code == 200, response.text
        submission_id = xml_text(response.content, "FeedSubmissionId")
        while self.worker.run_once():
            pass
        return submission_id

    def normalised(self, value: Any) -> Any:
        """``value`` with this seller's real ids replaced by the symbolic ones."""
        text = json.dumps(value, sort_keys=True, default=str)
        for symbol, real in sorted(self.names.items(), key=lambda kv: -len(kv[1])):
            text = text.replace(real, symbol)
        return json.loads(text)


def _side(app: FastAPI, admin: Admin, clock: FixedClock, *, batched: bool, batch: int = 7) -> Side:
    seller = admin.seller()
    names: dict[str, str] = {}
    for n, lines in enumerate(ORDERS):
        items = [
            item_payload(
                amazon_order_item_code=unique_item_code(),
                sku=f"SKU-O{n}I{i}",
                quantity=ordered,
                quantity_shipped=shipped,
            )
            for i, (ordered, shipped) in enumerate(lines)
        ]
        order = admin.order(order_payload(seller["seller_id"], items=items))
        names[f"O{n}"] = order["amazon_order_id"]
        for i, item in enumerate(order["items"]):
            names[f"O{n}I{i}"] = item["amazon_order_item_code"]
    worker = Worker(
        make_sessionmaker(app.state.engine),
        clock=clock,
        batch_messages=batch,
        batched=batched,
    )
    return Side(Mws(admin.client, seller, app), names, worker)


def _order(rng: random.Random) -> tuple[str, int]:
    """A symbolic order (sometimes one that does not exist) and its line count."""
    if rng.random() < 0.05:
        return "NOSUCHORDER", 1
    # Skewed, so that messages of one batch often meet on the same orders.
    (n,) = rng.choices(range(len(ORDERS)), weights=[5, 3, 4, 1, 2, 1, 1, 1])
    return f"O{n}", len(ORDERS[n])


def _item(rng: random.Random, order: str, lines: int) -> str:
    if order == "NOSUCHORDER" or rng.random() < 0.05:
        return "99999999999999"  # no such line
    return f"{order}I{rng.randrange(lines)}"


def _id(names: dict[str, str], symbol: str) -> str:
    return names.get(symbol, "999-9999999-9999999" if symbol == "NOSUCHORDER" else symbol)


def _acknowledgement(rng: random.Random) -> Render:
    order, lines = _order(rng)
    merchant = rng.choice([None, *MERCHANT_ORDER_IDS])
    status = rng.choice(["Success", "Success", "Failure"])
    items = []
    for _ in range(rng.choice([0, 0, 1, 2])):
        item = _item(rng, order, lines)
        merchant_item = rng.choice([None, *MERCHANT_ITEM_IDS])
        quantity = rng.choice([None, 1, 1, 2, 4])
        items.append((item, merchant_item, quantity, rng.choice(["NoInventory", "BuyerCanceled"])))

    def render(names: dict[str, str]) -> str:
        parts = [f"<AmazonOrderID>{_id(names, order)}</AmazonOrderID>"]
        if merchant:
            parts.append(f"<MerchantOrderID>{merchant}</MerchantOrderID>")
        parts.append(f"<StatusCode>{status}</StatusCode>")
        for item, merchant_item, quantity, reason in items:
            parts.append(f"<Item><AmazonOrderItemCode>{_id(names, item)}</AmazonOrderItemCode>")
            if merchant_item:
                parts.append(f"<MerchantOrderItemID>{merchant_item}</MerchantOrderItemID>")
            if status == "Failure":
                parts.append(f"<CancelReason>{reason}</CancelReason>")
                if quantity:
                    parts.append(f"<Quantity>{quantity}</Quantity>")
            parts.append("</Item>")
        return f"<OrderAcknowledgement>{''.join(parts)}</OrderAcknowledgement>"

    return render


def _adjustment(rng: random.Random) -> Render:
    order, lines = _order(rng)
    by_merchant_id = rng.random() < 0.2
    merchant = rng.choice(MERCHANT_ORDER_IDS)
    items = []
    for _ in range(rng.choice([1, 1, 1, 2])):
        item = _item(rng, order, lines)
        adjustment_id = rng.choice([None, None, *ADJUSTMENT_IDS])
        principal = rng.choice(["0.00", "1.00", "2.00", "5.00", "5.00", "10.00", "40.00"])
        tax = rng.choice([None, None, "0.40", "2.00"])
        cancelled = rng.choice([None, None, None, 1])
        items.append((item, adjustment_id, principal, tax, cancelled))

    def render(names: dict[str, str]) -> str:
        if by_merchant_id:
            parts = [f"<MerchantOrderID>{merchant}</MerchantOrderID>"]
        else:
            parts = [f"<AmazonOrderID>{_id(names, order)}</AmazonOrderID>"]
        for item, adjustment_id, principal, tax, cancelled in items:
            parts.append(f"<AdjustedItem><AmazonOrderItemCode>{_id(names, item)}")
            parts.append("</AmazonOrderItemCode>")
            if adjustment_id:
                parts.append(f"<MerchantAdjustmentItemID>{adjustment_id}")
                parts.append("</MerchantAdjustmentItemID>")
            parts.append("<AdjustmentReason>CustomerReturn</AdjustmentReason>")
            parts.append("<ItemPriceAdjustments>")
            parts.append(_component("Principal", principal))
            if tax:
                parts.append(_component("Tax", tax))
            parts.append("</ItemPriceAdjustments>")
            if cancelled:
                parts.append(f"<QuantityCancelled>{cancelled}</QuantityCancelled>")
            parts.append("</AdjustedItem>")
        return f"<OrderAdjustment>{''.join(parts)}</OrderAdjustment>"

    return render


def _component(kind: str, amount: str) -> str:
    return f'<Component><Type>{kind}</Type><Amount currency="USD">{amount}</Amount></Component>'


def _fulfillment(rng: random.Random) -> Render:
    order, lines = _order(rng)
    items = [
        (_item(rng, order, lines), rng.choice([None, 1, 1])) for _ in range(rng.choice([0, 1, 2]))
    ]
    by_merchant_id = rng.random() < 0.2
    merchant = rng.choice(MERCHANT_ORDER_IDS)

    def render(names: dict[str, str]) -> str:
        if by_merchant_id:
            parts = [f"<MerchantOrderID>{merchant}</MerchantOrderID>"]
        else:
            parts = [f"<AmazonOrderID>{_id(names, order)}</AmazonOrderID>"]
        parts.append("<FulfillmentDate>2026-11-03T10:00:00Z</FulfillmentDate>")
        parts.append("<FulfillmentData><CarrierCode>UPS</CarrierCode></FulfillmentData>")
        for item, quantity in items:
            parts.append(f"<Item><AmazonOrderItemCode>{_id(names, item)}</AmazonOrderItemCode>")
            if quantity:
                parts.append(f"<Quantity>{quantity}</Quantity>")
            parts.append("</Item>")
        return f"<OrderFulfillment>{''.join(parts)}</OrderFulfillment>"

    return render


FEEDS: list[tuple[str, str, Callable[[random.Random], Render]]] = [
    ("OrderAcknowledgement", FEED_ACK, _acknowledgement),
    ("OrderAdjustment", FEED_ADJUSTMENT, _adjustment),
    ("OrderFulfillment", FEED_FULFILLMENT, _fulfillment),
]


def _report(side: Side, submission_id: str) -> Any:
    report = side.mws.report(submission_id)
    processing = report.find("Message/ProcessingReport")
    assert processing is not None
    summary = processing.find("ProcessingSummary")
    assert summary is not None
    return side.normalised(
        {
            "summary": {child.tag: child.text for child in summary},
            "results": [
                {child.tag: " ".join(child.itertext()).strip() for child in result}
                for result in processing.iterfind("Result")
            ],
        }
    )


def _state(side: Side, admin: Admin) -> Any:
    views = []
    for n in range(len(ORDERS)):
        view = admin.get(f"/admin/orders/{side.names[f'O{n}']}")
        for history in ("shipments", "cancellations", "refunds"):
            for entry in view[history]:
                entry.pop("feed_submission_id", None)
                entry.pop("created_at", None)
        view.pop("seller_id")
        views.append(view)
    notifications = admin.get("/admin/notifications", seller_id=side.mws.seller["seller_id"])
    for notification in notifications:
        notification.pop("seller_id", None)
        notification.pop("created_at", None)
        notification.pop("id", None)
    return side.normalised({"orders": views, "notifications": notifications})


def _diff(batched: Any, reference: Any) -> str:
    lines = difflib.unified_diff(
        json.dumps(reference, indent=1, sort_keys=True).splitlines(),
        json.dumps(batched, indent=1, sort_keys=True).splitlines(),
        "one message at a time",
        "batched",
        lineterm="",
    )
    return "\n".join(lines)


def _steps(seed: int) -> Iterator[tuple[str, str, list[Render]]]:
    rng = random.Random(seed)
    for _ in range(4):
        body, feed_type, message = rng.choice(FEEDS)
        yield body, feed_type, [message(rng) for _ in range(rng.randrange(5, 30))]


@pytest.mark.parametrize("seed", range(12))
def test_batched_processing_matches_message_at_a_time(
    seed: int, app: FastAPI, admin: Admin, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    # Small batches: runs end at checkpoints; large ones: long runs that meet often.
    batch = 7 if seed % 2 else 250
    batched = _side(app, admin, clock, batched=True, batch=batch)
    reference = _side(app, admin, clock, batched=False, batch=batch)
    for step, (body, feed_type, messages) in enumerate(_steps(seed)):
        reports = [_report(s, s.run(body, feed_type, messages)) for s in (batched, reference)]
        assert reports[0] == reports[1], f"step {step} ({body}): the reports differ\n" + _diff(
            reports[0], reports[1]
        )
        states = [_state(s, admin) for s in (batched, reference)]
        assert states[0] == states[1], f"step {step} ({body}): the orders differ\n" + _diff(
            states[0], states[1]
        )
    # With no concurrent feed, a database error (a unique value the batch thought free)
    # means the batch's bookkeeping is wrong, even if the fallback hid it.
    fallbacks = [r for r in caplog.records if r.name == "feedsvc.feeds.processing"]
    assert not [r for r in fallbacks if r.levelname == "WARNING"], fallbacks


def test_the_random_feeds_exercise_rejections_and_every_message_type(
    app: FastAPI, admin: Admin, clock: FixedClock
) -> None:
    """The comparison above is only worth something if its feeds are rejected often."""
    codes: set[str] = set()
    successful: dict[str, int] = {body: 0 for body, _, _ in FEEDS}
    for seed in range(12):
        side = _side(app, admin, clock, batched=True)
        for body, feed_type, messages in _steps(seed):
            report = _report(side, side.run(body, feed_type, messages))
            successful[body] += int(report["summary"]["MessagesSuccessful"])
            codes.update(result["ResultMessageCode"] for result in report["results"])
    assert all(count >= 20 for count in successful.values()), successful
    # Merchant id conflict, duplicate adjustment, excess refund, units shipped or
    # cancelled already, fulfilment quantity exceeded, order or item not found, and
    # the pending-refund warning.
    expected = {"18021", "18028", "91002", "91003", "91004", "91005", "91009", "91010", "91011"}
    assert expected <= codes, sorted(codes)
