"""The PyPI ``boto`` 2.49.0 MWS client, unchanged, against a real feedsvc server process.

boto signs the bare host without the port, sends every Feeds call as a POST to ``/`` with
the parameters in the query string, and maps an ``ErrorResponse`` code to an exception
class of ``boto.mws.exception``.
"""

from __future__ import annotations

import importlib.util
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import Server
from tests.support import ack, envelope, item_payload, order_payload

# boto 2 imports `imp` (DeprecationWarning), and its vendored six 1.9 import hook, which
# resolves boto's own `six.moves` imports, lacks find_spec (ImportWarning); the suite turns
# warnings into errors, at collection too.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"boto(\.|$)")
    warnings.filterwarnings("ignore", message=r"_SixMetaPathImporter", category=ImportWarning)
    try:
        from boto.mws.connection import MWSConnection
        from boto.mws.exception import ResponseError
        from boto.vendored import six as boto_six
    except ImportError as missing:  # boto 2 needs `imp`, gone in Python 3.12
        pytest.skip(f"boto 2 does not import here: {missing}", allow_module_level=True)


def _give_boto_six_pep451_methods() -> None:
    """Give boto's vendored six import hook the PEP 451 methods that six >= 1.16 has.

    boto leaves that hook on ``sys.meta_path`` for the rest of the session, and Python 3.11
    warns (ImportWarning) for every import that reaches a finder without ``find_spec``: any
    failed optional import anywhere (urllib3 probing for brotlicffi, ...) would then error
    in an unrelated test. Only the import hook changes; boto's MWS code runs as shipped.
    """
    importer: Any = boto_six._SixMetaPathImporter
    if hasattr(importer, "find_spec"):
        return

    def find_spec(self: Any, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname in self.known_modules:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self: Any, spec: Any) -> Any:
        return self.load_module(spec.name)

    def exec_module(self: Any, module: Any) -> None:
        return None

    importer.find_spec = find_spec
    importer.create_module = create_module
    importer.exec_module = exec_module


_give_boto_six_pep451_methods()

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:the imp module is deprecated:DeprecationWarning"),
]

ACK = "_POST_ORDER_ACKNOWLEDGEMENT_DATA_"
STATUSES = {"_SUBMITTED_", "_IN_PROGRESS_", "_DONE_"}
UNKNOWN_ID = "99999999999"


class Seller:
    """A seller with a real ``boto`` ``MWSConnection`` pointed at the server."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.account = server.seller()
        self.seller_id: str = self.account["seller_id"]
        host, port = server.base_url.removeprefix("http://").split(":")
        self.mws = MWSConnection(
            aws_access_key_id=self.account["access_key_id"],
            aws_secret_access_key=self.account["secret_key"],
            Merchant=self.seller_id,
            host=host,
            port=int(port),
            is_secure=False,
        )

    def order(self, *items: dict[str, Any]) -> dict[str, Any]:
        return self.server.order(order_payload(self.seller_id, items=list(items) or None))

    def submit(self, feed: bytes) -> str:
        submitted = self.mws.submit_feed(FeedType=ACK, FeedContent=feed, content_type="text/xml")
        info = submitted.SubmitFeedResult.FeedSubmissionInfo
        assert info.FeedType == ACK
        assert info.FeedProcessingStatus in STATUSES
        submission_id: str = info.FeedSubmissionId
        return submission_id

    def wait_done(self, submission_id: str) -> Any:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            listed = self.mws.get_feed_submission_list(FeedSubmissionIdList=[submission_id])
            [info] = listed.GetFeedSubmissionListResult.FeedSubmissionInfo
            assert info.FeedSubmissionId == submission_id
            if info.FeedProcessingStatus == "_DONE_":
                return info
            time.sleep(0.05)
        raise AssertionError(f"feed {submission_id} did not finish")

    def view(self, order: dict[str, Any]) -> Any:
        return self.server.get(f"/admin/orders/{order['amazon_order_id']}")

    def close(self) -> None:
        # boto's close() is a no-op and its pool never closes a socket: close them here, or
        # they raise ResourceWarning when collected (in whatever test runs then).
        for pool in self.mws._pool.host_to_pool.values():
            for connection, _ in pool.queue:
                connection.close()
            pool.queue.clear()


@pytest.fixture
def seller(server: Server) -> Iterator[Seller]:
    seller = Seller(server)
    yield seller
    seller.close()


def test_submit_a_failure_acknowledgement_cancels_the_order(seller: Seller) -> None:
    order = seller.order(item_payload(quantity=2), item_payload(quantity=1))
    submission_id = seller.submit(
        envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
    )
    info = seller.wait_done(submission_id)
    assert info.FeedType == ACK
    assert info.CompletedProcessingDate
    view = seller.view(order)
    assert view["status"] == "Canceled"
    assert [i["quantity_cancelled"] for i in view["items"]] == [2, 1]


def test_list_by_next_token_count_and_cancel(seller: Seller) -> None:
    ids = [seller.submit(b"<broken") for _ in range(3)]
    for submission_id in ids:
        seller.wait_done(submission_id)

    count = seller.mws.get_feed_submission_count(FeedProcessingStatusList=["_DONE_"])
    assert count.GetFeedSubmissionCountResult.Count == "3"

    first = seller.mws.get_feed_submission_list(MaxCount="2").GetFeedSubmissionListResult
    assert first.HasNext == "true"
    listed = [i.FeedSubmissionId for i in first.FeedSubmissionInfo]
    rest = seller.mws.get_feed_submission_list_by_next_token(NextToken=first.NextToken)
    last = rest.GetFeedSubmissionListByNextTokenResult
    assert last.HasNext == "false"
    listed += [i.FeedSubmissionId for i in last.FeedSubmissionInfo]
    assert listed == ids[::-1]

    by_id = seller.mws.get_feed_submission_list(FeedSubmissionIdList=ids[:2])
    infos = by_id.GetFeedSubmissionListResult.FeedSubmissionInfo
    assert {i.FeedSubmissionId for i in infos} == set(ids[:2])

    # The worker takes a feed within ~50 ms: these are all _DONE_, so none can be cancelled.
    cancelled = seller.mws.cancel_feed_submissions(FeedSubmissionIdList=ids)
    result = cancelled.CancelFeedSubmissionsResult
    assert result.Count == "0"
    assert list(result.FeedSubmissionInfo) == []


def test_unknown_submission_result_is_invalid_feed_submission_id(
    seller: Seller, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ResponseError) as caught:
        seller.mws.get_feed_submission_result(FeedSubmissionId=UNKNOWN_ID)
    error = caught.value
    assert type(error).__name__ == "InvalidFeedSubmissionId"
    assert (error.status, error.error_code) == (400, "InvalidFeedSubmissionId")
    assert UNKNOWN_ID in error.message
    # boto's error factory prints the class name it picked.
    assert capsys.readouterr().out.strip() == "InvalidFeedSubmissionId"


def submit_cancellation(seller: Seller) -> tuple[dict[str, Any], str]:
    order = seller.order()
    submission_id = seller.submit(
        envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
    )
    seller.wait_done(submission_id)
    return order, submission_id


def assert_parsed_report(report: Any, submission_id: str) -> None:
    """boto SAX-parses a text/xml report into one flattened element (its own parsing)."""
    assert report.MessageType == "ProcessingReport"
    assert report.DocumentTransactionID == submission_id
    assert report.StatusCode == "Complete"
    assert (report.MessagesProcessed, report.MessagesSuccessful, report.MessagesWithError) == (
        "1",
        "1",
        "0",
    )


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason=(
        "boto bug #3638: on Python 3, MWSConnection._post_request does "
        "`assert content_md5(body) == digest`, comparing the bytes of the base64 MD5 with "
        "the str Content-MD5 header, so a GetFeedSubmissionResult carrying Content-MD5 "
        "(even a correct one, as feedsvc sends by default) raises AssertionError"
    ),
)
def test_get_feed_submission_result_with_content_md5(seller: Seller) -> None:
    order, submission_id = submit_cancellation(seller)
    assert_parsed_report(
        seller.mws.get_feed_submission_result(FeedSubmissionId=submission_id), submission_id
    )
    assert seller.view(order)["status"] == "Canceled"


def test_get_feed_submission_result_without_content_md5(seller: Seller) -> None:
    response = seller.server.admin.patch(
        f"/admin/sellers/{seller.seller_id}", json={"send_result_content_md5": False}
    )
    assert response.status_code == 200, response.text
    order, submission_id = submit_cancellation(seller)
    assert_parsed_report(
        seller.mws.get_feed_submission_result(FeedSubmissionId=submission_id), submission_id
    )
    assert seller.view(order)["status"] == "Canceled"
