"""Read MWS request parameters: required values, numbered lists, integers and dates."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from feedsvc.errors import InvalidParameterValue, MissingParameter

_INDEX = re.compile(r"[1-9][0-9]{0,5}")
MIN_DATE = datetime(1970, 1, 1, tzinfo=UTC)
MAX_DATE = datetime(9999, 12, 30, tzinfo=UTC)  # leaves room for time-zone arithmetic
MAX_LIST_ENTRIES = 100


def parse_query(raw: str | bytes) -> dict[str, str]:
    """Decode ``a=1&b=2`` (a leading ``?&`` or empty pairs are tolerated); last value wins."""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    return dict(parse_qsl(text.lstrip("?"), keep_blank_values=True))


class Params:
    """The request's parameters, with typed accessors that raise MWS errors."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def as_dict(self) -> dict[str, str]:
        return dict(self._values)

    def get(self, name: str) -> str | None:
        value = self._values.get(name)
        return value if value else None

    def required(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise MissingParameter(name)
        return value

    def integer(self, name: str, *, default: int, minimum: int, maximum: int) -> int:
        raw = self.get(name)
        if raw is None:
            return default
        digits = raw.isascii() and raw.isdigit() and len(raw) <= len(str(maximum))
        if not digits or not minimum <= int(raw) <= maximum:
            raise InvalidParameterValue(
                f"{name} must be an integer from {minimum} to {maximum}; got {raw!r}."
            )
        return int(raw)

    def timestamp(self, name: str) -> datetime | None:
        raw = self.get(name)
        return None if raw is None else parse_timestamp(name, raw)

    def numbered(self, prefix: str) -> list[str]:
        """Values of ``Prefix.1``, ``Prefix.2``, ... in index order; bad indices are errors."""
        entries: dict[int, str] = {}
        bare = self._values.get(prefix)
        if bare:
            # Some clients send a one-value list without its index (``FeedSubmissionIdList.Id=7``);
            # ignoring it would widen a filter to every submission, so read it as ``.1``.
            entries[1] = bare
        for key, value in self._values.items():
            if not key.startswith(prefix + "."):
                continue
            index = key[len(prefix) + 1 :]
            if not _INDEX.fullmatch(index):
                raise InvalidParameterValue(
                    f"{key} is not a valid list parameter: use {prefix}.1, {prefix}.2, ..."
                )
            if value:
                if int(index) in entries:
                    raise InvalidParameterValue(f"{prefix} and {key} both give the first value.")
                entries[int(index)] = value
        if len(entries) > MAX_LIST_ENTRIES:
            raise InvalidParameterValue(f"{prefix} takes at most {MAX_LIST_ENTRIES} values.")
        return [entries[index] for index in sorted(entries)]


def parse_timestamp(name: str, raw: str) -> datetime:
    """ISO 8601, with or without zone (no zone means UTC), with any fraction of a second."""
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidParameterValue(
            f"{name} must be an ISO 8601 date and time such as 2024-01-05T10:00:00Z; got {raw!r}."
        ) from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise InvalidParameterValue(f"{name} {raw!r} is outside the years 1970 to 9999.")
    return value
