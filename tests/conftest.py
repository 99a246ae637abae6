"""Fixtures: one migrated database per run (SQLite, or PostgreSQL from
FEEDSVC_TEST_DATABASE_URL), a fresh app per test, and in-process MWS and admin clients."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import text
from sqlalchemy.orm import Session

from feedsvc.clock import FixedClock
from feedsvc.config import Settings, normalise_database_url
from feedsvc.db.engine import make_engine, make_sessionmaker
from feedsvc.db.migrate import upgrade
from feedsvc.main import create_app
from tests.support import MARKETPLACE_US, content_md5, mws_timestamp, sign_v2, unique_seller_id

ADMIN_TOKEN = "test-admin-token"
FEED_ACK = "_POST_ORDER_ACKNOWLEDGEMENT_DATA_"
FEED_ADJUSTMENT = "_POST_PAYMENT_ADJUSTMENT_DATA_"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database for this test run."""
    configured = os.environ.get("FEEDSVC_TEST_DATABASE_URL")
    if configured:
        url = normalise_database_url(configured)
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        path: Path = tmp_path_factory.mktemp("db") / "feedsvc-test.db"
        url = f"sqlite:///{path}"
        engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def app(database_url: str, clock: FixedClock) -> Iterator[FastAPI]:
    # Quotas are off unless a test turns them on for its seller (tests/mws/test_throttling.py).
    settings = Settings(
        database_url=database_url,
        admin_token=ADMIN_TOKEN,
        run_worker=False,
        default_throttling="off",
    )
    application = create_app(settings, clock=clock, migrate=False)
    yield application
    # The service clock's state is shared through the database: back to real time.
    with make_sessionmaker(application.state.engine).begin() as session:
        application.state.clock.reset(session)
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def session(app: FastAPI) -> Iterator[Session]:
    """A session on the app's database (for tests that look below the HTTP surface)."""
    with make_sessionmaker(app.state.engine)() as db_session:
        yield db_session


class Admin:
    """The admin API with the test token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    def post(self, path: str, body: Any) -> Any:
        response = self.client.post(path, json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        return response.json()

    def get(self, path: str, **params: str) -> Any:
        response = self.client.get(path, params=params, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def seller(self, seller_id: str | None = None) -> dict[str, Any]:
        body = {"seller_id": seller_id or unique_seller_id(), "marketplace_ids": [MARKETPLACE_US]}
        result: dict[str, Any] = self.post("/admin/sellers", body)
        return result

    def order(self, body: Mapping[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.post("/admin/orders", body)
        return result


@pytest.fixture
def admin(client: TestClient) -> Admin:
    return Admin(client)


class Mws:
    """A signed MWS client for one seller, over the in-process app."""

    def __init__(self, client: TestClient, seller: Mapping[str, Any], app: FastAPI) -> None:
        self.client = client
        self.seller = seller
        self.app = app

    def params(self, action: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        params = {
            "AWSAccessKeyId": self.seller["access_key_id"],
            "Action": action,
            "SellerId": self.seller["seller_id"],
            "SignatureMethod": "HmacSHA256",
            "SignatureVersion": "2",
            "Timestamp": mws_timestamp(),
            "Version": "2009-01-01",
        }
        params.update(extra or {})
        return params

    def signed(
        self, params: Mapping[str, str], *, method: str = "POST", path: str = "/"
    ) -> dict[str, str]:
        """``params`` plus a valid Signature for them."""
        signature = sign_v2(
            params, secret=self.seller["secret_key"], method=method, host="testserver", path=path
        )
        return {**params, "Signature": signature}

    def call(
        self,
        action: str,
        extra: Mapping[str, str] | None = None,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        method: str = "POST",
        path: str = "/",
        form: bool = True,
    ) -> Any:
        params = self.signed(self.params(action, extra), method=method, path=path)
        if body is None and form and method == "POST":
            return self.client.request(
                method,
                path,
                content=urlencode(params),
                headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
            )
        return self.client.request(
            method, f"{path}?{urlencode(params)}", content=body, headers=headers
        )

    def submit(
        self, feed: bytes, feed_type: str = FEED_ACK, *, headers: Mapping[str, str] | None = None
    ) -> Any:
        return self.call(
            "SubmitFeed",
            {"FeedType": feed_type},
            body=feed,
            headers={
                "Content-MD5": content_md5(feed),
                "Content-Type": "text/xml",
                **(headers or {}),
            },
        )

    def submit_and_process(self, feed: bytes, feed_type: str = FEED_ACK) -> str:
        """Submit, run the worker until idle, and return the FeedSubmissionId."""
        response = self.submit(feed, feed_type)
        assert response.status_code == 200, response.text
        submission_id = xml_text(response.content, "FeedSubmissionId")
        while self.app.state.worker.run_once():
            pass
        return submission_id

    def report(self, submission_id: str) -> etree._Element:
        response = self.call("GetFeedSubmissionResult", {"FeedSubmissionId": submission_id})
        assert response.status_code == 200, response.text
        return etree.fromstring(response.content)


@pytest.fixture
def seller(admin: Admin) -> dict[str, Any]:
    return admin.seller()


@pytest.fixture
def mws(client: TestClient, seller: dict[str, Any], app: FastAPI) -> Mws:
    return Mws(client, seller, app)


def xml_text(content: bytes, name: str) -> str:
    """The text of the first element called ``name``, whatever its namespace."""
    root = etree.fromstring(content)
    found = root.xpath(f"//*[local-name()='{name}']")
    assert found, f"no <{name}> in {content!r}"
    return str(found[0].text or "")


def xml_texts(content: bytes, name: str) -> list[str]:
    root = etree.fromstring(content)
    return [str(e.text or "") for e in root.xpath(f"//*[local-name()='{name}']")]


def feed_md5(body: bytes) -> str:
    return content_md5(body)
