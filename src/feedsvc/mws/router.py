"""HTTP entry points of the MWS Feeds API (``/`` and ``/Feeds/2009-01-01``, GET and POST)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from feedsvc.accounts.types import SellerAccount
from feedsvc.clock import Clock, SystemClock
from feedsvc.db.engine import WriterBusy, read_transaction, transaction
from feedsvc.errors import (
    InternalError,
    InvalidAction,
    InvalidParameterValue,
    MwsError,
)
from feedsvc.faults.models import ERROR_FAULTS
from feedsvc.faults.repository import FaultRepository
from feedsvc.feeds.documents import FeedBody
from feedsvc.feeds.service import IN_MEMORY_BYTES, FeedService
from feedsvc.logs import REQUEST_ID
from feedsvc.metrics import Metrics
from feedsvc.mws.actions import (
    ACTIONS,
    READ_ONLY_ACTIONS,
    Answer,
    MwsCall,
    RawAnswer,
    XmlAnswer,
)
from feedsvc.mws.auth import authenticate
from feedsvc.mws.guards import (
    injected_error,
    iso_milliseconds,
    refuse_when_spent,
    result_checksum,
)
from feedsvc.mws.params import Params, parse_query
from feedsvc.mws.serializer import render_error, render_ping, render_result
from feedsvc.mws.signature import RequestTarget
from feedsvc.throttling.policy import Decision
from feedsvc.throttling.service import admit, throttled
from feedsvc.xml.schemas import SchemaRegistry

log = logging.getLogger(__name__)

API_VERSION = "2009-01-01"
PATHS = ("/", "/Feeds/2009-01-01")
MAX_FORM_BYTES = 1024 * 1024
# SubmitFeed bodies up to this size are handled on the event loop when the database can
# take the write at once (see MwsApi._handle_inline); larger ones always go to a thread.
INLINE_FEED_BYTES = 64 * 1024
XML_CONTENT_TYPE = "text/xml"


_QUERY_PARAMETERS = [
    {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
    for name in (
        "Action", "AWSAccessKeyId", "SellerId", "Merchant", "MWSAuthToken", "SignatureMethod",
        "SignatureVersion", "Signature", "Timestamp", "Version", "FeedType", "FeedSubmissionId",
        "MaxCount", "NextToken", "SubmittedFromDate", "SubmittedToDate", "ContentMD5Value",
    )
]  # fmt: skip
_OPENAPI_EXTRA: dict[str, dict[str, Any]] = {
    "GET": {"parameters": _QUERY_PARAMETERS},
    "POST": {
        "parameters": _QUERY_PARAMETERS,
        "requestBody": {
            "required": False,
            "content": {
                "text/xml": {"schema": {"type": "string"}},
                "text/tab-separated-values": {"schema": {"type": "string"}},
                "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
            },
        },
    },
}


@dataclass(frozen=True, slots=True)
class MwsRequest:
    """What the handler needs from HTTP, read off the event loop."""

    target: RequestTarget
    params: Params
    feed: FeedBody | None  # SubmitFeed's body, spooled to disk when large
    headers: Mapping[str, str]


class MwsApi:
    """Dispatches MWS requests to the action table, one transaction per request."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        clock: Clock,
        schemas: SchemaRegistry,
        max_feed_bytes: int,
        verify_signatures: bool = True,
        on_enqueue: Callable[[], None] = lambda: None,
        metrics: Metrics | None = None,
        in_memory_validation_bytes: int = IN_MEMORY_BYTES,
        write_lane: Callable[[], AbstractContextManager[bool]] = lambda: nullcontext(False),
        inline_feed_bytes: int = INLINE_FEED_BYTES,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        # Signatures are fresh by the real time, whatever the service clock says.
        self._wall_clock = SystemClock()
        self._verify_signatures = verify_signatures
        self._metrics = metrics
        self._in_memory_bytes = in_memory_validation_bytes
        self._schemas = schemas
        self.max_feed_bytes = max_feed_bytes
        self._on_enqueue = on_enqueue
        self._write_lane = write_lane
        self._inline_feed_bytes = inline_feed_bytes

    def router(self) -> APIRouter:
        router = APIRouter(tags=["MWS Feeds API"])
        for path, name in zip(PATHS, ("Root", "Feeds"), strict=True):
            for method in ("GET", "POST"):
                router.add_api_route(
                    path,
                    self.endpoint,
                    methods=[method],
                    summary="MWS Feeds API (dispatches on the Action parameter)",
                    description=(
                        "Query parameters (or, except for SubmitFeed, a form body) as MWS "
                        "defines them, signed with Signature Version 2. SubmitFeed's body is "
                        "the feed itself. Answers are MWS XML documents; failures are "
                        "ErrorResponse documents."
                    ),
                    operation_id=f"mws{name}{method.title()}",
                    response_class=Response,
                    responses={
                        200: {"description": "An MWS response", "content": {XML_CONTENT_TYPE: {}}},
                        "4XX": {"description": "An MWS ErrorResponse"},
                    },
                    openapi_extra=_OPENAPI_EXTRA[method],
                )
        return router

    async def endpoint(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        token = REQUEST_ID.set(request_id)
        action = "unknown"
        try:
            try:
                mws_request = await self._read(request)
                action = mws_request.params.get("Action") or action
                try:
                    response = self._handle_inline(mws_request, request_id)
                    if response is None:
                        response = await run_in_threadpool(self.handle, mws_request, request_id)
                finally:
                    if mws_request.feed is not None:
                        mws_request.feed.close()
            except MwsError as error:
                response = self._error(error, request_id)
            if self._metrics is not None:
                label = action if action in ACTIONS else "unknown"
                self._metrics.http_requests.labels(label, str(response.status_code)).inc()
            return response
        finally:
            REQUEST_ID.reset(token)

    def _handle_inline(self, request: MwsRequest, request_id: str) -> Response | None:
        """Handle a small SubmitFeed on the event loop when nothing would wait; None when
        it must go to a thread.

        Handing a request to a thread and back costs more CPU than a small SubmitFeed's
        own work (docs/design.md, "Small SubmitFeeds on the event loop"). It is done here only
        while the database takes the write without waiting: on SQLite when no other
        writer of this process is busy, and until another process's write lock turns
        the first BEGIN away (nothing is written then, and a thread takes the request).
        Other databases, larger feeds and other actions always go to a thread.
        """
        if request.feed is None or request.feed.size > self._inline_feed_bytes:
            return None
        with self._write_lane() as free:
            if not free:
                return None
            try:
                return self.handle(request, request_id)
            except WriterBusy:
                return None

    async def _read(self, request: Request) -> MwsRequest:
        query = parse_query(request.url.query)
        is_feed = query.get("Action") == "SubmitFeed"
        limit = self.max_feed_bytes if is_feed else MAX_FORM_BYTES
        feed = FeedBody() if is_feed else None
        try:
            form = await self._body(
                request, feed, limit=limit, what="feed" if is_feed else "request body"
            )
            params = dict(query)
            content_type = request.headers.get("content-type", "")
            if not is_feed and "x-www-form-urlencoded" in content_type and form:
                params = {**parse_query(form), **query}
            if any("\x00" in key or "\x00" in value for key, value in params.items()):
                raise InvalidParameterValue("Parameter names and values must not contain NUL.")
        except BaseException:
            if feed is not None:
                feed.close()
            raise
        return MwsRequest(
            target=RequestTarget(
                method=request.method,
                scheme=request.url.scheme,
                host=request.headers.get("host", ""),
                path=request.scope.get("raw_path", b"/").decode("latin-1") or "/",
            ),
            params=Params(params),
            feed=feed,
            headers=dict(request.headers),
        )

    @staticmethod
    async def _body(request: Request, feed: FeedBody | None, *, limit: int, what: str) -> bytes:
        """Read the body within ``limit``: into ``feed`` (a SubmitFeed body), else returned."""
        form = bytearray()
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise InvalidParameterValue(
                    f"The {what} is larger than the {limit} bytes this service accepts."
                )
            if feed is not None:
                feed.write(chunk)
            else:
                form.extend(chunk)
        return bytes(form)

    def handle(self, request: MwsRequest, request_id: str) -> Response:
        """Authenticate, apply quotas and faults, run the action, render the answer."""
        params = request.params
        if request.target.method == "GET" and not params.as_dict():
            return self._xml(render_ping(self._wall_clock.now()), request_id)
        quota: Decision | None = None
        try:
            action_name = params.required("Action")
            action = ACTIONS.get(action_name)
            if action is None:
                raise InvalidAction(f"{action_name} is not a Feeds API action.")
            version = params.required("Version")
            if version != API_VERSION:
                raise InvalidParameterValue(
                    f"Version {version} is not supported; the Feeds API version is {API_VERSION}."
                )
            # One transaction authenticates and runs the action, unless the seller has
            # quotas or faults to spend: those are spent in a transaction of their own
            # first, so that a request that fails afterwards still counted, as it did at
            # Amazon (the action then runs in a third).
            now = self._wall_clock.now()
            target = request.target if self._verify_signatures else None
            unit = read_transaction if action_name in READ_ONLY_ACTIONS else transaction
            answer: Answer | None = None
            with unit(self._sessions) as session:
                caller = authenticate(
                    session, params, target=target, now=now, operation=action_name
                )
                seller = caller.seller
                if not (throttled(seller, action_name) or caller.error_fault_armed):
                    answer = self._run(session, action, request, seller)
            if answer is None:
                with transaction(self._sessions) as session:
                    quota = admit(session, seller, action_name, now=now)
                    fault = FaultRepository(session).consume(
                        seller.id, ERROR_FAULTS, operation=action_name
                    )
                refuse_when_spent(quota, action_name)
                if fault is not None:
                    raise injected_error(fault, action_name, quota)
                with unit(self._sessions) as session:
                    answer = self._run(session, action, request, seller)
        except MwsError as error:
            return self._error(error, request_id, quota)
        except WriterBusy:
            raise  # nothing was written: the request is handed to a thread
        except Exception:
            log.exception("MWS request failed", extra={"request_id": request_id})
            internal = InternalError("We encountered an internal error.")
            return self._error(internal, request_id, quota)
        if isinstance(answer, XmlAnswer) and answer.submitted is not None:
            self._on_enqueue()
            submitted = answer.submitted
            log.info(
                "feed submitted",
                extra={
                    "submission_id": submitted.id,
                    "feed_type": submitted.feed_type,
                    "status": submitted.status,
                    "seller_id": seller.seller_id,
                    "bytes": request.feed.size if request.feed is not None else 0,
                },
            )
        if isinstance(answer, RawAnswer):
            headers = {"Content-Type": answer.content_type}
            if answer.content_md5 is not None:
                headers["Content-MD5"] = answer.content_md5
            return self._stamp(Response(answer.content, headers=headers), request_id, quota)
        body = render_result(action_name, answer.result, request_id)
        return self._xml(body, request_id, quota=quota)

    def _run(
        self,
        session: Session,
        action: Callable[[MwsCall], Answer],
        request: MwsRequest,
        seller: SellerAccount,
    ) -> Answer:
        call = MwsCall(
            params=request.params,
            feed=request.feed,
            headers=request.headers,
            seller=seller,
            feeds=FeedService(
                session,
                clock=self._clock,
                schemas=self._schemas,
                in_memory_bytes=self._in_memory_bytes,
            ),
            now=self._clock.now(),
        )
        answer = action(call)
        if isinstance(answer, RawAnswer):
            answer = result_checksum(session, seller, answer)
        return answer

    def error_response(self, error: MwsError) -> Response:
        """An ErrorResponse for failures outside an action (unknown paths)."""
        return self._error(error, str(uuid.uuid4()))

    def _xml(
        self, body: bytes, request_id: str, status: int = 200, quota: Decision | None = None
    ) -> Response:
        # Exactly "text/xml": some clients compare the header verbatim.
        response = Response(body, status_code=status, headers={"Content-Type": XML_CONTENT_TYPE})
        return self._stamp(response, request_id, quota)

    def _error(self, error: MwsError, request_id: str, quota: Decision | None = None) -> Response:
        body = render_error(error, request_id)
        return self._xml(body, request_id, status=error.status, quota=quota)

    def _stamp(
        self, response: Response, request_id: str, quota: Decision | None = None
    ) -> Response:
        response.headers["x-mws-request-id"] = request_id
        # The real time: clients set their signing clock from it.
        response.headers["x-mws-timestamp"] = (
            self._wall_clock.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")
        )
        if quota is not None:
            response.headers["x-mws-quota-max"] = f"{quota.hourly:.1f}"
            response.headers["x-mws-quota-remaining"] = f"{quota.remaining:.1f}"
            response.headers["x-mws-quota-resetsOn"] = iso_milliseconds(quota.resets_on)
        return response
