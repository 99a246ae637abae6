"""Golden files: the exact bytes, HTTP status and header set of every MWS response shape.

Each scenario below builds a small world (a seller, orders, submissions) on a clock fixed at
``NOW``, makes one request and compares the response with two files under ``files/``:

* ``<name>.xml``: the body exactly as served, after ``Normaliser`` replaced its volatile
  values (request id, FeedSubmissionIds, seller ids, access key, order ids, NextToken);
* ``<name>.headers``: the status and every response header, sorted by name; values that
  cannot be stable (request id, length, MD5 of the body) are checked here, then replaced.

Run with ``FEEDSVC_UPDATE_GOLDEN=1`` to (re)write the files instead of comparing them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from lxml import etree

from feedsvc.clock import FixedClock
from tests.conftest import FEED_ACK, FEED_ADJUSTMENT, Admin, Mws, xml_text
from tests.support import (
    ack,
    ack_item,
    adjusted_item,
    adjustment,
    content_md5,
    envelope,
    item_payload,
    order_payload,
    sign_v2,
    unique_order_id,
)

FILES = Path(__file__).parent / "files"
UPDATE = os.environ.get("FEEDSVC_UPDATE_GOLDEN") == "1"

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)
FIRST_SUBMISSION_ID = 1000001
ITEM_1 = "10000000000001"
ITEM_2 = "10000000000002"
UNKNOWN_ORDER = "999-9999999-9999999"
UNKNOWN_SUBMISSION = "99999999999"
NOT_AN_MD5 = "AAAAAAAAAAAAAAAAAAAAAA=="

_UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_SUBMISSION_ID = re.compile(
    rb"(<FeedSubmissionId>|<DocumentTransactionID>|Feed Submission I[dD]: )([0-9]+)"
)
_NEXT_TOKEN = re.compile(rb"<NextToken>[^<]*</NextToken>")
_SERVER_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
_PING_TIME = re.compile(rb'<Timestamp timestamp="[^"]+"/>')
_QUOTA_RESET = re.compile(rb"reset on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@dataclass
class Normaliser:
    """Replaces the volatile values of a response with stable stand-ins.

    Strings registered with ``alias`` (seller ids, access keys, order ids) are replaced
    wherever they occur; FeedSubmissionIds only where an id is expected, numbered from
    1000001 in the order the test registered them. An id nobody registered is left alone,
    so a foreign or unexpected id shows up as a golden mismatch.
    """

    aliases: dict[str, str] = field(default_factory=dict)
    submission_ids: dict[str, str] = field(default_factory=dict)

    def alias(self, volatile: str, stable: str) -> str:
        self.aliases[volatile] = stable
        return volatile

    def submission(self, submission_id: str) -> str:
        stable = str(FIRST_SUBMISSION_ID + len(self.submission_ids))
        self.submission_ids.setdefault(submission_id, stable)
        return submission_id

    def body(self, response: Any) -> bytes:
        content: bytes = response.content
        request_id = response.headers["x-mws-request-id"].encode()
        content = content.replace(request_id, b"{request-id}")
        for volatile, stable in sorted(self.aliases.items(), key=lambda kv: -len(kv[0])):
            content = content.replace(volatile.encode(), stable.encode())
        content = _SUBMISSION_ID.sub(self._submission_id, content)
        content = _PING_TIME.sub(b'<Timestamp timestamp="{server-time}"/>', content)
        content = _QUOTA_RESET.sub(b"reset on {quota-reset-time}", content)
        return _NEXT_TOKEN.sub(b"<NextToken>{next-token}</NextToken>", content)

    def head(self, response: Any) -> bytes:
        """``HTTP <status>`` and ``name: value`` lines, names sorted, duplicates kept."""
        lines = [f"HTTP {response.status_code}"]
        for name, value in sorted(response.headers.multi_items()):
            if name == "x-mws-request-id":
                assert _UUID4.fullmatch(value), value
                value = "{request-id}"
            elif name == "x-mws-timestamp":
                # The wall clock, not the service clock: clients sync their signing clock to it.
                assert _SERVER_TIME.fullmatch(value), value
                value = "{server-time}"
            elif name == "x-mws-quota-resetson":
                assert _SERVER_TIME.fullmatch(value), value
                value = "{quota-reset-time}"
            elif name == "content-length":
                assert int(value) == len(response.content)
                value = "{length-of-body}"
            elif name == "content-md5":
                assert value == content_md5(response.content)
                value = "{md5-of-body}"
            lines.append(f"{name}: {value}")
        return ("\n".join(lines) + "\n").encode()

    def _submission_id(self, match: re.Match[bytes]) -> bytes:
        raw = match[2].decode()
        return match[1] + self.submission_ids.get(raw, raw).encode()


@dataclass
class World:
    """One seller's test world on the fixed clock, and the normaliser that knows its ids."""

    mws: Mws
    admin: Admin
    clock: FixedClock
    norm: Normaliser
    orders: int = 0

    def order(self, *item_codes: str) -> str:
        """A new unshipped order (2 units per line); its id is aliased to 101-0000001-000000n."""
        order_id = unique_order_id()
        self.orders += 1
        stable = f"101-0000001-{self.orders:07d}"
        items = [item_payload(amazon_order_item_code=code) for code in item_codes or (ITEM_1,)]
        self.admin.order(
            order_payload(self.mws.seller["seller_id"], amazon_order_id=order_id, items=items)
        )
        return self.norm.alias(order_id, stable)

    def submit(self, feed: bytes, feed_type: str = FEED_ACK) -> Any:
        response = self.mws.submit(feed, feed_type)
        assert response.status_code == 200, response.text
        self.norm.submission(xml_text(response.content, "FeedSubmissionId"))
        return response

    def submit_id(self, feed: bytes, feed_type: str = FEED_ACK) -> str:
        return xml_text(self.submit(feed, feed_type).content, "FeedSubmissionId")

    def process(self) -> None:
        """Run the worker until idle, at ``LATER``."""
        self.clock.set(LATER)
        while self.mws.app.state.worker.run_once():
            pass

    def result(self, submission_id: str) -> Any:
        return self.mws.call("GetFeedSubmissionResult", {"FeedSubmissionId": submission_id})

    def other_seller(self) -> dict[str, Any]:
        other = self.admin.seller()
        self.norm.alias(other["seller_id"], "A2GOLDENSELLER")
        self.norm.alias(other["access_key_id"], "AKFS0000000000000002")
        return other


@pytest.fixture
def world(mws: Mws, admin: Admin, clock: FixedClock) -> World:
    clock.set(NOW)
    norm = Normaliser()
    norm.alias(mws.seller["seller_id"], "A1GOLDENSELLER")
    norm.alias(mws.seller["access_key_id"], "AKFS0000000000000001")
    return World(mws, admin, clock, norm)


# ---------------------------------------------------------------------------- scenarios

Scenario = Callable[[World], Any]
SCENARIOS: dict[str, Scenario] = {}
ERROR_SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str) -> Callable[[Scenario], Scenario]:
    def register(function: Scenario) -> Scenario:
        SCENARIOS[name] = function
        return function

    return register


def error_scenario(code: str) -> Callable[[Scenario], Scenario]:
    """An ErrorResponse whose Code is ``code``; its golden files are ``error_<code>.*``."""

    def register(function: Scenario) -> Scenario:
        ERROR_SCENARIOS[code] = function
        return function

    return register


def ack_feed(order_id: str = "111-1111111-1111111") -> bytes:
    return envelope("OrderAcknowledgement", ack(order_id, "Failure"))


NOT_WELL_FORMED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion></AmazonEnvelope>\n"
)
SCHEMA_INVALID = envelope(
    "OrderAcknowledgement",
    ack("111-1111111-1111111", "Failure"),
    ack("111-1111111-1111112", "Maybe"),
)


@scenario("submit_feed")
def _submit_feed(world: World) -> Any:
    return world.submit(ack_feed(world.order()))


@scenario("submit_feed_malformed")
def _submit_feed_malformed(world: World) -> Any:
    return world.submit(NOT_WELL_FORMED)


def _three_submissions(world: World) -> None:
    for _ in range(3):
        world.submit(ack_feed())


@scenario("list_has_next")
def _list_has_next(world: World) -> Any:
    _three_submissions(world)
    response = world.mws.call("GetFeedSubmissionList", {"MaxCount": "2"})
    assert xml_text(response.content, "HasNext") == "true"
    return response


@scenario("list_by_next_token_last_page")
def _list_by_next_token_last_page(world: World) -> Any:
    _three_submissions(world)
    first = world.mws.call("GetFeedSubmissionList", {"MaxCount": "2"})
    token = xml_text(first.content, "NextToken")
    response = world.mws.call("GetFeedSubmissionListByNextToken", {"NextToken": token})
    assert xml_text(response.content, "HasNext") == "false"
    return response


@scenario("list_empty")
def _list_empty(world: World) -> Any:
    return world.mws.call("GetFeedSubmissionList")


@scenario("count")
def _count(world: World) -> Any:
    _three_submissions(world)
    return world.mws.call("GetFeedSubmissionCount")


@scenario("cancel")
def _cancel(world: World) -> Any:
    first = world.submit_id(ack_feed())
    second = world.submit_id(ack_feed())
    world.submit(ack_feed())
    world.clock.set(LATER)
    return world.mws.call(
        "CancelFeedSubmissions",
        {"FeedSubmissionIdList.Id.1": first, "FeedSubmissionIdList.Id.2": second},
    )


@scenario("result_success")
def _result_success(world: World) -> Any:
    confirmed, cancelled = world.order(), world.order()
    feed = envelope(
        "OrderAcknowledgement",
        ack(confirmed, "Success", merchant_order_id="MO-0001"),
        ack(cancelled, "Failure", ack_item(ITEM_1, "NoInventory")),
    )
    submission_id = world.submit_id(feed)
    world.process()
    return world.result(submission_id)


@scenario("result_error_additional_info")
def _result_error_additional_info(world: World) -> Any:
    order_id = world.order()
    feed = envelope(
        "OrderAcknowledgement",
        ack(order_id, "Success", merchant_order_id="MO-0002"),
        ack(order_id, "Failure", ack_item(ITEM_2)),
        ack(UNKNOWN_ORDER, "Failure"),
    )
    submission_id = world.submit_id(feed)
    world.process()
    return world.result(submission_id)


@scenario("result_warning_pending_refund")
def _result_warning_pending_refund(world: World) -> Any:
    order_id = world.order()
    feed = envelope(
        "OrderAdjustment",
        adjustment(order_id, adjusted_item(ITEM_1, components={"Principal": "5.00"})),
    )
    submission_id = world.submit_id(feed, FEED_ADJUSTMENT)
    world.process()
    response = world.result(submission_id)
    assert xml_text(response.content, "ResultMessageCode") == "91011"
    return response


@scenario("result_not_well_formed")
def _result_not_well_formed(world: World) -> Any:
    response = world.result(world.submit_id(NOT_WELL_FORMED))
    assert xml_text(response.content, "ResultMessageCode") == "50001"
    return response


@scenario("result_schema_invalid")
def _result_schema_invalid(world: World) -> Any:
    response = world.result(world.submit_id(SCHEMA_INVALID))
    assert xml_text(response.content, "ResultMessageCode") == "5001"
    return response


@scenario("ping")
def _ping(world: World) -> Any:
    return world.mws.client.get("/")


@error_scenario("MissingParameter")
def _missing_parameter(world: World) -> Any:
    return world.mws.call("GetFeedSubmissionResult")


@error_scenario("InvalidParameterValue")
def _invalid_parameter_value(world: World) -> Any:
    return world.mws.call("GetFeedSubmissionList", {"MaxCount": "101"})


@error_scenario("InvalidRequest")
def _invalid_request(world: World) -> Any:
    return world.result("12ab")


@error_scenario("InvalidAction")
def _invalid_action(world: World) -> Any:
    return world.mws.call("GetReport")


@error_scenario("InvalidFeedType")
def _invalid_feed_type(world: World) -> Any:
    return world.mws.submit(ack_feed(), "_NOT_A_FEED_")


@error_scenario("InvalidFeedSubmissionId")
def _invalid_feed_submission_id(world: World) -> Any:
    return world.result(UNKNOWN_SUBMISSION)


@error_scenario("NextTokenCorrupted")
def _next_token_corrupted(world: World) -> Any:
    return world.mws.call("GetFeedSubmissionListByNextToken", {"NextToken": "not-a-token"})


@error_scenario("ContentMD5Missing")
def _content_md5_missing(world: World) -> Any:
    return world.mws.call("SubmitFeed", {"FeedType": FEED_ACK}, body=ack_feed())


@error_scenario("ContentMD5DoesNotMatch")
def _content_md5_does_not_match(world: World) -> Any:
    return world.mws.call(
        "SubmitFeed",
        {"FeedType": FEED_ACK},
        body=ack_feed(),
        headers={"Content-MD5": NOT_AN_MD5, "Content-Type": "text/xml"},
    )


@error_scenario("FeedCanceled")
def _feed_canceled(world: World) -> Any:
    submission_id = world.submit_id(ack_feed())
    cancelled = world.mws.call(
        "CancelFeedSubmissions", {"FeedSubmissionIdList.Id.1": submission_id}
    )
    assert xml_text(cancelled.content, "Count") == "1"
    return world.result(submission_id)


@error_scenario("FeedProcessingResultNotReady")
def _feed_processing_result_not_ready(world: World) -> Any:
    return world.result(world.submit_id(ack_feed()))


@error_scenario("InvalidAccessKeyId")
def _invalid_access_key_id(world: World) -> Any:
    return world.mws.call("GetFeedSubmissionCount", {"AWSAccessKeyId": "AKFSUNKNOWN"})


@error_scenario("AccessDenied")
def _access_denied(world: World) -> Any:
    other = world.other_seller()
    return world.mws.call("GetFeedSubmissionCount", {"SellerId": other["seller_id"]})


@error_scenario("InvalidAddress")
def _invalid_address(world: World) -> Any:
    return world.mws.client.post("/Orders/2013-09-01", params=world.mws.params("ListOrders"))


def _throttling(world: World, mode: str) -> None:
    response = world.admin.client.patch(
        f"/admin/sellers/{world.mws.seller['seller_id']}",
        json={"throttling": {"mode": mode}},
        headers=world.admin.headers,
    )
    assert response.status_code == 200, response.text


def _inject(world: World, error: str) -> Any:
    _throttling(world, "real")
    world.admin.post(
        f"/admin/sellers/{world.mws.seller['seller_id']}/faults/errors",
        {"operation": "GetFeedSubmissionCount", "error": error},
    )
    return world.mws.call("GetFeedSubmissionCount")


@error_scenario("SignatureDoesNotMatch")
def _signature_does_not_match(world: World) -> Any:
    params = world.mws.params("GetFeedSubmissionCount")
    world.norm.alias(params["Timestamp"], "2026-11-01T12:00:00Z")
    world.norm.alias(quote(params["Timestamp"], safe=""), "2026-11-01T12%3A00%3A00Z")
    params["Signature"] = sign_v2(
        params, secret="wrong", method="POST", host="testserver", path="/"
    )
    return world.mws.client.post("/", params=params)


@error_scenario("RequestThrottled")
def _request_throttled(world: World) -> Any:
    return _inject(world, "RequestThrottled")


@error_scenario("QuotaExceeded")
def _quota_exceeded(world: World) -> Any:
    return _inject(world, "QuotaExceeded")


@error_scenario("InternalError")
def _internal_error(world: World) -> Any:
    return _inject(world, "InternalError")


@scenario("count_with_quota_headers")
def _count_with_quota_headers(world: World) -> Any:
    _throttling(world, "real")
    return world.mws.call("GetFeedSubmissionCount")


@scenario("method_not_allowed")
def _method_not_allowed(world: World) -> Any:
    return world.mws.client.delete("/Feeds/2009-01-01")


@scenario("result_flat_file")
def _result_flat_file(world: World) -> Any:
    order_id = world.order(ITEM_1)
    body = (
        "order-id\tcancellation-reason-code\tamazon-order-item-code\tnote\r\n"
        f"{order_id}\tNoInventory\t\t\r\n"
        "999-0000000-0000000\tNoInventory\t\t\r\n"
        f"{order_id}\tNo stock\t\t\r\n"
    ).encode("latin-1")
    response = world.mws.call(
        "SubmitFeed",
        {"FeedType": "_POST_FLAT_FILE_ORDER_ACKNOWLEDGEMENT_DATA_"},
        body=body,
        headers={"Content-MD5": content_md5(body), "Content-Type": "text/tab-separated-values"},
    )
    submission_id = xml_text(response.content, "FeedSubmissionId")
    world.norm.submission(submission_id)
    world.process()
    return world.result(submission_id)


# -------------------------------------------------------------------------------- tests


def golden_names() -> Iterator[str]:
    yield from SCENARIOS
    yield from (f"error_{code}" for code in ERROR_SCENARIOS)


def check_golden(name: str, world: World, response: Any) -> None:
    """Compare (or, with FEEDSVC_UPDATE_GOLDEN=1, write) ``<name>.headers`` and ``<name>.xml``."""
    actual = {
        f"{name}.headers": world.norm.head(response),
        f"{name}.xml": world.norm.body(response),
    }
    for filename, content in actual.items():
        path = FILES / filename
        if UPDATE:
            path.write_bytes(content)
            continue
        assert path.exists(), f"{path} is missing; run with FEEDSVC_UPDATE_GOLDEN=1 to write it"
        expected = path.read_bytes()
        # Decoded for a readable diff; surrogateescape keeps the comparison byte-exact.
        assert content.decode("utf-8", "surrogateescape") == expected.decode(
            "utf-8", "surrogateescape"
        ), f"{filename} differs from its golden file"


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_response_shape(name: str, world: World) -> None:
    response = SCENARIOS[name](world)
    check_golden(name, world, response)


@pytest.mark.parametrize("code", list(ERROR_SCENARIOS))
def test_error_response(code: str, world: World) -> None:
    response = ERROR_SCENARIOS[code](world)
    root = etree.fromstring(response.content)
    assert etree.QName(root).localname == "ErrorResponse"
    assert xml_text(response.content, "Code") == code
    assert xml_text(response.content, "RequestID") == response.headers["x-mws-request-id"]
    check_golden(f"error_{code}", world, response)


def test_no_stale_golden_files() -> None:
    expected = {f"{name}{suffix}" for name in golden_names() for suffix in (".headers", ".xml")}
    present = {path.name for path in FILES.iterdir() if not path.name.startswith(".")}
    assert present == expected, {
        "stale": sorted(present - expected),
        "missing": sorted(expected - present),
    }
