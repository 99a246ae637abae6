"""Tables of results, the machine they were measured on, and docs/PERFORMANCE.md."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from lxml import etree

from bench.procs import REPO


def ratio(measured: float, baseline: float) -> str:
    if not baseline:
        return "n/a"
    value = measured / baseline
    return f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"


def met(value: bool | None) -> str:
    return {True: "yes", False: "**no**", None: ""}[value]


@dataclass
class Section:
    """One benchmark: a table (measured, baseline, ratio, target, met?) and notes."""

    title: str
    setup: str
    rows: list[tuple[str, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def row(
        self,
        figure: str,
        measured: str,
        baseline: str = "",
        ratio_text: str = "",
        target: str = "",
        is_met: bool | None = None,
    ) -> None:
        self.rows.append((figure, measured, baseline, ratio_text, target, met(is_met)))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def markdown(self) -> str:
        head = (
            "| figure | measured | baseline | ratio | target | met? |\n|---|---:|---:|---:|---|---|"
        )
        lines = [f"## {self.title}", "", self.setup, "", head]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        lines += ["", *(f"- {note}" for note in self.notes)]
        return "\n".join(lines).rstrip() + "\n"

    def targets(self) -> list[tuple[str, ...]]:
        """(figure, measured, ratio, target, met?) of the rows that have a target."""
        return [(row[0], row[1], row[3], row[4], row[5]) for row in self.rows if row[5]]


def failed_section(title: str, error: BaseException) -> Section:
    section = Section(title, "The benchmark did not complete.")
    section.note(f"Error: `{type(error).__name__}: {str(error)[:600]}`")
    return section


def machine(pg_version: str | None) -> list[tuple[str, str]]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024**2:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    versions = ", ".join(
        f"{name} {_version(name)}"
        for name in (
            "fastapi",
            "uvicorn",
            "uvloop",
            "httptools",
            "starlette",
            "sqlalchemy",
            "psycopg",
            "httpx",
            "xmlschema",
        )
    )
    libxml = ".".join(map(str, etree.LIBXML_VERSION))
    return [
        ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("commit", _commit()),
        ("feedsvc imported from", _feedsvc_source()),
        ("cores (nproc)", str(len(os.sched_getaffinity(0)))),
        ("CPU", cpu),
        ("memory", memory),
        ("load average at start", " ".join(f"{x:.2f}" for x in os.getloadavg())),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", pg_version or "not used"),
        ("lxml", f"{'.'.join(map(str, etree.LXML_VERSION))} (libxml2 {libxml})"),
        ("libraries", versions),
    ]


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def _feedsvc_source() -> str:
    """Where the processes under test import feedsvc from (PYTHONPATH may point elsewhere)."""
    import feedsvc

    source = Path(feedsvc.__file__).resolve().parent
    return "`src/feedsvc` of this checkout" if source == REPO / "src" / "feedsvc" else str(source)


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],  # noqa: S607
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} (src/ with uncommitted changes)" if dirty else head


HOW_TO_RUN = """\
## How to run

```sh
.venv/bin/python -m bench            # everything, about 10 minutes; rewrites docs/PERFORMANCE.md
.venv/bin/python -m bench --quick    # everything small, under 2 minutes
.venv/bin/python -m bench --only 1,3 # some benchmarks
```

Benchmark 4 needs PostgreSQL: `--pg-url` (default
`postgresql://postgres@127.0.0.1:5432/test`) names a database to connect to; the
benchmark creates, drops and recreates its own databases `feedsvc_bench` and
`feedsvc_bench_template` there (and drops them at the end). Every
server and worker is a real `feedsvc` process on 127.0.0.1, started and stopped by the
run; scratch files go to a temporary directory (`--keep` keeps it, with the logs).
"""

MEANING = """\
## What the numbers mean

- Every figure is measured in the same run as its baseline, on the same machine, one
  after the other, so the **ratio** is the number to compare between runs and
  machines; the absolute numbers move with the machine and its load (this machine is
  shared, so repeat a run before believing a change of less than about 20 %).
- Benchmark 1's baseline is the HTTP stack alone (FastAPI + uvicorn with the parser
  and loop it picks by itself, httptools and uvloop, which feedsvc depends on; access
  log on, as `feedsvc serve` runs): the ratio is the share of the
  stack's capacity left once SubmitFeed authenticates, validates and stores a feed.
  The client shares the 2 cores with the server, so the server-CPU-per-request ratio
  is the fairer measure of the work added.
- Benchmark 2's floor is what no implementation can avoid: libxml2 parsing and
  validating the document once, and one bulk insert of the rows it produces. The
  ratio says how much the service spends on top (a second parse, per-message
  savepoints and queries, the ORM, the report).
- Benchmark 3 reads the kernel's peak-RSS mark (`VmHWM` in `/proc/PID/status`) of the
  API process and of the separate worker process; the baseline is the same process
  idle, before the feed.
- Benchmark 4 holds the backlog back until every worker has started, so the time is
  the draining alone; the workers' CPU time per feed shows whether more workers add
  contention (it grows) or only share the cores (it stays flat). With 2 cores shared
  with other users, the machine's busy share says how much CPU there was to take.
- Targets are goals, not tests: nothing here fails a build. No test asserts a timing.
"""


def render(
    sections: list[Section], machine_rows: list[tuple[str, str]], *, quick: bool, elapsed: float
) -> str:
    mode = "quick (`--quick`: small sizes, not comparable with a full run)" if quick else "full"
    lines = [
        "# Performance",
        "",
        "Generated by `.venv/bin/python -m bench`; do not edit by hand. "
        f"Mode: {mode}; the run took {elapsed / 60:.1f} minutes.",
        "",
        "## Summary",
        "",
        "| benchmark | figure | measured | ratio | target | met? |",
        "|---|---|---:|---:|---|---|",
    ]
    for section in sections:
        for target in section.targets():
            lines.append(f"| {section.title} | " + " | ".join(target) + " |")
    lines += ["", "## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in machine_rows]
    lines.append("")
    for section in sections:
        lines += [section.markdown()]
    lines += [HOW_TO_RUN, MEANING]
    return "\n".join(lines)
