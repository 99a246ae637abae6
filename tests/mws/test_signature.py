"""Signature Version 2 checking, through the in-process HTTP interface."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from feedsvc.config import Settings
from feedsvc.main import create_app
from tests.conftest import ADMIN_TOKEN, Admin, Mws, xml_text
from tests.support import sign_v2


def code_of(response: httpx.Response) -> str:
    return xml_text(response.content, "Code")


def post(mws: Mws, params: dict[str, str], *, host: str | None = None) -> httpx.Response:
    headers = {"Host": host} if host else None
    return mws.client.post("/?" + urlencode(params), headers=headers)


@pytest.mark.parametrize(
    ("signed_host", "sent_host"),
    [
        pytest.param("testserver", None, id="host-as-sent"),
        pytest.param("127.0.0.1:8000", "127.0.0.1:8000", id="host-with-port"),
        pytest.param("127.0.0.1", "127.0.0.1:8000", id="host-without-port"),
        pytest.param("http://127.0.0.1:8000", "127.0.0.1:8000", id="scheme-and-host"),
        pytest.param("LOCALHOST:8443", "localhost:8443", id="case-insensitive"),
    ],
)
def test_host_forms_real_clients_sign(mws: Mws, signed_host: str, sent_host: str | None) -> None:
    params = mws.params("GetFeedSubmissionCount")
    params["Signature"] = sign_v2(
        params, secret=mws.seller["secret_key"], method="POST", host=signed_host.lower(), path="/"
    )
    response = post(mws, params, host=sent_host)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "signed_host",
    [
        pytest.param("example.com", id="another-host"),
        pytest.param("https://testserver", id="another-scheme"),
        pytest.param("testserver:9999", id="another-port"),
    ],
)
def test_other_hosts_do_not_match(mws: Mws, signed_host: str) -> None:
    params = mws.params("GetFeedSubmissionCount")
    params["Signature"] = sign_v2(
        params, secret=mws.seller["secret_key"], method="POST", host=signed_host, path="/"
    )
    assert code_of(post(mws, params)) == "SignatureDoesNotMatch"


def test_signature_covers_method_and_path(mws: Mws) -> None:
    params = mws.params("GetFeedSubmissionCount")
    signed_for_get = sign_v2(
        params, secret=mws.seller["secret_key"], method="GET", host="testserver", path="/"
    )
    assert code_of(post(mws, {**params, "Signature": signed_for_get})) == "SignatureDoesNotMatch"
    feeds_path = mws.call("GetFeedSubmissionCount", path="/Feeds/2009-01-01", form=False)
    assert feeds_path.status_code == 200


def test_mismatch_shows_the_string_the_server_signed(mws: Mws) -> None:
    params = mws.params("GetFeedSubmissionCount")
    params["Signature"] = sign_v2(
        params, secret="wrong", method="POST", host="testserver", path="/"
    )
    response = post(mws, params)
    assert response.status_code == 403
    message = xml_text(response.content, "Message")
    assert "POST\\ntestserver\\n/\\nAWSAccessKeyId=" in message
    assert "Action=GetFeedSubmissionCount" in message


def test_hmac_sha1(mws: Mws) -> None:
    params = {**mws.params("GetFeedSubmissionCount"), "SignatureMethod": "HmacSHA1"}
    canonical = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(params.items())
    )
    digest = hmac.new(
        mws.seller["secret_key"].encode(),
        f"POST\ntestserver\n/\n{canonical}".encode(),
        hashlib.sha1,
    ).digest()
    params["Signature"] = base64.b64encode(digest).decode()
    assert post(mws, params).status_code == 200


def test_values_needing_rfc3986_encoding(mws: Mws) -> None:
    extra = {"SubmittedFromDate": "2026-01-01T00:00:00+00:00", "Note": "a b*c~d/é"}
    assert mws.call("GetFeedSubmissionCount", extra, form=False).status_code == 200
    assert mws.call("GetFeedSubmissionCount", extra, form=True).status_code == 200


@pytest.mark.parametrize(
    "timestamp",
    [
        pytest.param("%Y-%m-%dT%H:%M:%SZ", id="zulu"),
        pytest.param("%Y-%m-%dT%H:%M:%S", id="no-zone"),
        pytest.param("%Y-%m-%dT%H:%M:%S.%f", id="microseconds"),
        pytest.param("%Y-%m-%dT%H:%M:%S.000Z", id="milliseconds"),
        pytest.param("%Y-%m-%dT%H:%M:%S+00:00", id="offset"),
    ],
)
def test_timestamp_formats(mws: Mws, timestamp: str) -> None:
    stamp = datetime.now(UTC).strftime(timestamp)
    response = mws.call("GetFeedSubmissionCount", {"Timestamp": stamp})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        pytest.param({"Timestamp": "2020-01-01T00:00:00Z"}, "InvalidParameterValue", id="stale"),
        pytest.param({"Timestamp": "not a time"}, "InvalidParameterValue", id="malformed"),
        pytest.param({"SignatureMethod": "HmacMD5"}, "InvalidParameterValue", id="method"),
        pytest.param({"SignatureVersion": "1"}, "InvalidParameterValue", id="version"),
    ],
)
def test_freshness_and_algorithm(mws: Mws, extra: dict[str, str], code: str) -> None:
    response = mws.call("GetFeedSubmissionCount", extra)
    assert (response.status_code, code_of(response)) == (400, code)


def test_future_timestamp_beyond_fifteen_minutes(mws: Mws) -> None:
    later = (datetime.now(UTC) + timedelta(minutes=16)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert code_of(mws.call("GetFeedSubmissionCount", {"Timestamp": later})) == (
        "InvalidParameterValue"
    )


def test_expires_instead_of_timestamp(mws: Mws) -> None:
    params = mws.params("GetFeedSubmissionCount")
    del params["Timestamp"]
    future = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert post(mws, mws.signed({**params, "Expires": future})).status_code == 200
    past = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert code_of(post(mws, mws.signed({**params, "Expires": past}))) == "InvalidParameterValue"
    assert code_of(post(mws, mws.signed(params))) == "MissingParameter"


def test_missing_signature(mws: Mws) -> None:
    response = post(mws, mws.params("GetFeedSubmissionCount"))
    assert code_of(response) == "MissingParameter"
    assert "Signature" in xml_text(response.content, "Message")


def test_unencoded_plus_in_signature_is_tolerated(mws: Mws) -> None:
    for attempt in range(20):  # find parameters whose signature contains '+'
        params = mws.signed(mws.params("GetFeedSubmissionCount", {"Nonce": str(attempt)}))
        if "+" in params["Signature"]:
            break
    else:
        pytest.skip("no signature with '+' in 20 tries")
    query = "&".join(
        f"{k}={v}" if k == "Signature" else f"{k}={quote(v, safe='')}" for k, v in params.items()
    )
    assert mws.client.post("/?" + query).status_code == 200


@pytest.fixture
def unsigned_app(database_url: str) -> Iterator[FastAPI]:
    settings = Settings(
        database_url=database_url,
        admin_token=ADMIN_TOKEN,
        run_worker=False,
        verify_signatures=False,
    )
    application = create_app(settings, migrate=False)
    yield application
    application.state.engine.dispose()


def test_verification_can_be_switched_off(unsigned_app: FastAPI) -> None:
    with TestClient(unsigned_app) as client:
        seller = Admin(client).seller()
        unsigned = Mws(client, seller, unsigned_app).params("GetFeedSubmissionCount")
        assert client.post("/", params=unsigned).status_code == 200
        wrong_key = {**unsigned, "AWSAccessKeyId": "NOPE"}
        assert xml_text(client.post("/", params=wrong_key).content, "Code") == "InvalidAccessKeyId"
