"""Ids for rows written together with one ``executemany``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, func, inspect, select, text
from sqlalchemy.orm import Session


def allocate_ids(session: Session, entity: type[Any], count: int) -> list[int]:
    """``count`` new ids for rows of a mapped class (one integer primary key), ascending.

    Rows that others refer to (a refund's components, a shipment's lines) need their ids
    before they are written, and neither database returns the ids of an ``executemany``.
    PostgreSQL hands them out from the table's own sequence. On SQLite they are max(id) + 1
    onward, which is what SQLite itself would choose: every SQLite write transaction here
    holds the write lock from its start, so no one can take them before the rows are
    written.
    """
    table = inspect(entity).local_table
    assert isinstance(table, Table)
    (column,) = table.primary_key.columns
    if session.get_bind().dialect.name == "sqlite":
        top = session.scalar(select(func.max(column))) or 0
        return list(range(top + 1, top + 1 + count))
    query = text(
        "SELECT nextval(pg_get_serial_sequence(:table, :column)) FROM generate_series(1, :count)"
    )
    rows = session.execute(query, {"table": table.name, "column": column.name, "count": count})
    return sorted(int(value) for (value,) in rows)
