"""Run the benchmarks and write docs/PERFORMANCE.md.

.venv/bin/python -m bench [--quick] [--only 1,2,3,4] [--output PATH] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import b1_submit, b2_adjustment, b3_memory, b4_workers
from bench.procs import REPO
from bench.report import Section, failed_section, machine, render

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, under 2 minutes")
    parser.add_argument("--only", default="1,2,3,4", help="which benchmarks, e.g. 1,3")
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "PERFORMANCE.md")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="a PostgreSQL database to connect to")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory and logs")
    args = parser.parse_args(argv)
    chosen = {part.strip() for part in args.only.split(",") if part.strip()}

    benchmarks: list[tuple[str, str, Callable[[Path], Section]]] = [
        ("1", "1. SubmitFeed throughput and latency", lambda d: b1_submit.run(d, quick=args.quick)),
        (
            "2",
            "2. A 10,000-message OrderAdjustment feed",
            lambda d: b2_adjustment.run(d, quick=args.quick),
        ),
        ("3", "3. Peak memory of a large feed", lambda d: b3_memory.run(d, quick=args.quick)),
        (
            "4",
            "4. A backlog of feeds on PostgreSQL, 1, 2 and 4 workers",
            lambda d: b4_workers.run(d, quick=args.quick, pg_url=args.pg_url),
        ),
    ]
    unknown = chosen - {key for key, _, _ in benchmarks}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    # A SIGTERM unwinds like Ctrl-C, so every server and worker started is stopped.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="feedsvc-bench-"))
    started = time.monotonic()
    sections: list[Section] = []
    pg_version = b4_workers.server_version(args.pg_url) if "4" in chosen else None
    machine_rows = machine(pg_version)
    try:
        for key, title, run in benchmarks:
            if key not in chosen:
                continue
            print(f"== {title}", flush=True)
            bench_dir = workdir / f"b{key}"
            bench_dir.mkdir()
            begun, load_before = time.monotonic(), os.getloadavg()[0]
            try:
                section = run(bench_dir)
            except Exception as exc:  # report it and go on with the next benchmark
                traceback.print_exc()
                section = failed_section(title, exc)
            section.note(
                f"Took {time.monotonic() - begun:.0f} s; machine load average (1 min) "
                f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after."
            )
            print(section.markdown(), flush=True)
            sections.append(section)
    finally:
        if args.keep:
            print(f"scratch files and logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    document = render(sections, machine_rows, quick=args.quick, elapsed=time.monotonic() - started)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(document)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
