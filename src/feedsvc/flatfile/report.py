"""Amazon's tab-separated processing report for flat-file feeds."""

from __future__ import annotations

from collections.abc import Sequence

from feedsvc.reports.results import MessageResult, ProcessingSummary

HEADER = "original-record-number\torder-id\torder-item-id\terror-code\terror-type\terror-message"


def render_flat_report(
    summary: ProcessingSummary, results: Sequence[MessageResult], *, charset: str
) -> bytes:
    """Summary lines, a blank line, then one row per error or warning; ends with a newline."""
    lines = [
        "Feed Processing Summary:",
        f"\tNumber of records processed\t\t{summary.processed}",
        f"\tNumber of records successful\t\t{summary.successful}",
        "",
        HEADER,
    ]
    for result in results:
        lines.append(
            "\t".join(
                [
                    str(result.message_id),
                    result.amazon_order_id or "",
                    result.amazon_order_item_code or "",
                    str(int(result.code)),
                    result.severity.value,
                    _one_line(result.description),
                ]
            )
        )
    return ("\n".join(lines) + "\n").encode(charset, errors="replace")


def _one_line(text: str) -> str:
    return " ".join(text.split())
