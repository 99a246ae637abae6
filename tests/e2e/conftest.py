"""A real feedsvc server process on a free port, shared by the end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import make_url, text

from feedsvc.db.engine import make_engine
from tests.support import MARKETPLACE_US, unique_seller_id

ADMIN_TOKEN = "e2e-admin-token"
E2E_SCHEMA = "feedsvc_e2e"


@dataclass(frozen=True)
class Server:
    """A running feedsvc, an admin client for it, and the file its logs go to."""

    base_url: str
    admin: httpx.Client
    log_path: Path

    def seller(self) -> dict[str, Any]:
        response = self.admin.post(
            "/admin/sellers",
            json={"seller_id": unique_seller_id(), "marketplace_ids": [MARKETPLACE_US]},
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def order(self, payload: dict[str, Any]) -> dict[str, Any]:
        response = self.admin.post("/admin/orders", json=payload)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def get(self, path: str, **params: str) -> Any:
        response = self.admin.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def e2e_database_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database of the server's own: its worker must not take the in-process tests' jobs."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'feedsvc-e2e.db'}"
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {E2E_SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {E2E_SCHEMA}"))
    engine.dispose()
    url = make_url(database_url).update_query_dict({"options": f"-csearch_path={E2E_SCHEMA}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def server(e2e_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = _free_port()
    log_path: Path = tmp_path_factory.mktemp("e2e") / "server.log"
    env = {
        **os.environ,
        "FEEDSVC_DATABASE_URL": e2e_database_url,
        "FEEDSVC_ADMIN_TOKEN": ADMIN_TOKEN,
        "FEEDSVC_WORKER_POLL_SECONDS": "0.05",
        # Tests poll freely; the throttling tests turn quotas on for their own sellers.
        "FEEDSVC_DEFAULT_THROTTLING": "off",
    }
    command = [
        sys.executable,
        "-m",
        "feedsvc.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url, process, log_path)
        with httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10
        ) as admin:
            yield Server(base_url, admin, log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"feedsvc exited early:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"feedsvc did not become healthy:\n{log_path.read_text()}")
