"""Benchmark 1: SubmitFeed throughput and latency against a bare endpoint on the same stack."""

from __future__ import annotations

import resource
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import feeds
from bench.mws_client import MwsClient, Seller, content_md5
from bench.procs import HOST, Processes, cpu_seconds, feedsvc_env, free_port, wait_healthy
from bench.report import Section, ratio

SELLER = Seller("A1BENCHSUBMIT", "AKBENCHSUBMIT", "bench-submit-secret-key")


@dataclass(frozen=True)
class Load:
    """What one load phase measured."""

    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    server_cpu_ms: float  # server CPU time per request
    client_cpu: float  # share of one core the load generator used

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def _drive(
    url_for: Callable[[], str],
    body: bytes,
    *,
    clients: int,
    warmup: float,
    seconds: float,
    server_pid: int,
) -> Load:
    """``clients`` threads POST ``body`` in a loop; measure the window after ``warmup``."""
    start = time.monotonic() + 0.2
    window = (start + warmup, start + warmup + seconds)
    samples: list[list[tuple[float, float, int]]] = [[] for _ in range(clients)]
    marks: dict[str, float] = {}

    def client(out: list[tuple[float, float, int]]) -> None:
        with httpx.Client(timeout=30, headers={"Content-Type": "text/xml"}) as http:
            while time.monotonic() < start:
                time.sleep(0.001)
            while (begin := time.monotonic()) < window[1]:
                try:
                    status = http.post(url_for(), content=body).status_code
                except httpx.HTTPError:
                    status = 0
                out.append((begin, time.monotonic(), status))

    def mark(name: str, at: float) -> None:
        time.sleep(max(0.0, at - time.monotonic()))
        marks[name] = cpu_seconds(server_pid)
        own = resource.getrusage(resource.RUSAGE_SELF)
        marks[name + "_self"] = own.ru_utime + own.ru_stime

    threads = [threading.Thread(target=client, args=(out,)) for out in samples]
    for thread in threads:
        thread.start()
    mark("begin", window[0])
    mark("end", window[1])
    for thread in threads:
        thread.join()
    done = [s for out in samples for s in out if s[0] >= window[0] and s[1] <= window[1]]
    ok = sorted(end - begin for begin, end, status in done if status == 200)
    if not ok:
        raise RuntimeError("no request succeeded")
    cuts = statistics.quantiles(ok, n=100)
    return Load(
        requests=len(ok),
        errors=len(done) - len(ok),
        seconds=seconds,
        p50_ms=statistics.median(ok) * 1000,
        p99_ms=cuts[98] * 1000,
        server_cpu_ms=(marks["end"] - marks["begin"]) / max(len(ok), 1) * 1000,
        client_cpu=(marks["end_self"] - marks["begin_self"]) / seconds,
    )


def run(workdir: Path, *, quick: bool) -> Section:
    clients = 8
    rounds, warmup, seconds = (1, 1.0, 4.0) if quick else (3, 2.0, 8.0)
    env = feedsvc_env(f"sqlite:///{workdir / 'submit.db'}")
    line = feeds.make_lines(1)[0]
    body = feeds.one_ack(SELLER.seller_id, line)
    with Processes(workdir) as procs:
        bare_port = free_port()
        bare = procs.start(
            "bare", [sys.executable, "-m", "bench.bare_app", "--port", str(bare_port)], env
        )
        wait_healthy(bare, f"http://{HOST}:{bare_port}/health")
        server, base_url = procs.serve("submit-serve", env, worker=False)
        with httpx.Client(base_url=base_url, timeout=30) as admin:
            admin.headers["Authorization"] = f"Bearer {env['FEEDSVC_ADMIN_TOKEN']}"
            admin.post("/admin/sellers", json=SELLER.seed()).raise_for_status()
        mws = MwsClient(base_url, SELLER)
        with httpx.Client(timeout=30) as http:  # one checked call: the feed is accepted
            first = http.post(
                mws.submit_url(feeds.ACK, content_md5(body)),
                content=body,
                headers={"Content-Type": "text/xml"},
            )
        if b"<FeedProcessingStatus>_SUBMITTED_" not in first.content:
            raise RuntimeError(f"SubmitFeed did not accept the feed: {first.text[:500]}")

        md5 = content_md5(body)
        cache = [(0, "")]  # (second, URL): one signature per second (Timestamp resolution)

        def feedsvc_url() -> str:
            second, url = cache[0]
            if second != int(time.time()):
                url = mws.submit_url(feeds.ACK, md5)
                cache[0] = (int(time.time()), url)
            return url

        bare_url = f"http://{HOST}:{bare_port}/"
        results: dict[str, list[Load]] = {"bare": [], "feedsvc": []}
        for _ in range(rounds):  # alternate, so drift on a noisy machine hits both alike
            results["bare"].append(
                _drive(
                    lambda: bare_url,
                    body,
                    clients=clients,
                    warmup=warmup,
                    seconds=seconds,
                    server_pid=bare.pid,
                )
            )
            results["feedsvc"].append(
                _drive(
                    feedsvc_url,
                    body,
                    clients=clients,
                    warmup=warmup,
                    seconds=seconds,
                    server_pid=server.pid,
                )
            )
    bare_load = max(results["bare"], key=lambda load: load.rps)
    ours = max(results["feedsvc"], key=lambda load: load.rps)
    section = Section(
        "1. SubmitFeed throughput and latency",
        f"{clients} concurrent keep-alive httpx clients (threads) POST a {len(body)}-byte "
        "one-message OrderAcknowledgement, signed with Signature Version 2 and checked by the "
        "server, to `feedsvc serve --no-worker` on SQLite (throttling off; the worker is off "
        "so the figure is the API path alone; a small SubmitFeed is then handled on the "
        "event loop, as on SQLite whenever no other write is under way, while on PostgreSQL "
        "every request goes to a thread: docs/design.md). Baseline: `bench/bare_app.py`, "
        "one FastAPI route that reads the body and returns a constant XML document, run by "
        f"the same `uvicorn.run(...)` call. {rounds} alternating round(s) of {warmup:g} s "
        f"warm-up + {seconds:g} s measured each; the best round of each is shown (noise only "
        "slows a round down).",
    )
    section.row(
        "requests/s",
        f"{ours.rps:.0f}",
        f"{bare_load.rps:.0f}",
        ratio(ours.rps, bare_load.rps),
        ">= 0.5",
        ours.rps / bare_load.rps >= 0.5,
    )
    section.row(
        "p50 latency (ms)",
        f"{ours.p50_ms:.1f}",
        f"{bare_load.p50_ms:.1f}",
        ratio(ours.p50_ms, bare_load.p50_ms),
    )
    section.row(
        "p99 latency (ms)",
        f"{ours.p99_ms:.1f}",
        f"{bare_load.p99_ms:.1f}",
        ratio(ours.p99_ms, bare_load.p99_ms),
    )
    section.row(
        "server CPU per request (ms)",
        f"{ours.server_cpu_ms:.2f}",
        f"{bare_load.server_cpu_ms:.2f}",
        ratio(ours.server_cpu_ms, bare_load.server_cpu_ms),
    )
    section.note(
        f"Requests counted: feedsvc {ours.requests} ({ours.errors} errors), bare "
        f"{bare_load.requests} ({bare_load.errors} errors). Throughput per round: feedsvc "
        + ", ".join(f"{r.rps:.0f}" for r in results["feedsvc"])
        + "; bare "
        + ", ".join(f"{r.rps:.0f}" for r in results["bare"])
        + f". The load generator used {bare_load.client_cpu:.0%} of a core against the bare "
        f"endpoint and {ours.client_cpu:.0%} against feedsvc (the machine has 2 cores, so the "
        "bare figure is partly bounded by the client: the CPU-per-request row is the "
        "client-independent comparison)."
    )
    return section
