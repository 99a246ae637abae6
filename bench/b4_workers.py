"""Benchmark 4: a backlog of feeds on PostgreSQL drained by 1, 2 and 4 worker processes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

try:
    import psycopg
except ImportError:  # the `postgres` extra is not installed
    psycopg = None  # type: ignore[assignment]

from bench import feeds
from bench.mws_client import MwsClient, Seller
from bench.procs import Processes, cpu_seconds, feedsvc_env, machine_ticks, run_feedsvc
from bench.report import Section, ratio

SELLER = Seller("A1BENCHWORKERS", "AKBENCHWORKERS", "bench-workers-secret-key")
BENCH_DB = "feedsvc_bench"
TEMPLATE_DB = "feedsvc_bench_template"
WORKER_COUNTS = (1, 2, 4)
# The backlog's jobs are held back a day while the workers start, then released at once.
_HOLD = (
    "UPDATE jobs SET run_after = run_after + interval '1 day' "
    "WHERE kind = 'process_feed' AND status = 'queued'"
)
_RELEASE = (
    "UPDATE jobs SET run_after = run_after - interval '1 day' "
    "WHERE kind = 'process_feed' AND status = 'queued'"
)
_DONE = "SELECT count(*) FROM feed_submissions WHERE status = '_DONE_'"


@dataclass(frozen=True)
class Drain:
    workers: int
    seconds: float  # backlog released -> every feed _DONE_, polled every 0.1 s
    startup: float  # workers spawned -> every worker logged "worker started"
    done: int
    messages_ok: int
    worker_cpu: float  # CPU seconds the workers used between release and the end
    machine_busy: float  # share of all the machine's cores busy meanwhile (any process)

    @property
    def feeds_per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def server_version(pg_url: str) -> str | None:
    if psycopg is None:
        return None
    try:
        with psycopg.connect(pg_url, connect_timeout=5) as connection:
            row = connection.execute("SHOW server_version").fetchone()
    except psycopg.Error:
        return None
    return str(row[0]) if row else None


def _url(pg_url: str, database: str) -> str:
    return urlunsplit(urlsplit(pg_url)._replace(path=f"/{database}"))


def _drop(pg_url: str, *databases: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as connection:
        for database in databases:
            connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def _prepare_template(workdir: Path, pg_url: str, *, backlog: int, per_feed: int) -> None:
    """A database holding the seeded orders and the held backlog, to copy for every run."""
    _drop(pg_url, TEMPLATE_DB)
    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {TEMPLATE_DB}")
    env = feedsvc_env(_url(pg_url, TEMPLATE_DB))
    lines = feeds.make_lines(backlog * per_feed, series=4)
    seed = workdir / "seed.json"
    feeds.write_seed(seed, SELLER, lines, shipped=True)
    run_feedsvc(env, "seed", str(seed), timeout=600)
    with Processes(workdir) as procs:
        _api, base_url = procs.serve("api", env, worker=False)
        mws = MwsClient(base_url, SELLER)
        with httpx.Client(timeout=60) as http:
            for n in range(backlog):
                chunk = lines[n * per_feed : (n + 1) * per_feed]
                mws.submit(http, feeds.adjustment_feed(SELLER.seller_id, chunk), feeds.ADJUSTMENT)
    with psycopg.connect(_url(pg_url, TEMPLATE_DB), autocommit=True) as db:
        db.execute(_HOLD)


def _number(db: psycopg.Connection[tuple[object, ...]], query: str) -> int:
    row = db.execute(query).fetchone()
    return int(str(row[0])) if row and row[0] is not None else 0


def _drain(workdir: Path, pg_url: str, *, workers: int, tag: str, timeout: float) -> Drain:
    """A fresh copy of the template; time ``workers`` worker processes draining its backlog."""
    _drop(pg_url, BENCH_DB)
    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {BENCH_DB} TEMPLATE {TEMPLATE_DB}")
    url = _url(pg_url, BENCH_DB)
    env = feedsvc_env(url, FEEDSVC_WORKER_POLL_SECONDS="0.1")
    with Processes(workdir) as procs, psycopg.connect(url, autocommit=True) as db:
        backlog = _number(db, "SELECT count(*) FROM feed_submissions")
        spawned = time.monotonic()
        started = [procs.feedsvc(f"worker-{tag}-{n}", env, "worker") for n in range(workers)]
        while not all("worker started" in p.log_path.read_text(errors="replace") for p in started):
            if time.monotonic() - spawned > 60 or not all(p.alive() for p in started):
                raise RuntimeError(f"the workers did not start:\n{started[0].log_tail()}")
            time.sleep(0.1)
        startup = time.monotonic() - spawned
        cpu_before, machine_before = sum(cpu_seconds(p.pid) for p in started), machine_ticks()
        begin = time.monotonic()
        db.execute(_RELEASE)
        done = 0
        while time.monotonic() - begin < timeout:
            done = _number(db, _DONE)
            if done >= backlog:
                break
            time.sleep(0.1)
        seconds = time.monotonic() - begin
        worker_cpu = sum(cpu_seconds(p.pid) for p in started) - cpu_before
        busy, total = (a - b for a, b in zip(machine_ticks(), machine_before, strict=True))
        messages_ok = _number(db, "SELECT sum(messages_successful) FROM processing_reports")
    return Drain(workers, seconds, startup, done, messages_ok, worker_cpu, busy / total)


def run(workdir: Path, *, quick: bool, pg_url: str) -> Section:
    if psycopg is None:
        raise RuntimeError("benchmark 4 needs psycopg: pip install 'feedsvc[postgres]'")
    backlog, per_feed, rounds = (60, 2, 1) if quick else (200, 10, 2)
    timeout = 60.0 if quick else 120.0
    drains: dict[int, list[Drain]] = {n: [] for n in WORKER_COUNTS}
    try:
        _prepare_template(workdir, pg_url, backlog=backlog, per_feed=per_feed)
        for round_ in range(rounds):  # 1, 2, 4, 1, 2, 4: drift on a noisy machine hits all
            for workers in WORKER_COUNTS:
                tag = f"r{round_}-{workers}w"
                drains[workers].append(
                    _drain(workdir, pg_url, workers=workers, tag=tag, timeout=timeout)
                )
    finally:
        _drop(pg_url, BENCH_DB, TEMPLATE_DB)

    section = Section(
        "4. A backlog of feeds on PostgreSQL, 1, 2 and 4 workers",
        f"{backlog} `_POST_PAYMENT_ADJUSTMENT_DATA_` feeds of {per_feed} messages each (every "
        "message refunds one item of its own shipped order, so no two feeds touch one order) "
        "are submitted to `feedsvc serve --no-worker` on a PostgreSQL database, which is then "
        "copied afresh (`CREATE DATABASE ... TEMPLATE`) for every run. The queued jobs are "
        "held back (their `run_after` a day ahead) while N `feedsvc worker` processes start, "
        "then released at once; a run is timed from the release until every feed is "
        f"`_DONE_` (polled every 0.1 s), so worker start-up is not timed. {rounds} round(s) "
        "of 1, 2 and 4 workers; the best run of each N is shown. Baseline: one worker.",
    )
    best = {n: max(runs, key=lambda d: d.feeds_per_second) for n, runs in drains.items()}
    one = best[1].feeds_per_second
    for workers, drain in best.items():
        target, goal = (
            (">= 1.6x", drain.feeds_per_second >= 1.6 * one) if workers == 2 else ("", None)
        )
        section.row(
            f"{workers} worker{'s' if workers > 1 else ''}: feeds/s",
            f"{drain.feeds_per_second:.1f}",
            f"{one:.1f}",
            ratio(drain.feeds_per_second, one),
            target,
            goal,
        )
    for workers, runs in drains.items():
        per_run = ", ".join(
            f"{d.feeds_per_second:.1f} feeds/s ({d.done}/{backlog} feeds, "
            f"{d.messages_ok:,}/{backlog * per_feed:,} messages successful, {d.seconds:.1f} s, "
            f"workers' CPU {d.worker_cpu / d.done * 1000:.0f} ms per feed and "
            f"{d.worker_cpu / d.seconds:.2f} cores, machine {d.machine_busy:.0%} busy; "
            f"start-up {d.startup:.1f} s, not timed)"
            for d in runs
        )
        section.note(f"{workers} worker(s), each run: {per_run}.")
    section.note(
        "Workers' CPU is their user + system time while draining (from /proc); when it stays "
        "flat per feed as N grows, the queue adds no contention and the speed-up is bounded by "
        "the cores the machine can give (the machine figure counts every process, other "
        "users' included)."
    )
    return section
