"""The MWS Feeds actions through the in-process HTTP interface."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from lxml import etree

from feedsvc.clock import FixedClock
from tests.conftest import FEED_ACK, FEED_ADJUSTMENT, Admin, Mws, xml_text, xml_texts
from tests.support import ack, content_md5, envelope, order_payload

NS = "{http://mws.amazonaws.com/doc/2009-01-01/}"


def error_code(response: Any) -> str:
    return xml_text(response.content, "Code")


def ack_feed(order_id: str) -> bytes:
    return envelope("OrderAcknowledgement", ack(order_id, "Failure"))


class TestSubmitFeed:
    def test_valid_feed_is_queued_and_answered_as_submitted(self, mws: Mws, admin: Admin) -> None:
        order = admin.order(order_payload(mws.seller["seller_id"]))
        response = mws.submit(ack_feed(order["amazon_order_id"]))
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/xml"
        root = etree.fromstring(response.content)
        assert root.tag == f"{NS}SubmitFeedResponse"
        info = root.find(f"{NS}SubmitFeedResult/{NS}FeedSubmissionInfo")
        assert info is not None
        assert info.findtext(f"{NS}FeedType") == FEED_ACK
        assert info.findtext(f"{NS}FeedProcessingStatus") == "_SUBMITTED_"
        request_id = root.findtext(f"{NS}ResponseMetadata/{NS}RequestId")
        assert request_id and response.headers["x-mws-request-id"] == request_id
        assert response.headers["x-mws-timestamp"].endswith("Z")

    def test_feed_is_applied_by_the_worker(self, mws: Mws, admin: Admin) -> None:
        order = admin.order(order_payload(mws.seller["seller_id"]))
        submission_id = mws.submit_and_process(ack_feed(order["amazon_order_id"]))
        status = mws.call("GetFeedSubmissionList", {"FeedSubmissionIdList.Id.1": submission_id})
        assert xml_text(status.content, "FeedProcessingStatus") == "_DONE_"
        assert xml_texts(status.content, "StartedProcessingDate")
        assert admin.get(f"/admin/orders/{order['amazon_order_id']}")["status"] == "Canceled"

    def test_content_md5_parameter_alone_is_accepted(self, mws: Mws) -> None:
        feed = ack_feed("111-1111111-1111111")
        response = mws.call(
            "SubmitFeed", {"FeedType": FEED_ACK, "ContentMD5Value": content_md5(feed)}, body=feed
        )
        assert response.status_code == 200, response.text

    @pytest.mark.parametrize(
        ("headers", "params", "code"),
        [
            pytest.param({}, {}, "ContentMD5Missing", id="missing"),
            pytest.param(
                {"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="},
                {},
                "ContentMD5DoesNotMatch",
                id="wrong-header",
            ),
            pytest.param(
                {},
                {"ContentMD5Value": "AAAAAAAAAAAAAAAAAAAAAA=="},
                "ContentMD5DoesNotMatch",
                id="wrong-param",
            ),
            pytest.param(
                {"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="},
                {"ContentMD5Value": "BBBBBBBBBBBBBBBBBBBBBB=="},
                "InvalidParameterValue",
                id="header-and-param-differ",
            ),
        ],
    )
    def test_content_md5_errors(
        self, mws: Mws, headers: dict[str, str], params: dict[str, str], code: str
    ) -> None:
        response = mws.call(
            "SubmitFeed",
            {"FeedType": FEED_ACK, **params},
            body=ack_feed("111-1111111-1111111"),
            headers=headers,
        )
        assert (response.status_code, error_code(response)) == (400, code)
        assert mws.call("GetFeedSubmissionCount").status_code == 200
        assert xml_text(mws.call("GetFeedSubmissionCount").content, "Count") == "0"

    def test_mismatch_message_shows_both_hashes(self, mws: Mws) -> None:
        feed = ack_feed("111-1111111-1111111")
        response = mws.call(
            "SubmitFeed",
            {"FeedType": FEED_ACK},
            body=feed,
            headers={"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="},
        )
        message = xml_text(response.content, "Message")
        assert "AAAAAAAAAAAAAAAAAAAAAA==" in message and content_md5(feed) in message

    @pytest.mark.parametrize(
        "feed_type",
        [
            pytest.param("_POST_PRODUCT_DATA_", id="other-amazon-type"),
            pytest.param("_NOT_A_FEED_", id="unknown"),
        ],
    )
    def test_unsupported_feed_type(self, mws: Mws, feed_type: str) -> None:
        response = mws.submit(ack_feed("111-1111111-1111111"), feed_type)
        assert (response.status_code, error_code(response)) == (400, "InvalidFeedType")
        assert FEED_ACK in xml_text(response.content, "Message")

    def test_missing_feed_type_and_body(self, mws: Mws) -> None:
        response = mws.call(
            "SubmitFeed", body=b"<x/>", headers={"Content-MD5": content_md5(b"<x/>")}
        )
        assert (error_code(response), xml_text(response.content, "Message")) == (
            "MissingParameter",
            "The request must contain the parameter FeedType.",
        )
        empty = mws.call("SubmitFeed", {"FeedType": FEED_ACK}, body=b"")
        assert error_code(empty) == "MissingParameter"

    def test_marketplaces_must_be_the_sellers(self, mws: Mws) -> None:
        feed = ack_feed("111-1111111-1111111")
        own = mws.call(
            "SubmitFeed",
            {"FeedType": FEED_ACK, "MarketplaceIdList.Id.1": "ATVPDKIKX0DER"},
            body=feed,
            headers={"Content-MD5": content_md5(feed)},
        )
        assert own.status_code == 200, own.text
        foreign = mws.call(
            "SubmitFeed",
            {"FeedType": FEED_ACK, "MarketplaceIdList.Id.1": "A1PA6795UKMFR9"},
            body=feed,
            headers={"Content-MD5": content_md5(feed)},
        )
        assert (foreign.status_code, error_code(foreign)) == (400, "InvalidMarketplace")
        assert "A1PA6795UKMFR9" in xml_text(foreign.content, "Message")

    def test_form_content_type_on_a_feed_is_not_parsed_as_a_form(self, mws: Mws) -> None:
        feed = ack_feed("111-1111111-1111111")
        response = mws.call(
            "SubmitFeed",
            {"FeedType": FEED_ACK},
            body=feed,
            headers={"Content-MD5": content_md5(feed), "Content-Type": "x-www-form-urlencoded"},
        )
        assert response.status_code == 200, response.text


class TestListAndCount:
    def submit_n(self, mws: Mws, count: int, feed_type: str = FEED_ACK) -> list[str]:
        ids = []
        for _ in range(count):
            response = mws.submit(ack_feed("111-1111111-1111111"), feed_type)
            ids.append(xml_text(response.content, "FeedSubmissionId"))
        return ids

    def test_pages_newest_first_with_next_token(self, mws: Mws) -> None:
        ids = self.submit_n(mws, 5)
        first = mws.call("GetFeedSubmissionList", {"MaxCount": "2"})
        assert xml_texts(first.content, "FeedSubmissionId") == ids[::-1][:2]
        assert xml_text(first.content, "HasNext") == "true"
        seen = xml_texts(first.content, "FeedSubmissionId")
        token = xml_text(first.content, "NextToken")
        while True:
            page = mws.call("GetFeedSubmissionListByNextToken", {"NextToken": token})
            assert (
                etree.fromstring(page.content).tag
                == f"{NS}GetFeedSubmissionListByNextTokenResponse"
            )
            seen += xml_texts(page.content, "FeedSubmissionId")
            if xml_text(page.content, "HasNext") == "false":
                assert not xml_texts(page.content, "NextToken")
                break
            token = xml_text(page.content, "NextToken")
        assert seen == ids[::-1]

    def test_filters_by_id_status_and_date(self, mws: Mws, clock: FixedClock) -> None:
        old = self.submit_n(mws, 1)
        clock.set(clock.now() + timedelta(days=1))
        new = self.submit_n(mws, 2)
        by_id = mws.call("GetFeedSubmissionList", {"FeedSubmissionIdList.Id.1": old[0]})
        assert xml_texts(by_id.content, "FeedSubmissionId") == old
        by_date = mws.call(
            "GetFeedSubmissionList",
            {"SubmittedFromDate": (clock.now() - timedelta(hours=1)).isoformat()},
        )
        assert xml_texts(by_date.content, "FeedSubmissionId") == new[::-1]
        done = mws.call("GetFeedSubmissionList", {"FeedProcessingStatusList.Status.1": "_DONE_"})
        assert xml_texts(done.content, "FeedSubmissionId") == []
        count = mws.call(
            "GetFeedSubmissionCount",
            {"FeedTypeList.Type.1": FEED_ACK, "FeedProcessingStatusList.Status.1": "_SUBMITTED_"},
        )
        assert xml_text(count.content, "Count") == "3"
        other_type = mws.call("GetFeedSubmissionCount", {"FeedTypeList.Type.1": FEED_ADJUSTMENT})
        assert xml_text(other_type.content, "Count") == "0"

    def test_default_window_is_ninety_days(self, mws: Mws, clock: FixedClock) -> None:
        self.submit_n(mws, 1)
        clock.set(clock.now() + timedelta(days=91))
        assert xml_text(mws.call("GetFeedSubmissionCount").content, "Count") == "0"

    @pytest.mark.parametrize(
        ("params", "code"),
        [
            pytest.param({"MaxCount": "101"}, "InvalidParameterValue", id="max-count-too-big"),
            pytest.param({"MaxCount": "ten"}, "InvalidParameterValue", id="max-count-text"),
            pytest.param(
                {"FeedProcessingStatusList.Status.1": "_DONE"}, "InvalidParameterValue", id="status"
            ),
            pytest.param({"FeedTypeList.Type.0": FEED_ACK}, "InvalidParameterValue", id="index-0"),
            pytest.param({"SubmittedFromDate": "yesterday"}, "InvalidParameterValue", id="date"),
            pytest.param(
                {
                    "SubmittedFromDate": "2026-01-02T00:00:00Z",
                    "SubmittedToDate": "2026-01-01T00:00:00Z",
                },
                "InvalidParameterValue",
                id="from-after-to",
            ),
            pytest.param(
                {"FeedSubmissionIdList.Id.1": "abc"}, "InvalidRequest", id="non-numeric-id"
            ),
        ],
    )
    def test_bad_parameters(self, mws: Mws, params: dict[str, str], code: str) -> None:
        response = mws.call("GetFeedSubmissionList", params)
        assert (response.status_code, error_code(response)) == (400, code)

    def test_one_value_list_without_its_index(self, mws: Mws) -> None:
        ids = self.submit_n(mws, 3)
        listed = mws.call("GetFeedSubmissionList", {"FeedSubmissionIdList.Id": ids[1]})
        assert xml_texts(listed.content, "FeedSubmissionId") == [ids[1]]
        cancelled = mws.call("CancelFeedSubmissions", {"FeedSubmissionIdList.Id": ids[0]})
        assert xml_text(cancelled.content, "Count") == "1"
        both = mws.call(
            "GetFeedSubmissionList",
            {"FeedSubmissionIdList.Id": ids[0], "FeedSubmissionIdList.Id.1": ids[1]},
        )
        assert error_code(both) == "InvalidParameterValue"

    def test_corrupt_or_foreign_next_token(self, mws: Mws, admin: Admin) -> None:
        bad = mws.call("GetFeedSubmissionListByNextToken", {"NextToken": "not-a-token"})
        assert error_code(bad) == "NextTokenCorrupted"
        self.submit_n(mws, 2)
        token = xml_text(mws.call("GetFeedSubmissionList", {"MaxCount": "1"}).content, "NextToken")
        other = Mws(mws.client, admin.seller(), mws.app)
        stolen = other.call("GetFeedSubmissionListByNextToken", {"NextToken": token})
        assert error_code(stolen) == "NextTokenCorrupted"

    def test_sellers_see_only_their_own_submissions(self, mws: Mws, admin: Admin) -> None:
        ids = self.submit_n(mws, 1)
        other = Mws(mws.client, admin.seller(), mws.app)
        listed = other.call("GetFeedSubmissionList", {"FeedSubmissionIdList.Id.1": ids[0]})
        assert xml_texts(listed.content, "FeedSubmissionId") == []
        result = other.call("GetFeedSubmissionResult", {"FeedSubmissionId": ids[0]})
        assert error_code(result) == "InvalidFeedSubmissionId"


class TestCancel:
    def test_cancels_only_submitted_feeds(self, mws: Mws) -> None:
        waiting = xml_text(mws.submit(ack_feed("111-1111111-1111111")).content, "FeedSubmissionId")
        done = mws.submit_and_process(ack_feed("111-1111111-1111111"))
        queued = xml_text(mws.submit(ack_feed("111-1111111-1111111")).content, "FeedSubmissionId")
        response = mws.call(
            "CancelFeedSubmissions",
            {"FeedSubmissionIdList.Id.1": queued, "FeedSubmissionIdList.Id.2": done},
        )
        assert xml_text(response.content, "Count") == "1"
        assert xml_texts(response.content, "FeedSubmissionId") == [queued]
        assert xml_text(response.content, "FeedProcessingStatus") == "_CANCELLED_"
        result = mws.call("GetFeedSubmissionResult", {"FeedSubmissionId": queued})
        assert (result.status_code, error_code(result)) == (400, "FeedCanceled")
        # The worker never applies a cancelled feed.
        while mws.app.state.worker.run_once():
            pass
        statuses = mws.call("GetFeedSubmissionList", {"FeedSubmissionIdList.Id.1": waiting})
        assert xml_text(statuses.content, "FeedProcessingStatus") == "_DONE_"
        cancelled = mws.call("GetFeedSubmissionList", {"FeedSubmissionIdList.Id.1": queued})
        assert xml_text(cancelled.content, "FeedProcessingStatus") == "_CANCELLED_"

    def test_without_ids_cancels_every_waiting_feed_of_the_seller(self, mws: Mws) -> None:
        for _ in range(3):
            mws.submit(ack_feed("111-1111111-1111111"))
        response = mws.call("CancelFeedSubmissions")
        assert xml_text(response.content, "Count") == "3"
        assert xml_text(mws.call("CancelFeedSubmissions").content, "Count") == "0"


class TestResult:
    def test_report_with_content_md5(self, mws: Mws, admin: Admin) -> None:
        order = admin.order(order_payload(mws.seller["seller_id"]))
        submission_id = mws.submit_and_process(ack_feed(order["amazon_order_id"]))
        response = mws.call("GetFeedSubmissionResult", {"FeedSubmissionId": submission_id})
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/xml"
        assert response.headers["content-md5"] == content_md5(response.content)
        root = etree.fromstring(response.content)
        assert root.tag == "AmazonEnvelope"
        assert root.findtext("Message/ProcessingReport/DocumentTransactionID") == submission_id

    def test_not_ready_unknown_and_malformed_ids(self, mws: Mws) -> None:
        waiting = xml_text(mws.submit(ack_feed("111-1111111-1111111")).content, "FeedSubmissionId")
        not_ready = mws.call("GetFeedSubmissionResult", {"FeedSubmissionId": waiting})
        assert (not_ready.status_code, error_code(not_ready)) == (
            404,
            "FeedProcessingResultNotReady",
        )
        assert xml_text(not_ready.content, "Message") == (
            f"Feed Submission Result is not ready for Feed Submission Id: {waiting}"
        )
        unknown = mws.call("GetFeedSubmissionResult", {"FeedSubmissionId": "99999999999"})
        assert (unknown.status_code, error_code(unknown)) == (400, "InvalidFeedSubmissionId")
        malformed = mws.call("GetFeedSubmissionResult", {"FeedSubmissionId": "12ab"})
        assert error_code(malformed) == "InvalidRequest"
        missing = mws.call("GetFeedSubmissionResult")
        assert error_code(missing) == "MissingParameter"


class TestProtocol:
    @pytest.mark.parametrize("path", ["/", "/Feeds/2009-01-01"])
    @pytest.mark.parametrize("method", ["GET", "POST"])
    def test_both_paths_and_methods(self, mws: Mws, path: str, method: str) -> None:
        response = mws.call("GetFeedSubmissionCount", method=method, path=path, form=False)
        assert response.status_code == 200, response.text
        assert xml_text(response.content, "Count") == "0"

    def test_form_body_parameters(self, mws: Mws) -> None:
        assert mws.call("GetFeedSubmissionCount", form=True).status_code == 200

    def test_unknown_action_and_version(self, mws: Mws) -> None:
        assert error_code(mws.call("GetReport")) == "InvalidAction"
        assert error_code(mws.call("GetFeedSubmissionCount", {"Version": "2011-01-01"})) == (
            "InvalidParameterValue"
        )

    def test_error_response_shape(self, mws: Mws) -> None:
        response = mws.call("GetFeedSubmissionResult")
        root = etree.fromstring(response.content)
        assert root.tag == f"{NS}ErrorResponse"
        assert [child.tag.removeprefix(NS) for child in root] == ["Error", "RequestID"]
        error = root.find(f"{NS}Error")
        assert error is not None
        assert [c.tag.removeprefix(NS) for c in error] == ["Type", "Code", "Message", "Detail"]
        assert error.findtext(f"{NS}Type") == "Sender"
        assert root.findtext(f"{NS}RequestID") == response.headers["x-mws-request-id"]

    def test_unknown_credentials(self, mws: Mws) -> None:
        unknown_key = mws.signed({**mws.params("GetFeedSubmissionCount"), "AWSAccessKeyId": "NOPE"})
        response = mws.client.post("/", params=unknown_key)
        assert (response.status_code, error_code(response)) == (403, "InvalidAccessKeyId")
        no_seller = {
            k: v for k, v in mws.params("GetFeedSubmissionCount").items() if k != "SellerId"
        }
        missing = mws.client.post("/", params=mws.signed(no_seller))
        assert error_code(missing) == "MissingParameter"
        merchant = mws.signed({**no_seller, "Merchant": mws.seller["seller_id"]})
        assert mws.client.post("/", params=merchant).status_code == 200

    def test_key_of_another_seller_is_denied(self, mws: Mws, admin: Admin) -> None:
        other = admin.seller()
        params = mws.signed(
            {**mws.params("GetFeedSubmissionCount"), "SellerId": other["seller_id"]}
        )
        response = mws.client.post("/", params=params)
        assert (response.status_code, error_code(response)) == (401, "AccessDenied")

    def test_unknown_path_is_invalid_address(self, mws: Mws) -> None:
        response = mws.client.post("/Orders/2013-09-01", params=mws.params("ListOrders"))
        assert (response.status_code, error_code(response)) == (404, "InvalidAddress")

    @pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
    def test_other_methods_get_an_mws_error(self, mws: Mws, method: str) -> None:
        response = mws.client.request(method, "/Feeds/2009-01-01")
        assert (response.status_code, error_code(response)) == (405, "InvalidRequest")
        assert response.headers["allow"] == "GET, POST"
        assert response.headers["x-mws-request-id"]

    def test_bare_get_is_a_ping(self, mws: Mws) -> None:
        response = mws.client.get("/")
        root = etree.fromstring(response.content)
        assert root.tag == f"{NS}PingResponse"
        assert root.find(f"{NS}Timestamp") is not None

    def test_leading_question_ampersand_and_unknown_params(self, mws: Mws) -> None:
        params = mws.signed(mws.params("GetFeedSubmissionCount", {"responseFormat": "xml"}))
        response = mws.client.post("/?&" + urlencode(params))
        assert response.status_code == 200, response.text


def test_health(mws: Mws) -> None:
    assert mws.client.get("/health").json() == {"status": "ok", "database": "ok"}
