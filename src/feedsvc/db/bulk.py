"""Write a batch's new rows with one INSERT per table instead of the unit of work."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Table, func, insert, inspect, select, text
from sqlalchemy.orm import Mapper, RelationshipDirection, Session

from feedsvc.db.base import Base

_TABLE_ORDER = {table: position for position, table in enumerate(Base.metadata.sorted_tables)}


def insert_new_rows(session: Session) -> None:
    """Insert the session's new objects table by table with ``executemany``, then forget them.

    Flushing thousands of new objects through the unit of work costs far more in
    per-object bookkeeping than the database spends on the rows (and on SQLite, which
    cannot return the ids of a multi-row INSERT in order, the ORM would send one INSERT a
    row). The only things the objects need from the unit of work are their ids and the
    foreign keys that point at new parents; this gives them both, in the order the
    objects were added: ids from the database's own sequence on PostgreSQL, and on SQLite
    max(id) + 1 onward, which is what SQLite itself would choose (every SQLite transaction
    here holds the write lock from its start). The objects are then expunged: they are
    written, and the session no longer tracks them. Changes to objects already in the
    database are left for the normal flush.

    Only for objects that nothing else in the session refers to afterwards (the rows a
    batch of feed messages adds).
    """
    new = list(session.new)  # in the order the objects were added
    if not new:
        return
    by_mapper: dict[Mapper[Any], list[Any]] = defaultdict(list)
    for obj in new:
        by_mapper[inspect(obj).mapper].append(obj)
    with session.no_autoflush:
        for mapper in sorted(by_mapper, key=lambda m: _TABLE_ORDER[_table(m)]):
            _assign_ids(session, mapper, by_mapper[mapper])
        for obj in new:
            _copy_foreign_keys(obj)
        for mapper in sorted(by_mapper, key=lambda m: _TABLE_ORDER[_table(m)]):
            _insert(session, mapper, by_mapper[mapper])
    for obj in new:
        session.expunge(obj)


def _table(mapper: Mapper[Any]) -> Table:
    table = mapper.local_table
    assert isinstance(table, Table)
    return table


def _assign_ids(session: Session, mapper: Mapper[Any], objects: list[Any]) -> None:
    (column,) = mapper.primary_key
    key = mapper.get_property_by_column(column).key
    waiting = [obj for obj in objects if getattr(obj, key) is None]
    if not waiting:
        return
    ids = allocate_ids(session, mapper.class_, len(waiting))
    for obj, new_id in zip(waiting, ids, strict=True):
        inspect(obj).dict[key] = new_id  # the row is written below, not by the flush


def allocate_ids(session: Session, entity: type[Any], count: int) -> list[int]:
    """``count`` new ids for rows of a mapped class (one integer primary key), ascending.

    On SQLite, max(id) + 1 onward: every SQLite write transaction here holds the write
    lock from its start, so no one else can take them before the rows are written."""
    table = _table(inspect(entity))
    (column,) = table.primary_key.columns
    if session.get_bind().dialect.name == "sqlite":
        top = session.scalar(select(func.max(column))) or 0
        return list(range(top + 1, top + 1 + count))
    query = text(
        "SELECT nextval(pg_get_serial_sequence(:table, :column)) FROM generate_series(1, :count)"
    )
    rows = session.execute(query, {"table": table.name, "column": column.name, "count": count})
    return sorted(int(value) for (value,) in rows)


def _copy_foreign_keys(obj: Any) -> None:
    """Set foreign keys that the unit of work would have copied from related objects."""
    state = inspect(obj)
    for relationship in state.mapper.relationships:
        related = state.dict.get(relationship.key)
        if related is None:
            continue
        if relationship.direction == RelationshipDirection.ONETOMANY:
            for child in related:
                _copy(obj, child, relationship.synchronize_pairs)
        elif relationship.direction == RelationshipDirection.MANYTOONE:
            _copy(related, obj, relationship.synchronize_pairs)


def _copy(source: Any, target: Any, pairs: Any) -> None:
    source_mapper, target_state = inspect(source).mapper, inspect(target)
    for source_column, target_column in pairs:
        value = getattr(source, source_mapper.get_property_by_column(source_column).key)
        target_state.dict[target_state.mapper.get_property_by_column(target_column).key] = value


def _insert(session: Session, mapper: Mapper[Any], objects: list[Any]) -> None:
    """One executemany per set of columns given (unset columns take their defaults)."""
    columns = [(prop.key, prop.columns[0].key) for prop in mapper.column_attrs]
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for obj in objects:
        values = inspect(obj).dict
        row = {column: values[key] for key, column in columns if key in values}
        groups[tuple(row)].append(row)
    for rows in groups.values():
        session.execute(insert(_table(mapper)), rows)
