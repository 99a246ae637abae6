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
import logging
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
# A feed to send to both sides: (message body, feed type, messages).
Step = tuple[str, str, list[Render]]


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


def _acknowledgement(rng: random.Random, *, cancel_only: bool = False) -> Render:
    """An acknowledgement; with ``cancel_only``, one that assigns no merchant ids and
    mostly cancels (runs of those are applied on plain rows, not ORM objects)."""
    order, lines = _order(rng)
    merchant = None if cancel_only else rng.choice([None, *MERCHANT_ORDER_IDS])
    status = rng.choice(["Success", "Failure", "Failure"] if cancel_only else
                        ["Success", "Success", "Failure"])  # fmt: skip
    items = []
    for _ in range(rng.choice([0, 0, 1, 2])):
        item = _item(rng, order, lines)
        merchant_item = None if cancel_only else rng.choice([None, *MERCHANT_ITEM_IDS])
        quantity = rng.choice([None, 1, 2, 4, 7] if cancel_only else [None, 1, 1, 2, 4])
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


def _adjustment(rng: random.Random, *, refund_only: bool = False) -> Render:
    """An adjustment; with ``refund_only``, one that cancels nothing and names its order
    by AmazonOrderID (runs of adjustments by AmazonOrderID go on plain rows, not ORM
    objects; those by MerchantOrderID through the ORM)."""
    order, lines = _order(rng)
    by_merchant_id = not refund_only and rng.random() < 0.2
    merchant = rng.choice(MERCHANT_ORDER_IDS)
    items = []
    for _ in range(rng.choice([1, 1, 1, 2])):
        item = _item(rng, order, lines)
        adjustment_id = rng.choice([None, None, *ADJUSTMENT_IDS])
        principal = rng.choice(["0.00", "1.00", "2.00", "5.00", "5.00", "10.00", "40.00"])
        tax = rng.choice([None, None, "0.40", "2.00"])
        cancelled = None if refund_only else rng.choice([None, None, None, 1])
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


def _steps(seed: int) -> Iterator[Step]:
    rng = random.Random(seed)
    for _ in range(4):
        body, feed_type, message = rng.choice(FEEDS)
        yield body, feed_type, [message(rng) for _ in range(rng.randrange(5, 30))]


def _refund_steps(seed: int) -> Iterator[Step]:
    """Refund-only adjustment feeds, with a fulfilment feed between two of them so that
    refunds held pending are released and later refunds meet applied ones."""
    rng = random.Random(seed)
    # Three refunds of 10.00 of one 20.00 line in one run: the third exceeds what the
    # first two left, which only the run's own bookkeeping knows.
    line = "<AmazonOrderID>{O}</AmazonOrderID><AdjustedItem><AmazonOrderItemCode>{I}"
    line += "</AmazonOrderItemCode><AdjustmentReason>CustomerReturn</AdjustmentReason>"
    line += f"<ItemPriceAdjustments>{_component('Principal', '10.00')}</ItemPriceAdjustments>"
    repeated = f"<OrderAdjustment>{line}</AdjustedItem></OrderAdjustment>"

    def same_line(names: dict[str, str]) -> str:
        return repeated.replace("{O}", names["O3"]).replace("{I}", names["O3I0"])

    yield "OrderAdjustment", FEED_ADJUSTMENT, [same_line] * 3
    for step in range(4):
        if step == 2:
            yield "OrderFulfillment", FEED_FULFILLMENT, [_fulfillment(rng) for _ in range(8)]
        count = rng.randrange(5, 30)
        refunds = [_adjustment(rng, refund_only=True) for _ in range(count)]
        yield "OrderAdjustment", FEED_ADJUSTMENT, refunds


def _cancel(order: str, item: str, quantity: int) -> Render:
    """A Failure acknowledgement cancelling ``quantity`` units of one line."""

    def render(names: dict[str, str]) -> str:
        code = names.get(item, "99999999999999")
        return (
            f"<OrderAcknowledgement><AmazonOrderID>{names[order]}</AmazonOrderID>"
            f"<StatusCode>Failure</StatusCode><Item><AmazonOrderItemCode>{code}"
            f"</AmazonOrderItemCode><Quantity>{quantity}</Quantity></Item></OrderAcknowledgement>"
        )

    return render


def _cancel_steps(seed: int) -> Iterator[Step]:
    """Acknowledgement feeds that mostly only cancel, some with acknowledgements that
    assign merchant ids among them (which go through the ORM, in the same batches as the
    plain rows), and a fulfilment feed and an adjustment feed between them."""
    # One order, in one batch: a line cancelled on rows, a rejected message (applied alone,
    # through the ORM, which then holds the order), the line cancelled on rows again, and
    # a rejection that names the line's counts: the ORM must not answer with old ones.
    yield (
        "OrderAcknowledgement",
        FEED_ACK,
        [
            _cancel("O0", "O0I0", 1),
            _cancel("O0", "NOSUCHLINE", 1),
            _cancel("O0", "O0I0", 1),
            _cancel("O0", "O0I0", 9),
            _cancel("O0", "O0I0", 3),
        ],
    )
    rng = random.Random(seed)
    for step in range(5):
        if step == 2:
            yield "OrderFulfillment", FEED_FULFILLMENT, [_fulfillment(rng) for _ in range(6)]
        if step == 3:
            yield "OrderAdjustment", FEED_ADJUSTMENT, [_adjustment(rng) for _ in range(8)]
        mixed = step % 2 == 1
        messages = [
            _acknowledgement(rng, cancel_only=not (mixed and rng.random() < 0.15))
            for _ in range(rng.randrange(10, 30))
        ]
        yield "OrderAcknowledgement", FEED_ACK, messages


@pytest.mark.parametrize("seed", range(12))
def test_batched_processing_matches_message_at_a_time(
    seed: int, app: FastAPI, admin: Admin, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    _compare(_steps(seed), app, admin, clock, caplog, batch=7 if seed % 2 else 250)


# Feeds whose runs go on plain rows, and the result codes their reports must have: the
# rules the plain rows must answer as the ORM does.
PLAIN_ROW_FEEDS: dict[str, tuple[Callable[[int], Iterator[Step]], set[str]]] = {
    # Order or item not found, refund beyond the balance, duplicate adjustment id and
    # the pending-refund warning.
    "refunds": (_refund_steps, {"18028", "91005", "91009", "91011"}),
    # Order or item not found, units shipped or cancelled already, more units than left.
    "cancellations": (_cancel_steps, {"18028", "91002", "91003", "91004"}),
}


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("kind", sorted(PLAIN_ROW_FEEDS))
def test_runs_on_plain_rows_match_message_at_a_time(
    kind: str,
    seed: int,
    app: FastAPI,
    admin: Admin,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    steps, expected = PLAIN_ROW_FEEDS[kind]
    caplog.set_level(logging.DEBUG, logger="feedsvc.feeds.processing")
    reports = _compare(steps(seed), app, admin, clock, caplog, batch=7 if seed % 2 else 250)
    plain = [r for r in caplog.records if r.getMessage() == "run applied on plain rows"]
    assert plain, f"no run of these {kind} feeds took the plain-rows path"
    codes = {result["ResultMessageCode"] for report in reports for result in report["results"]}
    assert expected <= codes, sorted(codes)


def _compare(
    steps: Iterator[Step],
    app: FastAPI,
    admin: Admin,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
    *,
    batch: int,
) -> list[Any]:
    """Run each feed on a batched side and a one-message-at-a-time side; same outcomes.
    The reports."""
    # Small batches: runs end at checkpoints; large ones: long runs that meet often.
    batched = _side(app, admin, clock, batched=True, batch=batch)
    reference = _side(app, admin, clock, batched=False, batch=batch)
    seen = []
    for step, (body, feed_type, messages) in enumerate(steps):
        reports = [_report(s, s.run(body, feed_type, messages)) for s in (batched, reference)]
        seen.append(reports[0])
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
    return seen


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
