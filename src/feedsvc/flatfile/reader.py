"""Decode a tab-separated feed and check its header row."""

from __future__ import annotations

from dataclasses import dataclass, field

from feedsvc.reports.results import MessageResult, ResultCode, Severity
from feedsvc.xml.encoding import header_charset

DEFAULT_CHARSET = "iso-8859-1"


@dataclass(frozen=True, slots=True)
class Record:
    """One data row; ``number`` counts data rows from 1, as Amazon's reports do."""

    number: int
    values: dict[str, str]
    extra_fields: int = 0


@dataclass(slots=True)
class FlatFile:
    records: list[Record] = field(default_factory=list)
    # Problems with the file as a whole (record 0): a Fatal one stops everything.
    problems: list[MessageResult] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(p.severity is Severity.FATAL for p in self.problems)


def charset_of(content_type: str) -> str:
    return header_charset(content_type) or DEFAULT_CHARSET


def read(
    content: bytes, content_type: str, *, required: tuple[str, ...], optional: tuple[str, ...]
) -> FlatFile:
    """Records keyed by column name; unknown columns are ignored with a warning."""
    result = FlatFile()
    charset = charset_of(content_type)
    try:
        text = content.decode(charset)
    except (LookupError, UnicodeDecodeError) as exc:
        result.problems.append(
            _fatal(
                ResultCode.XML_NOT_WELL_FORMED,
                f"The file cannot be read as {charset}: {exc}. Send the charset it is in "
                "with the Content-Type header.",
            )
        )
        return result
    lines = [line for line in text.splitlines() if line.strip()]
    while lines and lines[0].lower().startswith(("templatetype=", "version=")):
        lines.pop(0)  # Seller Central template preamble rows are not records
    if not lines:
        result.problems.append(_fatal(ResultCode.FLAT_FILE_MISSING_COLUMN, "The file is empty."))
        return result
    header = [name.strip() for name in lines[0].split("\t")]
    missing = [name for name in required if name not in header]
    if missing:
        result.problems.append(
            _fatal(
                ResultCode.FLAT_FILE_MISSING_COLUMN,
                f"The header row lacks the required column(s) {', '.join(missing)}. "
                f"This feed's columns are: {', '.join(required + optional)}.",
            )
        )
        return result
    known = set(required) | set(optional)
    for name in header:
        if name not in known:
            result.problems.append(
                MessageResult(
                    0,
                    Severity.WARNING,
                    ResultCode.FLAT_FILE_UNKNOWN_COLUMN,
                    f"The column heading '{name}' is not recognised; its values were ignored.",
                )
            )
    for number, line in enumerate(lines[1:], start=1):
        fields = line.split("\t")
        values = {
            name: value.strip()
            for name, value in zip(header, fields, strict=False)
            if name in known
        }
        result.records.append(Record(number, values, max(len(fields) - len(header), 0)))
    return result


def _fatal(code: ResultCode, description: str) -> MessageResult:
    return MessageResult(0, Severity.FATAL, code, description)
