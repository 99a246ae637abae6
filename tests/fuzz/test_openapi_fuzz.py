"""Schemathesis against the in-process app: whatever it generates gets no 5xx.

The schema is loaded from the app's own /openapi.json through ASGI (no network). Each
operation gets positive and negative cases; the admin routes get the test token through
schemathesis' OpenAPI-aware auth (scheme HTTPBearer), and half of the cases on a seller's
routes name a seller that exists, so the handlers are reached. Responses are checked for
documented status codes, content types and bodies, and on MWS paths for an MWS document.

schemathesis' pytest loader (``schemathesis.pytest.from_fixture``) reads
``Function._nodeid``, which pytest 9.2 removed, so the cases are drawn with
``APIOperation.as_strategy`` under a plain ``@given`` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from feedsvc.db.engine import transaction
from feedsvc.mws.router import PATHS as MWS_PATHS
from tests.conftest import ADMIN_TOKEN, Admin, Mws
from tests.support import order_payload

MWS_NS = "http://mws.amazonaws.com/doc/2009-01-01/"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
OPENAPI_YAML = Path(__file__).resolve().parents[2] / "openapi.yaml"
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20090101,
        "auth": {"openapi": {"HTTPBearer": {"bearer": ADMIN_TOKEN}}},
        "generation": {"deterministic": True},
    }
)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=16,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# Seconds from now to ten years before datetime.max: advancing further overflows somewhere.


def _operations() -> list[tuple[str, str]]:
    """(METHOD, path) of every documented operation (openapi.yaml equals /openapi.json)."""
    document = yaml.safe_load(OPENAPI_YAML.read_text(encoding="utf-8"))
    return [(method.upper(), path) for path, ops in document["paths"].items() for method in ops]


@pytest.fixture
def api(app: FastAPI) -> Iterator[Any]:
    yield schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)
    shutdown_lifespans()  # schemathesis keeps the app's lifespan running otherwise


@pytest.mark.parametrize(("method", "path"), _operations())
def test_generated_requests_get_documented_answers(
    app: FastAPI, api: Any, admin: Admin, method: str, path: str
) -> None:
    seller = admin.seller()
    order = admin.order(order_payload(seller["seller_id"]))
    known = {"seller_id": seller["seller_id"], "amazon_order_id": order["amazon_order_id"]}
    operation = api[path][method]
    fixed = {name: value for name, value in known.items() if f"{{{name}}}" in path}
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed or None),
    )

    @FUZZ
    @given(case=cases)
    def fuzz(case: schemathesis.Case) -> None:
        with transaction(app.state.sessions) as session:
            app.state.clock.reset(session)  # each case starts from real time
        response = case.call()  # an unhandled exception propagates out of the app
        assert response.status_code < 500, response.text
        case.validate_response(response, checks=CHECKS)
        if path not in MWS_PATHS:
            return
        assert response.headers.get("content-type") == ["text/xml"], response.headers
        root = etree.fromstring(response.content)
        if response.status_code != 200:
            assert root.tag == f"{{{MWS_NS}}}ErrorResponse", response.text
            assert root.findtext(f"{{{MWS_NS}}}Error/{{{MWS_NS}}}Code"), response.text

    fuzz()


# ------------------------------------------------------------------ known defects


def documented(app: FastAPI, method: str, path: str) -> set[str]:
    return set(app.openapi()["paths"][path][method]["responses"])


def test_a_json_body_that_is_not_utf8_gets_a_documented_status(
    app: FastAPI, client: TestClient
) -> None:
    response = client.post(
        "/admin/sellers", content=b'{"seller_id": "\xff"}',
        headers={**AUTH, "Content-Type": "application/json"},
    )  # fmt: skip
    assert str(response.status_code) in documented(app, "post", "/admin/sellers")


def test_admin_422_answers_match_the_documented_body(admin: Admin, client: TestClient) -> None:
    seller = admin.seller()
    response = client.post(
        f"/admin/sellers/{seller['seller_id']}/auth-tokens",
        json={"access_key_id": "AKNOSUCHKEY"}, headers=AUTH,
    )  # fmt: skip
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list), response.json()


def test_an_advance_no_timedelta_can_hold_is_refused(app: FastAPI) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    response = client.post("/admin/clock/advance", json={"days": 1e9}, headers=AUTH)
    assert response.status_code == 422, response.text


def test_an_advance_past_year_9999_is_refused_and_changes_nothing(app: FastAPI, mws: Mws) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    advance = client.post("/admin/clock/advance", json={"days": 3_000_000}, headers=AUTH)
    clock = client.get("/admin/clock", headers=AUTH)
    count = mws.call("GetFeedSubmissionCount")
    assert (advance.status_code, clock.status_code, count.status_code) == (422, 200, 200)


def test_a_clock_set_to_the_edge_of_time_keeps_mws_working(app: FastAPI, mws: Mws) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    frozen = {"frozen": True, "at": "0001-01-01T00:00:00+14:00"}
    put = client.put("/admin/clock", json=frozen, headers=AUTH)
    count = mws.call("GetFeedSubmissionCount")
    assert put.status_code == 422 or count.status_code == 200, (put.text, count.text)
