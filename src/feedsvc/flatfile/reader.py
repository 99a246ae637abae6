"""Decode a tab-separated feed and check its header row."""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from feedsvc.reports.results import MessageResult, ResultCode, Severity
from feedsvc.xml.encoding import header_charset

DEFAULT_CHARSET = "iso-8859-1"
CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Record:
    """One data row; ``number`` counts data rows from 1, as Amazon's reports do."""

    number: int
    values: dict[str, str]
    extra_fields: int = 0


@dataclass(slots=True)
class FlatFile:
    # Problems with the file as a whole (record 0): a Fatal one stops everything.
    problems: list[MessageResult] = field(default_factory=list)
    # Read lazily, so a large file is never held whole.
    records: Iterator[Record] = field(default_factory=lambda: iter(()))

    @property
    def refused(self) -> bool:
        return any(p.severity is Severity.FATAL for p in self.problems)


def charset_of(content_type: str) -> str:
    return header_charset(content_type) or DEFAULT_CHARSET


def undecodable(stream: IO[bytes], charset: str) -> str | None:
    """Why the bytes cannot be read in ``charset``, or None when they can."""
    try:
        decoder = codecs.getincrementaldecoder(charset)()
    except LookupError:
        return f"the charset {charset} is not known"
    offset = 0
    try:
        while chunk := stream.read(CHUNK):
            decoder.decode(chunk)
            offset += len(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return f"the bytes at offset {offset + exc.start} are not valid {charset}"
    return None


def read(
    stream: IO[bytes],
    content_type: str,
    *,
    required: tuple[str, ...],
    optional: tuple[str, ...],
) -> FlatFile:
    """Check the header row; records keyed by column name; unknown columns ignored."""
    result = FlatFile()
    charset = charset_of(content_type)
    try:
        codecs.lookup(charset)
    except LookupError:
        result.problems.append(
            _fatal(ResultCode.XML_NOT_WELL_FORMED, f"The charset {charset} is not known.")
        )
        return result
    text = io.TextIOWrapper(stream, encoding=charset, newline=None)
    lines = (line.rstrip("\n") for line in text if line.strip())
    header_line = next(lines, None)
    while header_line is not None and header_line.lower().startswith(("templatetype=", "version=")):
        header_line = next(lines, None)  # Seller Central template preamble rows
    if header_line is None:
        result.problems.append(_fatal(ResultCode.FLAT_FILE_MISSING_COLUMN, "The file is empty."))
        return result
    header = [name.strip() for name in header_line.split("\t")]
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
    result.records = _records(lines, header, known)
    return result


def _records(lines: Iterator[str], header: list[str], known: set[str]) -> Iterator[Record]:
    for number, line in enumerate(lines, start=1):
        fields = line.split("\t")
        values = {
            name: value.strip()
            for name, value in zip(header, fields, strict=False)
            if name in known
        }
        yield Record(number, values, max(len(fields) - len(header), 0))


def _fatal(code: ResultCode, description: str) -> MessageResult:
    return MessageResult(0, Severity.FATAL, code, description)
