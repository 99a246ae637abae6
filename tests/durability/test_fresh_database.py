"""An API process and three workers started together on a database nobody migrated yet
(a first deployment, or a compose file that starts everything at once).

Every feedsvc process runs the migrations at start-up. On PostgreSQL the test makes the
race deterministic instead of hoping for it: it creates ``alembic_version`` itself in a
transaction it keeps open, so every process that starts checks for the table, does not
see it, tries to create it and waits on the test's transaction. Once all four wait, the
test rolls back and lets them go at the same moment - exactly what happens when they
start together. On SQLite the processes simply start together (BEGIN IMMEDIATE makes
them take turns).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import make_url, text

from tests.durability.conftest import (
    FEED_ACK,
    ON_POSTGRESQL,
    Database,
    Processes,
    cancel_orders_feed,
    create_orders,
    order_batch,
    symptom,
    wait_until,
)

pytestmark = pytest.mark.e2e

WORKERS = 3


@contextmanager
def _version_table_held(database: Database) -> Iterator[None]:
    """An uncommitted ``alembic_version`` in the test's schema, rolled back on exit."""
    with database.engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(
            text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        )
        try:
            yield
        finally:
            transaction.rollback()


def _waiting_on_locks(database: Database, application_name: str) -> int:
    return int(
        database.scalar(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name = :name AND wait_event_type = 'Lock'",
            name=application_name,
        )
    )


def test_processes_started_together_on_an_empty_database_all_come_up(
    processes_on_empty_database: Processes, empty_database: Database
) -> None:
    processes = processes_on_empty_database
    application_name = f"feedsvc-durability-{uuid.uuid4().hex[:8]}"
    url = empty_database.url
    if ON_POSTGRESQL:
        url = (
            make_url(url)
            .update_query_dict({"application_name": application_name})
            .render_as_string(hide_password=False)
        )

    with _version_table_held(empty_database) if ON_POSTGRESQL else _nothing():
        api = processes.api("api", wait=False, FEEDSVC_DATABASE_URL=url)
        workers = [
            processes.worker(f"worker-{n}", FEEDSVC_DATABASE_URL=url) for n in range(1, WORKERS + 1)
        ]
        everyone = [api, *workers]
        if ON_POSTGRESQL:
            wait_until(
                lambda: _waiting_on_locks(empty_database, application_name) >= len(everyone),
                45,
                "all four processes to wait for the schema",
                processes,
                must_live=everyone,
            )

    def settled() -> bool:
        if any(not p.alive() for p in everyone):
            return True
        return processes.healthy(api) and all("worker started" in w.log() for w in workers)

    wait_until(settled, 45, "the API and three workers to start", processes)
    dead = [p for p in everyone if not p.alive()]
    symptom(
        not dead,
        f"{', '.join(p.name for p in dead)} died at start-up:\n{processes.logs()}",
    )

    # All four are up: they work together on the database they migrated.
    service = processes.service(api)
    orders = create_orders(service.admin, order_batch(service.seller_id, 3))
    feeds = [service.mws.submit(cancel_orders_feed([o]), FEED_ACK) for o in orders]
    wait_until(
        lambda: set(service.mws.statuses(feeds).values()) == {"_DONE_"},
        30,
        "the workers to apply three feeds",
        processes,
        must_live=workers,
    )


@contextmanager
def _nothing() -> Iterator[None]:
    yield
