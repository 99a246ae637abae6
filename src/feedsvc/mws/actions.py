"""One thin handler per Feeds action: read parameters, call the feed service, return data."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from feedsvc.accounts.types import SellerAccount
from feedsvc.errors import (
    ContentMD5DoesNotMatch,
    ContentMD5Missing,
    InvalidFeedSubmissionId,
    InvalidParameterValue,
    InvalidRequest,
    MissingParameter,
)
from feedsvc.feeds.documents import FeedBody
from feedsvc.feeds.repository import SubmissionFilter
from feedsvc.feeds.service import FeedService, FeedUpload
from feedsvc.feeds.types import FeedProcessingStatus, SubmissionStatus
from feedsvc.mws import tokens
from feedsvc.mws.params import Params
from feedsvc.mws.serializer import Node, timestamp

LIST_WINDOW = timedelta(days=90)
CANCEL_WINDOW = timedelta(days=180)
MAX_SUBMISSION_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class MwsCall:
    """One authenticated request, as the handlers see it."""

    params: Params
    feed: FeedBody | None
    headers: Mapping[str, str]
    seller: SellerAccount
    feeds: FeedService
    now: datetime


@dataclass(frozen=True, slots=True)
class XmlAnswer:
    result: Node
    # SubmitFeed's new submission: logged once the action's transaction has committed.
    submitted: SubmissionStatus | None = None


@dataclass(frozen=True, slots=True)
class RawAnswer:
    """A body served as-is (processing reports), with its Content-MD5."""

    content: bytes
    content_type: str
    content_md5: str | None


Answer = XmlAnswer | RawAnswer


def submit_feed(call: MwsCall) -> Answer:
    params = call.params
    feed_type = params.required("FeedType")
    if call.feed is None or call.feed.size == 0:
        raise MissingParameter("FeedContent")
    header_md5 = (call.headers.get("content-md5") or "").strip() or None
    param_md5 = (params.get("ContentMD5Value") or "").strip() or None
    if header_md5 and param_md5 and header_md5 != param_md5:
        raise InvalidParameterValue(
            f"The Content-MD5 header ({header_md5}) and the ContentMD5Value parameter "
            f"({param_md5}) differ."
        )
    supplied = param_md5 or header_md5
    if supplied is None:
        raise ContentMD5Missing(
            "The ContentMD5Value parameter (or the Content-MD5 header) is required: "
            "the base64-encoded MD5 of the feed body."
        )
    actual = base64.b64encode(call.feed.md5_digest).decode("ascii")
    if supplied != actual:
        raise ContentMD5DoesNotMatch(
            f"the Content-MD5 HTTP header you passed for your feed ({supplied}) did not match "
            f"the Content-MD5 we calculated for your feed ({actual}); the body had "
            f"{call.feed.size} bytes."
        )
    submission = call.feeds.submit(
        call.seller,
        FeedUpload(
            feed_type=feed_type,
            body=call.feed,
            content_type=call.headers.get("content-type") or "text/xml",
            marketplace_ids=tuple(params.numbered("MarketplaceIdList.Id")),
        ),
    )
    return XmlAnswer([("FeedSubmissionInfo", submission_info(submission))], submitted=submission)


def get_feed_submission_list(call: MwsCall) -> Answer:
    params = call.params
    max_count = params.integer("MaxCount", default=10, minimum=1, maximum=100)
    where = _filter(params, call.now, window=LIST_WINDOW, with_ids=True, with_statuses=True)
    return _page(call, where, max_count=max_count, before_id=None)


def get_feed_submission_list_by_next_token(call: MwsCall) -> Answer:
    cursor = tokens.decode(call.params.required("NextToken"), seller_pk=call.seller.id)
    return _page(call, cursor.where, max_count=cursor.max_count, before_id=cursor.before_id)


def get_feed_submission_count(call: MwsCall) -> Answer:
    where = _filter(call.params, call.now, window=LIST_WINDOW, with_ids=False, with_statuses=True)
    return XmlAnswer([("Count", str(call.feeds.count(call.seller, where)))])


def cancel_feed_submissions(call: MwsCall) -> Answer:
    where = _filter(call.params, call.now, window=CANCEL_WINDOW, with_ids=True, with_statuses=False)
    count, cancelled = call.feeds.cancel(call.seller, where)
    return XmlAnswer(
        [("Count", str(count)), *(("FeedSubmissionInfo", submission_info(s)) for s in cancelled)]
    )


def get_feed_submission_result(call: MwsCall) -> Answer:
    raw_id = call.params.required("FeedSubmissionId")
    submission = call.feeds.get(call.seller, _submission_id(raw_id))
    if submission is None:
        raise InvalidFeedSubmissionId(raw_id)
    report = call.feeds.result(submission)
    return RawAnswer(report.content, report.content_type, report.content_md5)


ACTIONS: dict[str, Callable[[MwsCall], Answer]] = {
    "SubmitFeed": submit_feed,
    "GetFeedSubmissionList": get_feed_submission_list,
    "GetFeedSubmissionListByNextToken": get_feed_submission_list_by_next_token,
    "GetFeedSubmissionCount": get_feed_submission_count,
    "CancelFeedSubmissions": cancel_feed_submissions,
    "GetFeedSubmissionResult": get_feed_submission_result,
}
# Actions that change nothing (GetFeedSubmissionResult may fire a wrong-checksum fault).
READ_ONLY_ACTIONS = frozenset(
    {"GetFeedSubmissionList", "GetFeedSubmissionListByNextToken", "GetFeedSubmissionCount"}
)


def submission_info(submission: SubmissionStatus) -> Node:
    info: list[tuple[str, str | Node]] = [
        ("FeedSubmissionId", str(submission.id)),
        ("FeedType", submission.feed_type),
        ("SubmittedDate", timestamp(submission.submitted_at)),
        ("FeedProcessingStatus", submission.status),
    ]
    if submission.started_at is not None:
        info.append(("StartedProcessingDate", timestamp(submission.started_at)))
    if submission.completed_at is not None:
        info.append(("CompletedProcessingDate", timestamp(submission.completed_at)))
    return info


def _page(
    call: MwsCall, where: SubmissionFilter, *, max_count: int, before_id: int | None
) -> Answer:
    page = call.feeds.page(call.seller, where, max_count=max_count, before_id=before_id)
    result: list[tuple[str, str | Node]] = []
    if page.has_next:
        cursor = tokens.ListCursor(
            seller_pk=call.seller.id,
            before_id=page.submissions[-1].id,
            max_count=max_count,
            where=where,
        )
        result.append(("NextToken", tokens.encode(cursor)))
    result.append(("HasNext", "true" if page.has_next else "false"))
    result.extend(("FeedSubmissionInfo", submission_info(s)) for s in page.submissions)
    return XmlAnswer(result)


def _filter(
    params: Params, now: datetime, *, window: timedelta, with_ids: bool, with_statuses: bool
) -> SubmissionFilter:
    statuses: tuple[str, ...] = ()
    if with_statuses:
        statuses = tuple(params.numbered("FeedProcessingStatusList.Status"))
        known = set(FeedProcessingStatus)
        for status in statuses:
            if status not in known:
                raise InvalidParameterValue(
                    f"{status!r} is not a FeedProcessingStatus; use one of "
                    + ", ".join(sorted(known))
                    + "."
                )
    submitted_from = params.timestamp("SubmittedFromDate") or now - window
    submitted_to = params.timestamp("SubmittedToDate") or now
    if submitted_from > submitted_to:
        raise InvalidParameterValue("SubmittedFromDate must not be later than SubmittedToDate.")
    ids = (
        tuple(_submission_id(i) for i in params.numbered("FeedSubmissionIdList.Id"))
        if with_ids
        else ()
    )
    return SubmissionFilter(
        ids=ids,
        feed_types=tuple(params.numbered("FeedTypeList.Type")),
        statuses=statuses,
        submitted_from=submitted_from,
        submitted_to=submitted_to,
    )


def _submission_id(raw: str) -> int:
    value = raw.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 20:
        raise InvalidRequest(f"{raw} failed a validation check: {raw} is not a valid identifier.")
    number = int(value)
    return number if number <= MAX_SUBMISSION_ID else 0
