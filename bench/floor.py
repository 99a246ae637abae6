"""The floor of benchmark 2: parse + validate once with lxml, and one bulk insert.

``python -m bench.floor xmlschema FILE`` times the pure-Python validator on a document
(run as a subprocess, so a slow validation can be cut off by a timeout).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from bench.feeds import REFUND
from bench.procs import REPO

ENVELOPE_XSD = REPO / "xsd" / "amzn-envelope.xsd"

SCRATCH_TABLES = (
    "CREATE TABLE bench_scratch_refunds (id INTEGER PRIMARY KEY, seller_pk INTEGER NOT NULL, "
    "order_id INTEGER NOT NULL, item_id INTEGER NOT NULL, reason VARCHAR(64) NOT NULL, "
    "merchant_adjustment_item_id VARCHAR(64), state VARCHAR(16) NOT NULL, "
    "feed_submission_id INTEGER, created_at VARCHAR(32) NOT NULL)",
    "CREATE TABLE bench_scratch_refund_components (id INTEGER PRIMARY KEY, "
    "refund_id INTEGER NOT NULL, component VARCHAR(40) NOT NULL, amount INTEGER NOT NULL)",
)


def _parser() -> etree.XMLParser:
    # The options feedsvc parses untrusted feeds with.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def lxml_parse_validate(document: bytes, repeats: int = 3) -> float:
    """Best time to parse and validate ``document`` (the schema compiled beforehand)."""
    schema = etree.XMLSchema(etree.parse(str(ENVELOPE_XSD), _parser()))
    best = float("inf")
    for _ in range(repeats):
        begin = time.perf_counter()
        tree = etree.fromstring(document, _parser()).getroottree()
        valid = schema.validate(tree)
        best = min(best, time.perf_counter() - begin)
        if not valid:
            raise RuntimeError(f"the benchmark feed is not valid: {schema.error_log}")
        del tree
    return best


def bulk_insert(database: Path, refunds: int, repeats: int = 3) -> float:
    """Best time to write ``refunds`` refund rows and their components in one transaction.

    One executemany per table, on the service's own SQLite file with its pragmas.
    """
    now = datetime.now(UTC).isoformat()
    refund_rows = [
        (n, 1, n, n, "CustomerReturn", f"ADJ-{n}", "applied", 1, now) for n in range(1, refunds + 1)
    ]
    component_rows = [
        (len(REFUND) * (n - 1) + k + 1, n, kind, int(amount.replace(".", "")))
        for n in range(1, refunds + 1)
        for k, (kind, amount) in enumerate(REFUND)
    ]
    best = float("inf")
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        for _ in range(repeats):
            for table in ("bench_scratch_refunds", "bench_scratch_refund_components"):
                connection.execute(f"DROP TABLE IF EXISTS {table}")
            for create in SCRATCH_TABLES:
                connection.execute(create)
            begin = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(
                "INSERT INTO bench_scratch_refunds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", refund_rows
            )
            connection.executemany(
                "INSERT INTO bench_scratch_refund_components VALUES (?, ?, ?, ?)", component_rows
            )
            connection.execute("COMMIT")
            best = min(best, time.perf_counter() - begin)
        for table in ("bench_scratch_refunds", "bench_scratch_refund_components"):
            connection.execute(f"DROP TABLE IF EXISTS {table}")
    finally:
        connection.close()
    return best


def xmlschema_seconds(path: Path, timeout: float) -> tuple[float, float] | None:
    """(compile, validate) seconds with xmlschema, or None when it ran out of ``timeout``."""
    try:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "bench.floor", "xmlschema", str(path)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    result = json.loads(done.stdout)
    if not result["valid"]:
        raise RuntimeError("xmlschema found the benchmark feed invalid")
    return result["compile"], result["validate"]


def _xmlschema_main(path: Path) -> None:
    import xmlschema

    begin = time.perf_counter()
    schema = xmlschema.XMLSchema(str(ENVELOPE_XSD))
    compiled = time.perf_counter()
    valid = schema.is_valid(str(path))
    validated = time.perf_counter()
    print(
        json.dumps({"compile": compiled - begin, "validate": validated - compiled, "valid": valid})
    )


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "xmlschema":
        sys.exit("usage: python -m bench.floor xmlschema FILE")
    _xmlschema_main(Path(sys.argv[2]))
