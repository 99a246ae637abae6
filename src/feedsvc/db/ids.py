"""Ids for a batch of new rows, so that SQLite can insert them together."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Mapper, Session


def assign_ids(session: Session) -> None:
    """On SQLite, give the session's new objects their ids before the flush.

    SQLite cannot return the ids of many inserted rows in the order they were sent, so the
    ORM inserts rows whose ids the database chooses one statement at a time. Inside a write
    transaction (every SQLite transaction here begins IMMEDIATE, holding the database's one
    write lock) the ids the database would choose are known: max(id) + 1 onward, in the
    order the objects were added. With them assigned, each table's rows go out as one
    executemany. Other databases return ids in order already; this leaves them alone.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    waiting: dict[Mapper[object], list[object]] = defaultdict(list)
    for obj in session.new:  # in the order the objects were added
        mapper = inspect(obj).mapper
        if len(mapper.primary_key) != 1:
            continue
        key = mapper.get_property_by_column(mapper.primary_key[0]).key
        if getattr(obj, key) is None:
            waiting[mapper].append(obj)
    with session.no_autoflush:
        for mapper, objects in waiting.items():
            column = mapper.primary_key[0]
            key = mapper.get_property_by_column(column).key
            top = session.scalar(select(func.max(column))) or 0
            for offset, obj in enumerate(objects, start=1):
                setattr(obj, key, top + offset)
