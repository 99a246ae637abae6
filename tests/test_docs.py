"""The documentation lists every result code the service can emit."""

from __future__ import annotations

from pathlib import Path

from feedsvc.reports.results import ResultCode

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_result_code_is_documented() -> None:
    table = (DOCS / "result-codes.md").read_text(encoding="utf-8")
    missing = [code for code in ResultCode if f"| {int(code)} |" not in table]
    assert missing == []
