"""Benchmark 2: a 10,000-message OrderAdjustment feed from SubmitFeed to _DONE_, on SQLite."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from bench import feeds, floor
from bench.mws_client import MwsClient, Seller, summary_counts
from bench.procs import Processes, feedsvc_env, run_feedsvc
from bench.report import Section, ratio

SELLER = Seller("A1BENCHADJUST", "AKBENCHADJUST", "bench-adjust-secret-key")
# Seconds between status polls: the figure can be late by up to this much (a poll costs
# the server about a millisecond of CPU, so 20 a second take little from the worker).
POLL_SECONDS = 0.05


def run(workdir: Path, *, quick: bool) -> Section:
    count = 1_000 if quick else 10_000
    timeout = 120.0 if quick else 300.0
    database = workdir / "adjust.db"
    env = feedsvc_env(f"sqlite:///{database}", FEEDSVC_WORKER_POLL_SECONDS="0.05")
    lines = feeds.make_lines(count, series=2)
    # Context: feeds of the other two kinds, each on orders of its own, left unshipped.
    cancel_lines = feeds.make_lines(count, series=5)
    ship_lines = feeds.make_lines(count, series=6)
    seed = workdir / "seed.json"
    feeds.write_seed(  # shipped: refunds apply at once
        seed, SELLER, lines, shipped=True, unshipped_lines=cancel_lines + ship_lines
    )
    begin = time.monotonic()
    run_feedsvc(env, "seed", str(seed), timeout=600)
    seed_seconds = time.monotonic() - begin
    document = feeds.adjustment_feed(SELLER.seller_id, lines)
    path = workdir / "adjustment.xml"
    path.write_bytes(document)

    with Processes(workdir) as procs:
        _server, base_url = procs.serve("adjust-serve", env, worker=True)
        mws = MwsClient(base_url, SELLER)
        # Status polls wait for SQLite's write lock while the worker applies the feed.
        with httpx.Client(timeout=httpx.Timeout(60, read=timeout)) as http:
            begin = time.monotonic()
            submission_id = mws.submit(http, document, feeds.ADJUSTMENT)
            accepted = time.monotonic()
            done = mws.wait_done(http, submission_id, timeout=timeout, poll=POLL_SECONDS)
            counts = summary_counts(mws.result(http, submission_id)) if done else {}
            others = {
                kind: _timed(mws, http, document, feed_type, timeout=timeout)
                for kind, feed_type, document in (
                    (
                        "cancellation",
                        feeds.ACK,
                        feeds.cancellation_feed(SELLER.seller_id, cancel_lines),
                    ),
                    (
                        "fulfillment",
                        feeds.FULFILLMENT,
                        feeds.fulfillment_feed(SELLER.seller_id, ship_lines),
                    ),
                )
            }

    # The floor, with the server stopped so that nothing competes with it.
    parse_validate = floor.lxml_parse_validate(document)
    insert = floor.bulk_insert(database, count)
    floor_seconds = parse_validate + insert
    xmlschema = floor.xmlschema_seconds(path, timeout=60 if quick else 180)

    mb = len(document) / 1e6
    section = Section(
        f"2. A {count:,}-message OrderAdjustment feed",
        f"One `_POST_PAYMENT_ADJUSTMENT_DATA_` feed of {count:,} messages ({mb:.1f} MB), each "
        "refunding half the price and tax of one item of its own shipped order (seeded "
        "first with `feedsvc seed`), submitted to `feedsvc serve` on SQLite with its "
        "in-process worker; timed from SubmitFeed until GetFeedSubmissionList (polled every "
        f"{POLL_SECONDS} s) says `_DONE_`. Floor, measured in the same run with the server "
        "stopped: lxml "
        "parsing + validating the same document against `xsd/amzn-envelope.xsd` (schema "
        f"compiled beforehand), plus one transaction of two executemany INSERTs writing "
        f"{count:,} refund rows and {count * len(feeds.REFUND):,} component rows into scratch "
        "tables of the same SQLite file (best of 3 each). For context, the same server then "
        f"takes a {count:,}-message cancellation feed (OrderAcknowledgement `Failure`, one "
        f"item each) and a {count:,}-message fulfillment feed, each on {count:,} unshipped "
        "orders of its own; their ratio is to the adjustment feed's time.",
    )
    if done is None:
        section.row(
            "SubmitFeed to _DONE_ (s)",
            f"> {timeout:.0f} (not done)",
            f"{floor_seconds:.2f}",
            "n/a",
            "<= 4x floor",
            False,
        )
    else:
        total = done - begin
        section.row(
            "SubmitFeed to _DONE_ (s)",
            f"{total:.2f}",
            f"{floor_seconds:.2f}",
            ratio(total, floor_seconds),
            "<= 4x floor",
            total <= 4 * floor_seconds,
        )
        section.row(
            "messages/s",
            f"{count / total:.0f}",
            f"{count / floor_seconds:.0f}",
            ratio(floor_seconds, total),
        )
        section.row(
            "of which: processing after the SubmitFeed answer (s)",
            f"{done - accepted:.2f}",
            f"{insert:.2f}",
            ratio(done - accepted, insert),
        )
    section.row(
        "of which: the SubmitFeed call (validate + store) (s)",
        f"{accepted - begin:.2f}",
        f"{parse_validate:.2f}",
        ratio(accepted - begin, parse_validate),
    )
    for kind, (seconds, other_counts) in others.items():
        label = f"context: a {count:,}-message {kind} feed, SubmitFeed to _DONE_ (s)"
        if seconds is None or done is None:
            section.row(label, "not done", "n/a", "n/a")
            continue
        section.row(label, f"{seconds:.2f}", f"{done - begin:.2f}", ratio(seconds, done - begin))
        section.note(
            f"The {kind} feed's report: "
            + ", ".join(f"{name} {value}" for name, value in other_counts.items())
            + f"; {count / seconds:.0f} messages/s."
        )
    if xmlschema is None:
        section.row(
            "context: xmlschema (pure Python) validation (s)",
            "> timeout",
            f"{parse_validate:.2f}",
            "n/a",
        )
    else:
        section.row(
            "context: xmlschema (pure Python) validation (s)",
            f"{xmlschema[1]:.2f}",
            f"{parse_validate:.2f}",
            ratio(xmlschema[1], parse_validate),
        )
    floor_parts = f"lxml parse + validate {parse_validate:.3f} s, bulk insert {insert:.3f} s"
    section.note(
        f"Floor parts: {floor_parts}. Seeding {3 * count:,} orders took {seed_seconds:.1f} s "
        "(not counted)."
    )
    section.note(
        f"Status polls: {mws.polls}, of which {mws.failed_polls} answered with an error or "
        f"not within {timeout:.0f} s (a poll that waits counts once)."
    )
    if counts:
        section.note(
            "Processing report: "
            + ", ".join(f"{name} {value}" for name, value in counts.items())
            + "."
        )
    if xmlschema is not None:
        section.note(
            f"xmlschema compiled the schema in {xmlschema[0]:.2f} s (not counted above); "
            "its baseline is the lxml parse + validate of the floor."
        )
    return section


def _timed(
    mws: MwsClient, http: httpx.Client, document: bytes, feed_type: str, *, timeout: float
) -> tuple[float | None, dict[str, int]]:
    """SubmitFeed to _DONE_ for one more feed: the seconds (None if not done) and its counts."""
    begin = time.monotonic()
    submission_id = mws.submit(http, document, feed_type)
    done = mws.wait_done(http, submission_id, timeout=timeout, poll=POLL_SECONDS)
    if done is None:
        return None, {}
    return done - begin, summary_counts(mws.result(http, submission_id))
