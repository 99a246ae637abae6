"""DriverStatement: the same SQL and the same values as SQLAlchemy's own execution.

Runs on the suite's database (SQLite, or PostgreSQL with FEEDSVC_TEST_DATABASE_URL),
inside transactions that are rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Connection, bindparam, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from feedsvc.accounts.models import Seller
from feedsvc.db.driver import DriverStatement
from feedsvc.faults.models import Fault
from feedsvc.feeds.models import FeedDocument, FeedSubmission
from feedsvc.queue.models import Job

_ADD = DriverStatement(insert(FeedSubmission).returning(FeedSubmission.id))


@pytest.fixture
def connection(app: FastAPI, seller: dict[str, Any]) -> Iterator[Connection]:
    with app.state.engine.connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()


def _seller_pk(connection: Connection, seller: dict[str, Any]) -> int:
    pk: int = connection.scalar(select(Seller.id).where(Seller.seller_id == seller["seller_id"]))
    return pk


def _submission(seller_pk: int, **overrides: Any) -> dict[str, Any]:
    return {
        "seller_pk": seller_pk,
        "feed_type": "_POST_ORDER_ACKNOWLEDGEMENT_DATA_",
        "status": "_SUBMITTED_",
        "content_type": "text/xml",
        "content_md5": "AAAAAAAAAAAAAAAAAAAAAA==",
        "size": 123,
        "marketplace_ids": ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"],
        "submitted_at": datetime(
            2026, 3, 1, 12, 30, 5, 250000, tzinfo=timezone(timedelta(hours=2))
        ),
        "messages_done": 0,
        **overrides,
    }


# Rows that share _SHARED share one datetime object (converted once); _LATER is its own.
_SHARED = datetime(2026, 3, 1, 12, 30, 5, 250000, tzinfo=timezone(timedelta(hours=2)))
_SHARED_IN_UTC = datetime(2026, 3, 1, 10, 30, 5, 250000, tzinfo=UTC)
_LATER = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _numbered_rows(
    connection: Connection, seller_pk: int, offset: int, times: list[datetime]
) -> list[dict[str, Any]]:
    """Submissions numbered 0.. (in size and marketplace), one per time, with new ids."""
    top = connection.scalar(select(FeedSubmission.id).order_by(FeedSubmission.id.desc()))
    return [
        _submission(
            seller_pk, id=(top or 0) + offset + n, size=n, marketplace_ids=[f"M{n}"], submitted_at=t
        )
        for n, t in enumerate(times)
    ]


def _stored(connection: Connection, rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(id, size, marketplace ids, submitted at) of these rows as the database has them."""
    query = (
        select(FeedSubmission.id, FeedSubmission.size, FeedSubmission.marketplace_ids)
        .add_columns(FeedSubmission.submitted_at)
        .where(FeedSubmission.id.in_([row["id"] for row in rows]))
        .order_by(FeedSubmission.id)
    )
    return [tuple(row) for row in connection.execute(query)]


def test_insert_returning_and_select_give_what_sqlalchemy_gives(
    connection: Connection, seller: dict[str, Any]
) -> None:
    values = _submission(_seller_pk(connection, seller))
    ((new_id,),) = _ADD.rows(connection, values)

    query = select(
        FeedSubmission.id,
        FeedSubmission.marketplace_ids,
        FeedSubmission.submitted_at,
        FeedSubmission.started_at,
        FeedSubmission.size,
        FeedSubmission.feed_type,
    ).where(FeedSubmission.id == new_id)
    ours = DriverStatement(query).rows(connection, {})
    theirs = [tuple(row) for row in connection.execute(query)]

    assert ours == theirs
    (row,) = ours
    assert row[1] == ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"]  # JSON decoded
    assert row[2] == datetime(2026, 3, 1, 10, 30, 5, 250000, tzinfo=UTC)  # stored in UTC
    assert row[2].tzinfo is UTC
    assert row[3] is None


def test_booleans_come_back_as_booleans(connection: Connection, seller: dict[str, Any]) -> None:
    query = select(Seller.send_result_content_md5, Seller.seller_id).where(
        Seller.seller_id == seller["seller_id"]
    )
    ((flag, seller_id),) = DriverStatement(query).rows(connection, {})
    assert isinstance(flag, bool)
    assert seller_id == seller["seller_id"]


def test_bind_conversions_apply(connection: Connection, seller: dict[str, Any]) -> None:
    """The column types' own checks run: UTCDateTime refuses a naive datetime."""
    values = _submission(_seller_pk(connection, seller), submitted_at=datetime(2026, 3, 1, 12, 0))
    with pytest.raises(ValueError, match="naive"):
        _ADD.rows(connection, values)


def test_driver_errors_are_sqlalchemy_errors(
    connection: Connection, seller: dict[str, Any]
) -> None:
    ((submission_id,),) = _ADD.rows(connection, _submission(_seller_pk(connection, seller)))
    piece = DriverStatement(insert(FeedDocument))
    piece.rows(connection, {"submission_id": submission_id, "seq": 0, "content": b"<a/>"})
    stored = connection.scalar(
        select(FeedDocument.content).where(FeedDocument.submission_id == submission_id)
    )
    assert stored == b"<a/>"
    with pytest.raises(IntegrityError):
        piece.rows(connection, {"submission_id": submission_id, "seq": 0, "content": b"<b/>"})


def test_insert_without_returning_writes_its_row(
    connection: Connection, seller: dict[str, Any]
) -> None:
    now = datetime.now(UTC)
    before = connection.scalar(select(Job.id).order_by(Job.id.desc()).limit(1)) or 0
    DriverStatement(insert(Job)).rows(
        connection,
        {
            "kind": "process_feed",
            "submission_id": None,
            "status": "queued",
            "attempts": 0,
            "run_after": now,
            "created_at": now,
        },
    )
    (job_id,) = connection.execute(select(Job.id).where(Job.id > before)).scalars()
    assert job_id > before


def test_statements_that_need_sqlalchemy_at_execution_are_refused(
    connection: Connection, seller: dict[str, Any]
) -> None:
    rendered = DriverStatement(select(Fault.id).where(Fault.id == literal(1, literal_execute=True)))
    with pytest.raises(ValueError, match="render parameters"):
        rendered.rows(connection, {})
    expanding = DriverStatement(
        update(Fault)
        .where(Fault.kind.in_(bindparam("kinds", expanding=True)))
        .values(remaining=bindparam("left"))
    )
    with pytest.raises(ValueError, match="expand IN lists"):
        expanding.execute_many(connection, [{"kinds": ["HoldFeed"], "left": 1}])
    values = _submission(_seller_pk(connection, seller))
    del values["messages_done"]  # a column with a Python-side default
    with pytest.raises(ValueError, match="messages_done"):
        _ADD.rows(connection, values)


def test_execute_many_writes_every_row_with_its_conversions(
    connection: Connection, seller: dict[str, Any]
) -> None:
    """Rows whose keys are the statement's own parameters skip construct_params; the
    stored values are still what SQLAlchemy would store (UTC, JSON)."""
    rows = _numbered_rows(
        connection, _seller_pk(connection, seller), 1000, [_SHARED, _SHARED, _LATER]
    )
    DriverStatement(insert(FeedSubmission)).execute_many(connection, rows)

    when = [_SHARED_IN_UTC, _SHARED_IN_UTC, _LATER]
    assert _stored(connection, rows) == [
        (row["id"], n, [f"M{n}"], when[n]) for n, row in enumerate(rows)
    ]
    DriverStatement(insert(FeedSubmission)).execute_many(connection, [])  # nothing to do


def test_execute_many_checks_each_row_and_refuses_a_returning_insert(
    connection: Connection, seller: dict[str, Any]
) -> None:
    seller_pk = _seller_pk(connection, seller)
    naive = _submission(seller_pk, id=10**9, submitted_at=datetime(2026, 3, 1, 12, 0))
    with pytest.raises(ValueError, match="naive"):
        DriverStatement(insert(FeedSubmission)).execute_many(connection, [naive])
    with pytest.raises(ValueError, match="returns no rows"):
        _ADD.execute_many(connection, [_submission(seller_pk)])


def test_execute_columns_writes_what_execute_many_writes(
    connection: Connection, seller: dict[str, Any]
) -> None:
    """The same rows given a column at a time: stored alike, conversions included."""
    times = [_SHARED, _SHARED, _LATER, _SHARED]
    rows = _numbered_rows(connection, _seller_pk(connection, seller), 2000, times)
    add = DriverStatement(insert(FeedSubmission))
    add.execute_many(connection, rows[:2])
    add.execute_columns(connection, {key: [row[key] for row in rows[2:]] for key in rows[0]})

    when = [_SHARED_IN_UTC, _SHARED_IN_UTC, _LATER, _SHARED_IN_UTC]
    assert _stored(connection, rows) == [
        (row["id"], n, [f"M{n}"], when[n]) for n, row in enumerate(rows)
    ]


def test_execute_columns_with_parameters_of_its_own_and_uneven_columns(
    connection: Connection, seller: dict[str, Any]
) -> None:
    """A statement with a bound value of its own goes through SQLAlchemy's parameter
    building; columns of different lengths are refused before anything runs."""
    seller_pk = _seller_pk(connection, seller)
    created = datetime(2026, 3, 1, tzinfo=UTC)
    faults = DriverStatement(
        insert(Fault).values(kind="HoldFeed", remaining=1, created_at=created).inline()
    )
    top = connection.scalar(select(Fault.id).order_by(Fault.id.desc())) or 0
    ids = [top + 1, top + 2]
    faults.execute_columns(connection, {"id": ids, "seller_pk": [seller_pk, seller_pk]})
    stored = connection.execute(
        select(Fault.id, Fault.kind, Fault.remaining, Fault.created_at)
        .where(Fault.id.in_(ids))
        .order_by(Fault.id)
    ).all()
    assert [tuple(row) for row in stored] == [(i, "HoldFeed", 1, created) for i in ids]

    with pytest.raises(ValueError, match="one value per row"):
        faults.execute_columns(connection, {"id": [top + 3], "seller_pk": []})
    faults.execute_columns(connection, {"id": [], "seller_pk": []})  # no rows: nothing runs
    assert connection.scalar(select(Fault.id).where(Fault.id > top + 2)) is None


@pytest.mark.parametrize("count", [0, 1, 2, 3, 5, 8, 9])
def test_in_lists_select_what_sqlalchemy_selects(
    connection: Connection, seller: dict[str, Any], count: int
) -> None:
    """IN lists of any length (padded to a power of two on the way) select the rows
    SQLAlchemy's own execution selects; items go through their column's conversion
    (UTCDateTime stores UTC text on SQLite), in a plan of the caller's parameters only
    and in one with a bound value of its own."""
    seller_pk = _seller_pk(connection, seller)
    top = connection.scalar(select(FeedSubmission.id).order_by(FeedSubmission.id.desc())) or 0
    times = [
        datetime(2026, 4, 1, tzinfo=timezone(timedelta(hours=3))) + timedelta(minutes=n)
        for n in range(10)
    ]
    for n, when in enumerate(times):
        _ADD.rows(connection, _submission(seller_pk, id=top + 100 + n, submitted_at=when))
    wanted = times[:count]
    direct = (
        select(FeedSubmission.id, FeedSubmission.submitted_at)
        .where(
            FeedSubmission.seller_pk == bindparam("seller_pk"),
            FeedSubmission.submitted_at.in_(bindparam("times", expanding=True)),
        )
        .order_by(FeedSubmission.id)
    )
    params = {"seller_pk": seller_pk, "times": wanted}
    ours = DriverStatement(direct).rows(connection, params)
    assert ours == [tuple(row) for row in connection.execute(direct, params)]
    assert [row[0] for row in ours] == [top + 100 + n for n in range(count)]

    own_value = direct.where(FeedSubmission.feed_type == "_POST_ORDER_ACKNOWLEDGEMENT_DATA_")
    again = DriverStatement(own_value)
    for _ in range(2):  # the second run reuses the rendered SQL
        assert again.rows(connection, params) == ours
