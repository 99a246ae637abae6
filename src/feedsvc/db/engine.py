"""Engine and session factories; the one place that knows backend quirks."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

# How long a SQLite writer waits for the write lock before "database is locked".
BUSY_TIMEOUT_SECONDS = 30.0
# Connections a SQLite engine keeps open: one for each of AnyIO's 40 worker threads, the
# event loop, the worker and a few more (beyond it, more are opened, never waited for).
SQLITE_POOL_SIZE = 48
# Execution option: this connection's transaction only reads.
READ_ONLY = "feedsvc_read_only"
_HOLDS_WRITER = "feedsvc_holds_writer"
# Each SQLite engine's lock for the threads of this process that write.
_WRITERS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


class _Lane(threading.local):
    """This thread's state inside ``write_without_waiting``."""

    holds: Engine | None = None  # the engine whose writer lock the lane took
    first_begin: bool = False  # the lane's first BEGIN must not wait for other processes


_LANE = _Lane()


class WriterBusy(Exception):
    """Another process holds the SQLite write lock; nothing was written (raised only
    inside ``write_without_waiting``, by its first transaction)."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and write-locking transactions."""
    if url.startswith("sqlite"):
        # Never wait for a pooled connection: a small SubmitFeed runs on the event loop
        # holding this process's writer lock (write_without_waiting), and a thread that
        # held a connection while waiting for that lock would stall it. SQLite
        # connections are cheap, and enough of them stay open for every thread.
        if make_url(url).database not in (None, "", ":memory:"):
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
            kwargs.setdefault("max_overflow", -1)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; take control of BEGIN.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
        cursor.close()

    # IMMEDIATE takes the write lock up front, so a transaction that reads and
    # then writes never fails half-way with "database is locked". A read-only
    # transaction (read_transaction) begins DEFERRED and never waits for writers.
    #
    # Threads of this process that want to write queue on a lock of their own
    # first: SQLite's busy handler polls with growing sleeps (up to 100 ms), so
    # threads waiting on it leave the database idle and answer late; a thread
    # waiting on the lock starts the moment the writer before it is done. Other
    # processes still meet SQLite's busy handler.
    writer = threading.Lock()
    _WRITERS[engine] = writer

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Straight to the driver: BEGIN needs none of SQLAlchemy's statement handling.
        dbapi_connection = connection.connection.dbapi_connection
        if connection.get_execution_options().get(READ_ONLY):
            dbapi_connection.execute("BEGIN")
            return
        if _LANE.holds is engine:  # the lane holds the lock and releases it itself
            if _LANE.first_begin:
                _LANE.first_begin = False
                _begin_without_waiting(dbapi_connection)
            else:
                dbapi_connection.execute("BEGIN IMMEDIATE")
            connection.info[_HOLDS_WRITER] = False
            return
        # Bounded by the busy timeout: should the lock ever be left held, writers
        # fall back to SQLite's own waiting instead of hanging.
        held = writer.acquire(timeout=BUSY_TIMEOUT_SECONDS)
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")
        except BaseException:
            if held:
                writer.release()
            raise
        connection.info[_HOLDS_WRITER] = held

    # SQLAlchemy fires these before it commits or rolls back: end the transaction
    # here, then release the lock (the driver's own commit or rollback that follows
    # finds no transaction left and does nothing).
    @event.listens_for(engine, "commit")
    def _on_commit(connection: Any) -> None:
        _end(connection, commit=True)

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection: Any) -> None:
        _end(connection, commit=False)

    def _end(connection: Any, *, commit: bool) -> None:
        held = connection.info.pop(_HOLDS_WRITER, False)
        try:
            dbapi_connection = connection.connection.dbapi_connection
            if dbapi_connection is not None and dbapi_connection.in_transaction:
                if commit:
                    dbapi_connection.commit()
                else:
                    dbapi_connection.rollback()
        finally:
            if held:
                writer.release()


def _begin_without_waiting(dbapi_connection: Any) -> None:
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        dbapi_connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode == sqlite3.SQLITE_BUSY:
            raise WriterBusy("another process is writing to the database") from error
        raise
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")


@contextmanager
def write_without_waiting(engine: Engine) -> Iterator[bool]:
    """For short writes run where nothing may wait (the event loop): yields False when a
    writer of this process is busy, else True with this process's SQLite writer lock
    held for the block, and the block's first BEGIN raising ``WriterBusy`` instead of
    waiting for another process's write lock. Later transactions in the block wait as
    usual. Always False for other databases (they have no such lock)."""
    writer = _WRITERS.get(engine)
    if writer is None or _LANE.holds is not None or not writer.acquire(blocking=False):
        yield False
        return
    _LANE.holds, _LANE.first_begin = engine, True
    try:
        yield True
    finally:
        _LANE.holds, _LANE.first_begin = None, False
        writer.release()


def writer_lock(engine: Engine) -> threading.Lock | None:
    """The lock this process's SQLite writers queue on (None for other databases)."""
    return _WRITERS.get(engine)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that never expire objects on commit (handlers read them afterwards)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    with factory() as session, session.begin():
        yield session


@contextmanager
def read_transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work that only reads. On SQLite it takes no write lock, so it never waits
    for a writer (WAL lets readers through). It ends with a commit, which (unlike a
    rollback) leaves the objects it loaded readable afterwards."""
    with factory() as session, session.begin():
        session.connection(execution_options={READ_ONLY: True})
        yield session
