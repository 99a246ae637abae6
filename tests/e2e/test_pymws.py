"""The PyPI ``pymws`` 0.2.0 client, unchanged, against a real feedsvc server process.

pymws signs ``ContentMD5Value`` (no Content-MD5 header), calls ``/Feeds/2009-01-01``,
POSTs only SubmitFeed and GETs the rest, and returns lxml.objectify elements: the
``<Action>Result`` of an XML response, or the whole document (a processing report).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pymws
import pytest
from lxml import objectify

from tests.e2e.conftest import Server
from tests.support import ack, ack_item, envelope, item_payload, order_payload

pytestmark = pytest.mark.e2e

ACK = "_POST_ORDER_ACKNOWLEDGEMENT_DATA_"
STATUSES = {"_SUBMITTED_", "_IN_PROGRESS_", "_DONE_"}
UNKNOWN_ID = "99999999999"


class Seller:
    """A seller with a real ``pymws.MWS`` client pointed at the server."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.account = server.seller()
        self.seller_id: str = self.account["seller_id"]
        self.client = pymws.MWS(
            "US",
            merchant_id=self.seller_id,
            access_key_id=self.account["access_key_id"],
            secret_key=self.account["secret_key"],
        )
        # pymws has no endpoint option: its documented way is to replace the marketplace.
        self.client.marketplace = self.client.marketplace._replace(endpoint=server.base_url)

    @property
    def feeds(self) -> Any:
        return self.client.feeds

    def order(self, *items: dict[str, Any]) -> dict[str, Any]:
        return self.server.order(order_payload(self.seller_id, items=list(items) or None))

    def submit(self, feed: bytes) -> str:
        info = self.feeds.submit_feed(feed, ACK).FeedSubmissionInfo
        assert info.FeedType == ACK
        assert info.FeedProcessingStatus in STATUSES
        return str(info.FeedSubmissionId)

    def wait_done(self, submission_id: str) -> Any:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            listed = self.feeds.get_feed_submission_list(FeedSubmissionIdList=[submission_id])
            [info] = listed.FeedSubmissionInfo
            assert str(info.FeedSubmissionId) == submission_id
            if info.FeedProcessingStatus == "_DONE_":
                return info
            time.sleep(0.05)
        raise AssertionError(f"feed {submission_id} did not finish")

    def view(self, order: dict[str, Any]) -> Any:
        return self.server.get(f"/admin/orders/{order['amazon_order_id']}")

    def close(self) -> None:
        self.client.session.close()


@pytest.fixture
def seller(server: Server) -> Iterator[Seller]:
    seller = Seller(server)
    yield seller
    seller.close()


def test_submit_a_failure_acknowledgement_and_read_the_report(seller: Seller) -> None:
    order = seller.order(item_payload(quantity=2), item_payload(quantity=1))
    submission_id = seller.submit(
        envelope("OrderAcknowledgement", ack(order["amazon_order_id"], "Failure"))
    )
    seller.wait_done(submission_id)

    report = seller.feeds.get_feed_submission_result(submission_id)
    assert report.tag == "AmazonEnvelope"
    processing = report.Message.ProcessingReport
    assert processing.DocumentTransactionID == int(submission_id)
    assert processing.StatusCode == "Complete"
    summary = processing.ProcessingSummary
    assert (summary.MessagesProcessed, summary.MessagesSuccessful, summary.MessagesWithError) == (
        1,
        1,
        0,
    )
    view = seller.view(order)
    assert view["status"] == "Canceled"
    assert [i["quantity_cancelled"] for i in view["items"]] == [2, 1]


def test_report_names_the_rejected_item(seller: Seller) -> None:
    order = seller.order(item_payload(quantity=1))
    code = order["items"][0]["amazon_order_item_code"]
    cancel = ack(order["amazon_order_id"], "Failure", ack_item(code, "NoInventory"))
    seller.wait_done(seller.submit(envelope("OrderAcknowledgement", cancel)))
    again = seller.submit(envelope("OrderAcknowledgement", cancel))
    seller.wait_done(again)

    processing = seller.feeds.get_feed_submission_result(again).Message.ProcessingReport
    assert processing.ProcessingSummary.MessagesWithError == 1
    result = processing.Result
    assert result.ResultCode == "Error"
    assert str(result.AdditionalInfo.AmazonOrderID) == order["amazon_order_id"]
    assert str(result.AdditionalInfo.AmazonOrderItemCode) == code


def test_list_by_next_token_count_and_cancel(seller: Seller) -> None:
    ids = [seller.submit(b"<broken") for _ in range(3)]
    for submission_id in ids:
        seller.wait_done(submission_id)

    # pymws passes keyword arguments through: list parameters take their MWS names.
    count = seller.feeds.get_feed_submission_count(
        **{"FeedProcessingStatusList.Status.1": "_DONE_"}
    )
    assert count.Count == 3

    first = seller.feeds.get_feed_submission_list(MaxCount=2)
    assert first.HasNext.pyval is True  # objectify reads "true" as a bool
    listed = [str(i.FeedSubmissionId) for i in first.FeedSubmissionInfo]
    rest = seller.feeds.get_feed_submission_list_by_next_token(str(first.NextToken))
    assert rest.tag.endswith("GetFeedSubmissionListByNextTokenResult")
    assert rest.HasNext.pyval is False
    listed += [str(i.FeedSubmissionId) for i in rest.FeedSubmissionInfo]
    assert listed == ids[::-1]

    by_id = seller.feeds.get_feed_submission_list(FeedSubmissionIdList=ids[:2])
    assert {str(i.FeedSubmissionId) for i in by_id.FeedSubmissionInfo} == set(ids[:2])

    # The worker takes a feed within ~50 ms: these are all _DONE_, so none can be cancelled.
    cancelled = seller.feeds.cancel_feed_submissions(
        **{f"FeedSubmissionIdList.Id.{n}": i for n, i in enumerate(ids, start=1)}
    )
    assert cancelled.tag.endswith("CancelFeedSubmissionsResult")
    assert cancelled.Count == 0


def test_unknown_submission_result_is_invalid_feed_submission_id(seller: Seller) -> None:
    # pymws raises a plain MWSError with the raw body for any non-200 but 401 and 503.
    with pytest.raises(pymws.MWSError) as caught:
        seller.feeds.get_feed_submission_result(UNKNOWN_ID)
    assert type(caught.value) is pymws.MWSError
    error = objectify.fromstring(str(caught.value).encode()).Error
    assert (error.Type, error.Code) == ("Sender", "InvalidFeedSubmissionId")
    assert UNKNOWN_ID in str(error.Message)
