"""``feedsvc db upgrade``, ``feedsvc seed`` and ``feedsvc admin-token`` as a user runs them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from feedsvc.config import Settings
from feedsvc.db.engine import make_engine
from feedsvc.db.migrate import upgrade
from feedsvc.db.models import Base
from feedsvc.main import create_app
from tests.cli.conftest import Cli
from tests.support import MARKETPLACE_US, item_payload, order_payload, unique_seller_id


@pytest.fixture
def migrated(cli: Cli) -> Cli:
    """The test's database with the schema in place (quicker than one more subprocess)."""
    engine = make_engine(cli.database_url)
    upgrade(engine)
    engine.dispose()
    return cli


def schema_of(url: str) -> list[tuple[str, str, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
                )
            )
            return [tuple(row) for row in rows]  # type: ignore[misc]
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def seller(seller_id: str | None = None, **fields: Any) -> dict[str, Any]:
    """A seller entry of a seed file."""
    entry = {"seller_id": seller_id or unique_seller_id(), "marketplace_ids": [MARKETPLACE_US]}
    return {**entry, **fields}


def write_seed(tmp_path: Path, content: Any, name: str = "seed.json") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


class TestDbUpgrade:
    def test_creates_the_schema_and_a_second_run_changes_nothing(self, cli: Cli) -> None:
        first = cli.run("db", "upgrade")
        assert first.returncode == 0, first.stderr
        assert first.stdout == "database is at the newest revision\n"
        assert "Running upgrade" in first.stderr
        assert table_names(cli.database_url) == {*Base.metadata.tables, "alembic_version"}
        revision = cli.scalar("SELECT version_num FROM alembic_version")
        assert revision
        schema = schema_of(cli.database_url)
        token = cli.ok("admin-token")  # some data the second run must leave alone

        second = cli.run("db", "upgrade")
        assert second.returncode == 0, second.stderr
        assert second.stdout == first.stdout
        assert "Running upgrade" not in second.stderr
        assert schema_of(cli.database_url) == schema
        assert cli.scalar("SELECT count(*) FROM alembic_version") == 1
        assert cli.scalar("SELECT version_num FROM alembic_version") == revision
        assert cli.ok("admin-token") == token


class TestSeed:
    def test_loads_sellers_and_orders_and_prints_credentials(
        self, cli: Cli, tmp_path: Path
    ) -> None:
        chosen = seller(access_key_id="AKCHOSEN1", secret_key="chosen-secret-key")
        generated = seller()
        orders = [
            order_payload(chosen["seller_id"]),
            order_payload(generated["seller_id"], items=[item_payload(), item_payload()]),
        ]
        path = write_seed(tmp_path, {"sellers": [chosen, generated], "orders": orders})

        out = cli.ok("seed", str(path)).splitlines()

        credential = re.compile(r"seller (\S+): AWSAccessKeyId=(\S+) SecretKey=(\S+)")
        printed = {m[1]: (m[2], m[3]) for m in map(credential.fullmatch, out) if m}
        assert printed[chosen["seller_id"]] == ("AKCHOSEN1", "chosen-secret-key")
        assert set(printed) == {chosen["seller_id"], generated["seller_id"]}
        assert out[-1] == "loaded 2 sellers and 2 orders"
        assert cli.counts() == {"sellers": 2, "mws_credentials": 2, "orders": 2}
        key, secret = printed[generated["seller_id"]]
        stored = cli.scalar(f"SELECT secret_key FROM mws_credentials WHERE access_key_id = '{key}'")
        assert stored == secret
        assert cli.scalar("SELECT count(*) FROM order_items") == 3

    @pytest.mark.parametrize(
        ("content", "exit_code", "message"),
        [
            pytest.param(None, 2, "cannot read", id="missing-file"),
            pytest.param('{"sellers": [', 2, "cannot read", id="not-json"),
            pytest.param(
                {"sellers": [seller("S-EXTRA")], "buyers": []}, 2, "buyers", id="unknown-section"
            ),
            pytest.param(
                {"sellers": [{"seller_id": "S-NO-MARKET"}]}, 2, "marketplace_ids", id="bad-seller"
            ),
            pytest.param(
                {"sellers": [seller("S-1")], "orders": [order_payload("S-NOBODY")]},
                1,
                "nothing was loaded: Seller S-NOBODY does not exist.",
                id="order-of-unknown-seller",
            ),
            pytest.param(
                {"sellers": [seller("S-TWICE"), seller("S-TWICE")]},
                1,
                "nothing was loaded: Seller S-TWICE already exists.",
                id="seller-twice",
            ),
            pytest.param(
                {
                    "sellers": [seller("S-2")],
                    "orders": [order_payload("S-2", amazon_order_id="111-2222222-3333333")] * 2,
                },
                1,
                "nothing was loaded: Order ids already exist: 111-2222222-3333333.",
                id="order-twice",
            ),
            pytest.param(
                {
                    "sellers": [seller("S-3")],
                    "orders": [
                        order_payload("S-3", merchant_order_id="MINE-1"),
                        order_payload("S-3", merchant_order_id="MINE-1"),
                    ],
                },
                1,
                "nothing was loaded",
                id="merchant-order-id-twice",
            ),
        ],
    )
    def test_bad_file_exits_non_zero_and_loads_nothing(
        self, migrated: Cli, tmp_path: Path, content: Any, exit_code: int, message: str
    ) -> None:
        path = tmp_path / "missing.json" if content is None else write_seed(tmp_path, content)
        result = migrated.run("seed", str(path))
        assert "Traceback" not in result.stderr
        assert message in result.stderr
        assert result.returncode == exit_code
        assert result.stdout == ""
        assert migrated.counts() == {"sellers": 0, "mws_credentials": 0, "orders": 0}

    def test_loading_a_file_twice_fails_without_changing_anything(
        self, cli: Cli, tmp_path: Path
    ) -> None:
        first = seller()
        path = write_seed(
            tmp_path, {"sellers": [first, seller()], "orders": [order_payload(first["seller_id"])]}
        )
        cli.ok("seed", str(path))
        before = cli.counts()
        credentials = cli.scalar("SELECT group_concat(secret_key) FROM mws_credentials")

        again = cli.run("seed", str(path))
        assert again.returncode == 1
        assert f"nothing was loaded: Seller {first['seller_id']} already exists." in again.stderr
        assert "Traceback" not in again.stderr
        assert cli.counts() == before
        assert cli.scalar("SELECT group_concat(secret_key) FROM mws_credentials") == credentials

    def test_a_file_that_fails_half_way_loads_none_of_it(self, cli: Cli, tmp_path: Path) -> None:
        taken = seller()
        cli.ok("seed", str(write_seed(tmp_path, {"sellers": [taken]}, "first.json")))
        fresh = seller()
        second = {"sellers": [fresh, taken], "orders": [order_payload(fresh["seller_id"])]}

        result = cli.run("seed", str(write_seed(tmp_path, second, "second.json")))
        assert result.returncode == 1
        assert f"Seller {taken['seller_id']} already exists." in result.stderr
        assert cli.counts() == {"sellers": 1, "mws_credentials": 1, "orders": 0}
        assert fresh["seller_id"] not in str(
            cli.scalar("SELECT group_concat(seller_id) FROM sellers")
        )


class TestAdminToken:
    def test_generated_token_is_stable_and_shared_with_the_app(self, cli: Cli) -> None:
        token = cli.ok("admin-token").strip()
        assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", token)
        assert cli.ok("admin-token").strip() == token
        app = create_app(
            Settings(database_url=cli.database_url, admin_token=None, run_worker=False)
        )
        try:
            assert app.state.admin_token == token
        finally:
            app.state.engine.dispose()

    def test_token_from_the_environment_wins(self, cli: Cli) -> None:
        generated = cli.ok("admin-token").strip()
        assert cli.ok("admin-token", FEEDSVC_ADMIN_TOKEN="from-the-env") == "from-the-env\n"
        assert cli.ok("admin-token").strip() == generated
