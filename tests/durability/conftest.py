"""Real ``feedsvc`` processes (API and workers) on a database of each test's own.

Every test gets a database of its own: a SQLite file, or a schema of its own in the run's
PostgreSQL database (``options=-csearch_path=<schema>``), so its workers never take
another test's jobs and "every job is done" means this test's jobs. ``database`` is
migrated here, before any process starts, so the processes' own start-up migration is a
no-op (processes starting together on an unmigrated PostgreSQL schema race: see
test_fresh_database.py, which uses ``empty_database``).

Processes are started through :class:`Processes`, which kills whatever is still running
when the test ends (pass or fail) and adds every process's log to assertion messages.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx
import pytest
from lxml import etree
from sqlalchemy import Engine, create_engine, text

from feedsvc.db.engine import make_engine
from tests.support import (
    MARKETPLACE_US,
    ack,
    ack_item,
    content_md5,
    envelope,
    item_payload,
    mws_timestamp,
    order_payload,
    own_database,
    sign_v2,
    unique_seller_id,
)

ADMIN_TOKEN = "durability-admin-token"
FEED_ACK = "_POST_ORDER_ACKNOWLEDGEMENT_DATA_"
FEED_ADJUSTMENT = "_POST_PAYMENT_ADJUSTMENT_DATA_"
LOG_TAIL = 6000  # characters of each process log quoted in a failure message

T = TypeVar("T")


# --------------------------------------------------------------------------- database


@dataclass
class Database:
    """This test's database: its URL for the processes, and an engine for looking inside."""

    url: str
    engine: Engine

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        """Read-only SQL, outside the processes (a plain read never takes SQLite's write lock)."""
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def jobs(self) -> list[dict[str, Any]]:
        rows = self.rows(
            "SELECT id, kind, submission_id, status, attempts, worker_id, last_error FROM jobs"
            " ORDER BY id"
        )
        keys = ("id", "kind", "submission_id", "status", "attempts", "worker_id", "last_error")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def feed_jobs(self) -> list[dict[str, Any]]:
        return [job for job in self.jobs() if job["kind"] == "process_feed"]

    def status(self, submission_id: str) -> str:
        """A submission's status straight from the database (never blocked by a writer)."""
        return str(
            self.scalar("SELECT status FROM feed_submissions WHERE id = :id", id=int(submission_id))
        )


def _read_only_sqlite_engine(url: str) -> Engine:
    # feedsvc's own engine opens every transaction with BEGIN IMMEDIATE, which would queue
    # behind a worker that holds the write lock for a whole feed. A plain pysqlite engine
    # reads the last committed state of the WAL without waiting.
    return create_engine(url, connect_args={"timeout": 30})


@contextmanager
def _own_database(tmp_path: Path, *, migrate: bool) -> Iterator[Database]:
    with own_database(tmp_path, "durability", migrate=migrate) as url:
        engine = _read_only_sqlite_engine(url) if url.startswith("sqlite") else make_engine(url)
        try:
            yield Database(url, engine)
        finally:
            engine.dispose()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """This test's database, migrated before any process starts."""
    with _own_database(tmp_path, migrate=True) as db:
        yield db


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[Database]:
    """This test's database, left for the processes to migrate."""
    with _own_database(tmp_path, migrate=False) as db:
        yield db


# --------------------------------------------------------------------------- processes


def feedsvc_command() -> list[str]:
    """The console script installed next to this interpreter (else the module it runs)."""
    script = Path(sys.executable).with_name("feedsvc")
    return [str(script)] if script.exists() else [sys.executable, "-m", "feedsvc.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Proc:
    """One started process and its log file (stdout and stderr together)."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    base_url: str | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_records(self) -> list[dict[str, Any]]:
        """The JSON log lines (feedsvc logs one JSON object a line)."""
        records = []
        for line in self.log().splitlines():
            if line.startswith("{"):
                try:
                    records.append(json.loads(line))
                except ValueError:
                    continue
        return records

    def processed_submissions(self) -> list[int]:
        """Submission ids this process logged as processed ("feed processed")."""
        return [
            int(r["submission_id"])
            for r in self.log_records()
            if r.get("message") == "feed processed"
        ]

    def signal(self, signum: int) -> None:
        if self.alive():
            self.popen.send_signal(signum)

    def wait(self, timeout: float) -> int | None:
        """The exit code, or None if still running after ``timeout`` seconds."""
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None


@dataclass
class Processes:
    """Starts feedsvc processes on this test's database; kills them all at the end."""

    database: Database
    directory: Path
    started: list[Proc] = field(default_factory=list)
    clients: list[AdminApi | MwsApi] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        # Nothing FEEDSVC_* from the environment running the tests leaks in.
        env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDSVC_")}
        env.update(
            {
                "FEEDSVC_DATABASE_URL": self.database.url,
                "FEEDSVC_ADMIN_TOKEN": ADMIN_TOKEN,
                "FEEDSVC_DEFAULT_THROTTLING": "off",
                "FEEDSVC_WORKER_POLL_SECONDS": "0.05",
                "FEEDSVC_LOG_FORMAT": "json",
            }
        )
        env.update(extra)
        return env

    def start(
        self, name: str, args: Sequence[str], *, command: Sequence[str] = (), **env: str
    ) -> Proc:
        """``feedsvc ARGS`` (or ``COMMAND ARGS``) with its output in ``NAME.log``."""
        log_path = self.directory / f"{name}.log"
        with log_path.open("ab") as sink:
            popen = subprocess.Popen(
                [*(command or feedsvc_command()), *args],
                cwd=self.directory,
                env=self.env(**env),
                stdout=sink,
                stderr=subprocess.STDOUT,
            )
        proc = Proc(name, popen, log_path)
        self.started.append(proc)
        return proc

    def api(
        self, name: str = "api", *, command: Sequence[str] = (), wait: bool = True, **env: str
    ) -> Proc:
        """``feedsvc serve --no-worker`` on a free port, once /health answers."""
        port = free_port()
        proc = self.start(
            name,
            ["serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)],
            command=command,
            **env,
        )
        proc.base_url = f"http://127.0.0.1:{port}"
        if wait:
            self.wait_healthy(proc)
        return proc

    def healthy(self, proc: Proc) -> bool:
        try:
            return httpx.get(f"{proc.base_url}/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def wait_healthy(self, proc: Proc) -> None:
        name = proc.name
        deadline = time.monotonic() + 30
        while True:
            if not proc.alive():
                pytest.fail(f"{name} exited early with {proc.popen.returncode}:\n{proc.log()}")
            if self.healthy(proc):
                return
            if time.monotonic() > deadline:
                pytest.fail(f"{name} did not become healthy within 30 s:\n{proc.log()}")
            time.sleep(0.1)

    def worker(self, name: str, *, command: Sequence[str] = (), **env: str) -> Proc:
        """``feedsvc worker``; it logs "worker started" once it polls the queue."""
        return self.start(name, ["worker"], command=command, **env)

    def wait_started(self, proc: Proc, timeout: float = 30) -> None:
        wait_until(
            lambda: "worker started" in proc.log(),
            timeout,
            f"{proc.name} to start",
            self,
            must_live=[proc],
        )

    def logs(self) -> str:
        parts = []
        for proc in self.started:
            state = "running" if proc.alive() else f"exit code {proc.popen.returncode}"
            text_ = proc.log()
            if len(text_) > LOG_TAIL:
                text_ = "[...]\n" + text_[-LOG_TAIL:]
            parts.append(f"----- {proc.name} (pid {proc.pid}, {state}) -----\n{text_}")
        return "\n".join(parts)

    def service(self, api: Proc) -> Service:
        """Admin and MWS clients (for a new seller) of ``api``, closed at the end."""
        assert api.base_url is not None
        admin = self.admin(api)
        return Service(api, admin, self.mws(api, admin.seller()))

    def admin(self, api: Proc) -> AdminApi:
        assert api.base_url is not None
        client = AdminApi(api.base_url)
        self.clients.append(client)
        return client

    def mws(self, api: Proc, seller: Mapping[str, Any]) -> MwsApi:
        assert api.base_url is not None
        client = MwsApi(api.base_url, seller)
        self.clients.append(client)
        return client

    def stop_all(self) -> None:
        for client in self.clients:
            client.close()
        for proc in self.started:
            proc.signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in self.started:
            if proc.wait(max(0.1, deadline - time.monotonic())) is None:
                proc.popen.kill()
                proc.popen.wait(timeout=10)


@pytest.fixture
def processes(database: Database, tmp_path: Path) -> Iterator[Processes]:
    running = Processes(database, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


@pytest.fixture
def processes_on_empty_database(empty_database: Database, tmp_path: Path) -> Iterator[Processes]:
    running = Processes(empty_database, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


def wait_until(
    condition: Callable[[], T | None],
    timeout: float,
    what: str,
    processes: Processes,
    *,
    must_live: Sequence[Proc] = (),
) -> T:
    """Poll ``condition`` until it is truthy and return it; fail with every process log
    at the deadline, or at once when one of ``must_live`` exits."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        for proc in must_live:
            if not proc.alive():
                pytest.fail(
                    f"{proc.name} exited with {proc.popen.returncode} while waiting for "
                    f"{what}\n{processes.logs()}"
                )
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}\n{processes.logs()}")
        time.sleep(0.05)


# --------------------------------------------------------------------------- HTTP clients


class AdminApi:
    """The admin JSON API of a running API process."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=60
        )

    def close(self) -> None:
        self.http.close()

    def seller(self) -> dict[str, Any]:
        response = self.http.post(
            "/admin/sellers",
            json={"seller_id": unique_seller_id(), "marketplace_ids": [MARKETPLACE_US]},
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def orders(self, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Create orders in one request (one transaction)."""
        response = self.http.post("/admin/orders", json=payloads)
        assert response.status_code == 201, response.text
        result: list[dict[str, Any]] = response.json()
        return result

    def order(self, amazon_order_id: str) -> dict[str, Any]:
        response = self.http.get(f"/admin/orders/{amazon_order_id}")
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


class MwsApi:
    """A signed MWS Feeds client for one seller (Signature Version 2, HmacSHA256)."""

    def __init__(self, base_url: str, seller: Mapping[str, Any]) -> None:
        self.base_url = base_url
        self.host = httpx.URL(base_url).netloc.decode()
        self.seller = seller
        self.http = httpx.Client(base_url=base_url, timeout=60)

    def close(self) -> None:
        self.http.close()

    def call(
        self,
        action: str,
        extra: Mapping[str, str] | None = None,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        params = {
            "AWSAccessKeyId": self.seller["access_key_id"],
            "Action": action,
            "SellerId": self.seller["seller_id"],
            "SignatureMethod": "HmacSHA256",
            "SignatureVersion": "2",
            "Timestamp": mws_timestamp(),
            "Version": "2009-01-01",
            **(extra or {}),
        }
        params["Signature"] = sign_v2(
            params, secret=self.seller["secret_key"], method="POST", host=self.host, path="/"
        )
        kwargs: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        if body is None:
            return self.http.post(
                "/",
                content=urlencode(params),
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                **kwargs,
            )
        return self.http.post(
            f"/?{urlencode(params)}", content=body, headers=dict(headers or {}), **kwargs
        )

    def submit(self, feed: bytes, feed_type: str) -> str:
        """SubmitFeed; the FeedSubmissionId (the feed must be accepted: _SUBMITTED_)."""
        response = self.call(
            "SubmitFeed",
            {"FeedType": feed_type},
            body=feed,
            headers={"Content-MD5": content_md5(feed), "Content-Type": "text/xml"},
        )
        assert response.status_code == 200, response.text
        assert xml_text(response.content, "FeedProcessingStatus") == "_SUBMITTED_", response.text
        return xml_text(response.content, "FeedSubmissionId")

    def statuses(self, submission_ids: Sequence[str]) -> dict[str, str]:
        """GetFeedSubmissionList by id (100 at a time): id -> FeedProcessingStatus."""
        found: dict[str, str] = {}
        for start in range(0, len(submission_ids), 100):
            chunk = submission_ids[start : start + 100]
            extra = {f"FeedSubmissionIdList.Id.{n}": i for n, i in enumerate(chunk, start=1)}
            response = self.call("GetFeedSubmissionList", {**extra, "MaxCount": "100"})
            assert response.status_code == 200, response.text
            root = etree.fromstring(response.content)
            for info in root.xpath("//*[local-name()='FeedSubmissionInfo']"):
                found[_child_text(info, "FeedSubmissionId")] = _child_text(
                    info, "FeedProcessingStatus"
                )
        return found

    def report(self, submission_id: str) -> etree._Element:
        response = self.call("GetFeedSubmissionResult", {"FeedSubmissionId": submission_id})
        assert response.status_code == 200, response.text
        return etree.fromstring(response.content)


def _child_text(element: etree._Element, name: str) -> str:
    found = element.xpath(f"./*[local-name()='{name}']")
    return str(found[0].text or "") if found else ""


def xml_text(content: bytes, name: str) -> str:
    root = etree.fromstring(content)
    found = root.xpath(f"//*[local-name()='{name}']")
    assert found, f"no <{name}> in {content!r}"
    return str(found[0].text or "")


@dataclass(frozen=True)
class Report:
    """The parts of a ProcessingReport the tests look at."""

    document_transaction_id: str
    processed: int
    successful: int
    with_error: int
    with_warning: int
    results: list[tuple[str, str, str]]  # (MessageID, ResultCode, ResultMessageCode)

    @classmethod
    def parse(cls, root: etree._Element) -> Report:
        def number(name: str) -> int:
            found = root.xpath(f"//*[local-name()='{name}']")
            return int(found[0].text) if found else 0

        results = [
            (
                _child_text(r, "MessageID"),
                _child_text(r, "ResultCode"),
                _child_text(r, "ResultMessageCode"),
            )
            for r in root.xpath("//*[local-name()='Result']")
        ]
        return cls(
            document_transaction_id=str(
                root.xpath("//*[local-name()='DocumentTransactionID']")[0].text
            ),
            processed=number("MessagesProcessed"),
            successful=number("MessagesSuccessful"),
            with_error=number("MessagesWithError"),
            with_warning=number("MessagesWithWarning"),
            results=results,
        )


@dataclass
class Service:
    """An API process, its admin client and an MWS client for one seller."""

    api: Proc
    admin: AdminApi
    mws: MwsApi

    @property
    def seller_id(self) -> str:
        return str(self.mws.seller["seller_id"])


# --------------------------------------------------------------------------- orders and feeds


def order_batch(
    seller_id: str, count: int, *, items_per_order: int = 1, **item: Any
) -> list[dict[str, Any]]:
    """``count`` unshipped orders placed yesterday, due to ship in three days (so the
    workers' automatic cancellation never touches them), each with ``items_per_order``
    lines of one unit."""
    now = datetime.now(UTC).replace(microsecond=0)
    return [
        order_payload(
            seller_id,
            items=[item_payload(**{"quantity": 1, **item}) for _ in range(items_per_order)],
            purchase_date=(now - timedelta(days=1)).isoformat(),
            latest_ship_date=(now + timedelta(days=3)).isoformat(),
        )
        for _ in range(count)
    ]


def create_orders(admin: AdminApi, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    created: list[dict[str, Any]] = []
    for start in range(0, len(payloads), 100):
        created.extend(admin.orders(payloads[start : start + 100]))
    return created


def cancel_items_feed(orders: Sequence[Mapping[str, Any]]) -> bytes:
    """An OrderAcknowledgement feed with one Failure message per item of every order."""
    return envelope(
        "OrderAcknowledgement",
        *(
            ack(
                order["amazon_order_id"],
                "Failure",
                ack_item(item["amazon_order_item_code"], "NoInventory"),
            )
            for order in orders
            for item in order["items"]
        ),
    )


def cancel_orders_feed(orders: Sequence[Mapping[str, Any]]) -> bytes:
    """An OrderAcknowledgement feed with one whole-order Failure message per order."""
    return envelope(
        "OrderAcknowledgement", *(ack(order["amazon_order_id"], "Failure") for order in orders)
    )


# ------------------------------------------------------------------------ regressions


def symptom(condition: object, message: str) -> None:
    """Assert the property a regression test guards (once a bug, now a promise)."""
    assert condition, message


ON_POSTGRESQL = bool(os.environ.get("FEEDSVC_TEST_DATABASE_URL"))
ON_SQLITE = not ON_POSTGRESQL
