"""The npm MWS clients, unchanged, against a real feedsvc server process.

Each client is driven by a small script in ``tests/e2e/node`` that runs one operation and
prints what the client returned (normalised to one JSON shape) or the error as the client
surfaced it. The clients install once per session with ``npm ci``; without node and npm,
or without the npm registry, these tests skip.

- ``amazon-mws`` 0.0.27: GET ``/Feeds/2009-01-01`` (POST for SubmitFeed), signs the host
  without its port, sends the Content-MD5 header *and* ``ContentMD5Value``.
- ``@ericblade/mws-simple`` 5.1.2: https only, every call a POST (form body but for
  SubmitFeed); reached through a TLS terminator in front of the plain-HTTP server.
- ``mws`` 2.0.11 (ScaleLeap): every call a POST, signs ``http://host:port`` over plain
  http, strict codecs on every response and typed errors.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.e2e.node_clients import Driver, install, make_certificate, tls_terminator
from tests.support import ack, envelope, item_payload, order_payload

pytestmark = pytest.mark.e2e

ACK = "_POST_ORDER_ACKNOWLEDGEMENT_DATA_"
STATUSES = {"_SUBMITTED_", "_IN_PROGRESS_", "_DONE_"}
UNKNOWN_ID = "99999999999"


@dataclass(frozen=True)
class Client:
    """An npm client, its driver, and how it surfaces an MWS error."""

    script: str
    https: bool
    error_kind: str
    error_status: int | None  # None: the client does not expose the HTTP status
    report_codes: tuple[str, ...] = ()  # ResultMessageCodes of a clean cancellation feed


AMAZON_MWS = Client("amazon_mws.js", https=False, error_kind="AmazonMwsAPIError", error_status=400)
MWS_SIMPLE = Client(
    "mws_simple.js",
    https=True,
    error_kind="ServerError",
    error_status=400,
    # mws-simple takes the feed as a Buffer (its README) and sniffs it with
    # `buffer.slice(0, 5) === '<?xml'`, never true for a Buffer: a UTF-8 XML feed goes out as
    # `text/tab-separated-values; charset=iso-8859-1`, which feedsvc reports as a warning.
    report_codes=("91012",),
)
SCALELEAP_MWS = Client(
    "scaleleap_mws.js",
    https=False,
    error_kind="InvalidFeedSubmissionIdError",
    error_status=None,
)
CLIENTS = [
    pytest.param(AMAZON_MWS, id="amazon-mws"),
    pytest.param(MWS_SIMPLE, id="mws-simple"),
    pytest.param(SCALELEAP_MWS, id="scaleleap-mws"),
]


@pytest.fixture(scope="session")
def npm_clients() -> None:
    """The npm clients, installed at most once a session (a failure is cached as a skip)."""
    reason = install()
    if reason is not None:
        pytest.skip(f"npm MWS clients unavailable: {reason}")


@pytest.fixture(scope="session")
def https_front(
    server: Server, npm_clients: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """An https URL in front of the server and the certificate to trust for it."""
    pair = make_certificate(tmp_path_factory.mktemp("tls"))
    if pair is None:
        pytest.skip("openssl is not on PATH: no certificate for mws-simple, which is https only")
    cert, key = pair
    upstream_port = int(server.base_url.rsplit(":", 1)[1])
    with tls_terminator(cert, key, upstream_port) as port:
        yield f"https://localhost:{port}", str(cert)


class Seller:
    """A seller acting through one npm client's driver."""

    def __init__(self, server: Server, driver: Driver, feeds: Path) -> None:
        self.server = server
        self.driver = driver
        self.seller_id: str = driver.account["seller_id"]
        self._feeds = feeds

    def order(self, *items: dict[str, Any]) -> dict[str, Any]:
        return self.server.order(order_payload(self.seller_id, items=list(items) or None))

    def submit(self, feed: bytes) -> str:
        path = self._feeds / f"feed-{len(list(self._feeds.iterdir()))}.xml"
        path.write_bytes(feed)
        info = self.driver.ok("submit", feedFile=str(path), feedType=ACK)
        assert info["type"] == ACK
        assert info["status"] in STATUSES
        submission_id: str = info["id"]
        return submission_id

    def wait_done(self, submission_id: str) -> dict[str, Any]:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # each call is a node process: ~0.2 s
            listed = self.driver.ok("list", ids=[submission_id])["submissions"]
            [info] = [i for i in listed if i["id"] == submission_id]
            if info["status"] == "_DONE_":
                return dict(info)
        raise AssertionError(f"feed {submission_id} did not finish")

    def view(self, order: dict[str, Any]) -> Any:
        return self.server.get(f"/admin/orders/{order['amazon_order_id']}")


def make_seller(
    request: pytest.FixtureRequest, server: Server, client: Client, tmp_path: Path
) -> Seller:
    account = server.seller()
    base_url, env = server.base_url, {}
    if client.https:
        base_url, cert = request.getfixturevalue("https_front")
        env = {"NODE_EXTRA_CA_CERTS": cert}
    driver = Driver(client.script, base_url, account, env)
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    return Seller(server, driver, feeds)


@pytest.fixture(params=CLIENTS)
def client(request: pytest.FixtureRequest) -> Client:
    chosen: Client = request.param
    return chosen


@pytest.fixture
def seller(
    npm_clients: None,
    request: pytest.FixtureRequest,
    server: Server,
    client: Client,
    tmp_path: Path,
) -> Seller:
    return make_seller(request, server, client, tmp_path)


def test_submit_a_failure_acknowledgement_cancels_the_order(seller: Seller, client: Client) -> None:
    order = seller.order(item_payload(quantity=2), item_payload(quantity=1))
    submission_id = seller.submit(
        envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
    )
    seller.wait_done(submission_id)

    report = seller.driver.ok("result", id=submission_id)
    assert report == {
        "transactionId": submission_id,
        "statusCode": "Complete",
        "processed": 1,
        "successful": 1,
        "withError": 0,
        "results": list(client.report_codes),
    }
    view = seller.view(order)
    assert view["status"] == "Canceled"
    assert [i["quantity_cancelled"] for i in view["items"]] == [2, 1]


def test_list_by_next_token_count_and_cancel(seller: Seller) -> None:
    ids = [seller.submit(b"<broken") for _ in range(3)]
    for submission_id in ids:
        seller.wait_done(submission_id)

    assert seller.driver.ok("count", statuses=["_DONE_"]) == {"count": 3}

    first = seller.driver.ok("list", maxCount=2)
    assert first["hasNext"] is True
    assert first["nextToken"]
    rest = seller.driver.ok("next", token=first["nextToken"])
    assert (rest["hasNext"], rest["nextToken"]) == (False, None)
    listed = [i["id"] for i in first["submissions"] + rest["submissions"]]
    assert listed == ids[::-1]
    assert {i["status"] for i in first["submissions"] + rest["submissions"]} == {"_DONE_"}

    by_id = seller.driver.ok("list", ids=ids[:2])
    assert {i["id"] for i in by_id["submissions"]} == set(ids[:2])

    # The worker takes a feed within ~50 ms: these are all _DONE_, so none can be cancelled.
    assert seller.driver.ok("cancel", ids=ids) == {"count": 0, "submissions": []}


def test_unknown_submission_result_is_invalid_feed_submission_id(
    seller: Seller, client: Client
) -> None:
    outcome = seller.driver.call("result", id=UNKNOWN_ID)
    assert not outcome.ok
    error = outcome.error
    assert (error["kind"], error["code"], error["status"]) == (
        client.error_kind,
        "InvalidFeedSubmissionId",
        client.error_status,
    )


@pytest.mark.parametrize("client", [pytest.param(SCALELEAP_MWS, id="scaleleap-mws")])
def test_scaleleap_lists_one_submission_by_id(seller: Seller) -> None:
    """mws 2.0.11 sends a one-id list as ``FeedSubmissionIdList.Id=<id>`` (no ``.1``)."""
    ids = [seller.submit(b"<broken") for _ in range(2)]
    listed = seller.driver.ok("list", ids=ids[:1])
    assert [i["id"] for i in listed["submissions"]] == ids[:1]
