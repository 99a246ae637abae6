"""Benchmark 3: peak RSS of the API and of a separate worker while a large feed goes through."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

import httpx

from bench import feeds
from bench.mws_client import MwsClient, Seller
from bench.procs import (
    PeakRss,
    Processes,
    feedsvc_env,
    limit_address_space,
    run_feedsvc,
    status_kb,
)
from bench.report import Section, ratio

SELLER = Seller("A1BENCHMEMORY", "AKBENCHMEMORY", "bench-memory-secret-key")
TARGET_MB = 200
ADDRESS_SPACE_GIB = 8  # per process: a runaway fails alone instead of starving the machine


def _status(database: Path, submission_id: str) -> str | None:
    """The submission's status, read straight from the SQLite file (never waits on a lock)."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1)) as connection:
        row = connection.execute(
            "SELECT status FROM feed_submissions WHERE id = ?", (int(submission_id),)
        ).fetchone()
    return row[0] if row else None


def run(workdir: Path, *, quick: bool) -> Section:
    target_bytes = (10 if quick else 100) * 1_000_000
    accept_timeout, process_timeout = (120.0, 90.0) if quick else (300.0, 240.0)
    database = workdir / "memory.db"
    env = feedsvc_env(f"sqlite:///{database}", FEEDSVC_WORKER_POLL_SECONDS="0.2")
    lines = feeds.make_lines(1_000, items=4, series=3)
    seed = workdir / "seed.json"
    feeds.write_seed(seed, SELLER, lines, shipped=False)
    run_feedsvc(env, "seed", str(seed), timeout=300)
    path = workdir / "large.xml"
    messages = feeds.write_large_ack_feed(path, SELLER.seller_id, lines, target_bytes)
    size_mb = path.stat().st_size / 1e6

    outcome: list[str] = []
    accept_seconds = process_seconds = None
    with Processes(workdir) as procs:
        server, base_url = procs.serve("memory-serve", env, worker=False)
        worker = procs.feedsvc("memory-worker", env, "worker")
        for proc in (server, worker):
            limit_address_space(proc.pid, ADDRESS_SPACE_GIB)
        deadline = time.monotonic() + 60
        while "worker started" not in worker.log_path.read_text(errors="replace"):
            if time.monotonic() > deadline or not worker.alive():
                raise RuntimeError(f"the worker did not start:\n{worker.log_tail()}")
            time.sleep(0.1)
        idle = {p.name: status_kb(p.pid, "VmRSS") or 0 for p in (server, worker)}
        sampler = PeakRss([server, worker])
        sampler.start()
        try:
            mws = MwsClient(base_url, SELLER)
            begin = time.monotonic()
            try:
                with httpx.Client(timeout=httpx.Timeout(30, read=accept_timeout)) as http:
                    submission_id = mws.submit_file(http, path, feeds.ACK)
                accept_seconds = time.monotonic() - begin
            except (httpx.HTTPError, RuntimeError) as exc:
                outcome.append(
                    f"SubmitFeed failed after {time.monotonic() - begin:.0f} s: "
                    f"{type(exc).__name__}: {str(exc)[:300]}"
                )
                submission_id = None
            accepted = time.monotonic()
            while submission_id is not None and worker.alive():
                status = _status(database, submission_id)
                if status == "_DONE_":
                    process_seconds = time.monotonic() - accepted
                    break
                if time.monotonic() - accepted > process_timeout:
                    outcome.append(
                        f"the worker had not finished after {process_timeout:.0f} s "
                        f"(status {status}); the peak so far is shown"
                    )
                    break
                time.sleep(0.5)
        finally:
            peaks = sampler.stop()
        for proc in (server, worker):
            if not proc.alive():
                code = proc.popen.returncode
                outcome.append(
                    f"{proc.name} exited with code {code}"
                    + (" (killed by a signal)" if code < 0 else "")
                )
            elif "MemoryError" in proc.log_path.read_text(errors="replace"):
                outcome.append(f"{proc.name} logged a MemoryError")

    section = Section(
        "3. Peak memory of a large feed",
        f"One OrderAcknowledgement feed of {size_mb:.0f} MB ({messages:,} messages, each "
        "`Success` for an order of four items, over 1,000 seeded orders) streamed from disk "
        "to `feedsvc serve --no-worker` on SQLite, and applied by a separate `feedsvc worker` "
        "process. Peak RSS is the kernel's high-water mark (`VmHWM`), sampled every 0.2 s "
        "until the feed is `_DONE_` or the time limit; baseline: the same process idle "
        f"(`VmRSS`) before the feed. Each process is capped at {ADDRESS_SPACE_GIB} GiB of "
        "address space so that a runaway fails alone.",
    )
    for proc_name, label in (("memory-serve", "API (`serve`)"), ("memory-worker", "worker")):
        peak_mb, idle_mb = peaks[proc_name] / 1024, idle[proc_name] / 1024
        section.row(
            f"{label} peak RSS (MB)",
            f"{peak_mb:.0f}",
            f"{idle_mb:.0f}",
            ratio(peak_mb, idle_mb),
            f"< {TARGET_MB} MB",
            peak_mb < TARGET_MB,
        )
        section.row(f"{label} growth per MB of feed", f"{(peak_mb - idle_mb) / size_mb:.2f}")
    section.row(
        "SubmitFeed answered after (s)",
        f"{accept_seconds:.1f}" if accept_seconds is not None else "failed",
    )
    section.row(
        "worker finished after (s)",
        f"{process_seconds:.1f}" if process_seconds is not None else "not finished",
    )
    section.note(
        "Outcome: "
        + (
            "; ".join(outcome)
            if outcome
            else "the feed was accepted and processed to `_DONE_`, no process died"
        )
        + "."
    )
    return section
