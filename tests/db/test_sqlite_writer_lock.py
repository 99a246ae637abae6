"""SQLite writers of one process queue on a lock that every way of ending a transaction frees.

A lock left held would stall every later writer of the process for the busy timeout, so
each ending is checked: commit, rollback, an exception in the unit of work, a failed
statement, a session closed without committing. The test uses a SQLite file of its own
whatever database the suite runs on: the lock exists only for SQLite.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from feedsvc.db.engine import (
    WriterBusy,
    make_engine,
    make_sessionmaker,
    read_transaction,
    transaction,
    write_without_waiting,
    writer_lock,
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"))
    yield engine
    engine.dispose()


def _lock(engine: Engine) -> threading.Lock:
    lock = writer_lock(engine)
    assert lock is not None
    return lock


def _commit(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t (v) VALUES ('a')"))


def _rollback(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("INSERT INTO t (v) VALUES ('b')"))
        connection.rollback()


def _raise_inside(engine: Engine) -> None:
    def unit_of_work() -> None:
        with transaction(make_sessionmaker(engine)) as session:
            session.execute(text("INSERT INTO t (v) VALUES ('c')"))
            raise RuntimeError("the unit of work fails")

    with pytest.raises(RuntimeError):
        unit_of_work()


def _failed_statement(engine: Engine) -> None:
    with pytest.raises(IntegrityError), transaction(make_sessionmaker(engine)) as session:
        session.execute(text("INSERT INTO t (v) VALUES (NULL)"))


def _closed_without_commit(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        session.execute(text("INSERT INTO t (v) VALUES ('d')"))


ENDINGS: dict[str, Callable[[Engine], None]] = {
    "commit": _commit,
    "rollback": _rollback,
    "exception in the unit of work": _raise_inside,
    "failed statement": _failed_statement,
    "session closed without commit": _closed_without_commit,
}


@pytest.mark.parametrize("ending", ENDINGS)
def test_every_ending_frees_the_lock(engine: Engine, ending: str) -> None:
    ENDINGS[ending](engine)
    assert not _lock(engine).locked()
    _commit(engine)  # and the next writer goes ahead
    assert not _lock(engine).locked()


def test_writers_hold_the_lock_and_readers_do_not(engine: Engine) -> None:
    sessions = make_sessionmaker(engine)
    with transaction(sessions) as session:
        session.execute(text("SELECT 1"))
        assert _lock(engine).locked()
    with read_transaction(sessions) as session:
        session.execute(text("SELECT count(*) FROM t"))
        assert not _lock(engine).locked()


def test_a_second_writer_waits_for_the_first_to_commit(engine: Engine) -> None:
    first_inside = threading.Event()
    release_first = threading.Event()
    seen_by_second: list[int] = []

    def first() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t (v) VALUES ('first')"))
            first_inside.set()
            release_first.wait(10)

    def second() -> None:
        first_inside.wait(10)
        with engine.begin() as connection:
            count = connection.execute(text("SELECT count(*) FROM t WHERE v = 'first'"))
            seen_by_second.append(int(count.scalar_one()))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_inside.wait(10)
    assert seen_by_second == []  # the second writer is waiting
    release_first.set()
    for thread in threads:
        thread.join(20)
    assert seen_by_second == [1]  # it began after the first committed
    assert not _lock(engine).locked()


def test_other_databases_have_no_lock() -> None:
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert writer_lock(engine) is None
    with write_without_waiting(engine) as free:
        assert free is False
    engine.dispose()


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM t")).scalar_one())


def test_lane_holds_the_lock_for_its_block_and_writes(engine: Engine) -> None:
    with write_without_waiting(engine) as free:
        assert free is True
        assert _lock(engine).locked()
        _commit(engine)  # the lane's transactions do not wait for the lane's own lock
        _commit(engine)  # nor do later ones
        assert _lock(engine).locked()
    assert not _lock(engine).locked()
    assert _count(engine) == 2


def test_lane_is_refused_while_a_writer_of_this_process_is_busy(engine: Engine) -> None:
    inside, release = threading.Event(), threading.Event()

    def writer() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t (v) VALUES ('other thread')"))
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert inside.wait(10)
        with write_without_waiting(engine) as free:
            assert free is False
    finally:
        release.set()
        thread.join(20)
    with write_without_waiting(engine) as free, write_without_waiting(engine) as nested:
        assert (free, nested) == (True, False)  # one lane a thread at a time


@pytest.mark.timeout(10)  # waiting would take the 30 s busy timeout
def test_lane_first_begin_does_not_wait_for_another_process(engine: Engine, tmp_path: Path) -> None:
    other = sqlite3.connect(tmp_path / "lock.db", isolation_level=None)  # another process
    other.execute("BEGIN IMMEDIATE")
    try:
        with write_without_waiting(engine) as free:
            assert free is True
            with pytest.raises(WriterBusy):
                _commit(engine)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not _lock(engine).locked()
    _commit(engine)  # the connection's busy timeout is back: writing works as before
    with engine.connect() as connection:
        timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one()
    assert timeout == 30_000
    assert _count(engine) == 1
