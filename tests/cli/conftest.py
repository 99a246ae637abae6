"""Run the installed ``feedsvc`` console script against a fresh SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from feedsvc.accounts.models import MwsCredential, Seller
from feedsvc.orders.models import Order


def feedsvc_command() -> list[str]:
    """The console script installed next to this interpreter (else the module it runs)."""
    script = Path(sys.executable).with_name("feedsvc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "feedsvc.cli"]


@dataclass
class Cli:
    """``feedsvc`` with FEEDSVC_DATABASE_URL set to this test's database and no other
    FEEDSVC_ variable leaking in from the environment running the tests."""

    cwd: Path
    database_url: str

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDSVC_")}
        return {**env, "FEEDSVC_DATABASE_URL": self.database_url, **extra}

    def run(self, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*feedsvc_command(), *args],
            cwd=self.cwd,
            env=self.env(**extra_env),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def ok(self, *args: str, **extra_env: str) -> str:
        """Run a command that must succeed; its standard output."""
        result = self.run(*args, **extra_env)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def scalar(self, sql: str) -> object:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return connection.execute(text(sql)).scalar()
        finally:
            engine.dispose()

    def counts(self) -> dict[str, int]:
        """How many sellers, credentials and orders the database holds."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as connection:
                return {
                    model.__tablename__: connection.execute(
                        select(func.count()).select_from(model)
                    ).scalar_one()
                    for model in (Seller, MwsCredential, Order)
                }
        finally:
            engine.dispose()


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(cwd=tmp_path, database_url=f"sqlite:///{tmp_path / 'feedsvc.db'}")
