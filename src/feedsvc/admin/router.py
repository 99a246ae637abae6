"""The admin JSON API, guarded by ``Authorization: Bearer <admin token>``."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from feedsvc.admin import schemas
from feedsvc.admin.orders import OrderAdmin
from feedsvc.admin.sellers import SellerAdmin
from feedsvc.db.engine import transaction
from feedsvc.queue.models import JobKind
from feedsvc.queue.repository import JobRepository
from feedsvc.service_clock import ServiceClock

R = TypeVar("R")

_bearer = HTTPBearer(auto_error=False, description="The admin token (see the README).")


def _require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    expected: str = request.app.state.admin_token
    if credentials is None or not hmac.compare_digest(
        credentials.credentials.encode(), expected.encode()
    ):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "A valid admin token is required: Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": "Bearer"},
        )


def _sellers(request: Request, work: Callable[[SellerAdmin], R]) -> R:
    """Run ``work`` in one transaction, committed before the response is sent."""
    state = request.app.state
    with transaction(state.sessions) as session:
        return work(
            SellerAdmin(session, clock=state.clock, default_throttling=state.default_throttling)
        )


def _orders(request: Request, work: Callable[[OrderAdmin], R]) -> R:
    """Run ``work`` in one transaction, committed before the response is sent."""
    state = request.app.state
    with transaction(state.sessions) as session:
        return work(OrderAdmin(session, clock=state.clock))


_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": schemas.ErrorOut, "description": "The body is not JSON"},
    401: {"model": schemas.ErrorOut},
    404: {"model": schemas.ErrorOut},
    409: {"model": schemas.ErrorOut},
}

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(_require_admin)])


@router.post("/sellers", status_code=201, responses=_ERRORS)
def create_seller(body: schemas.SellerCreate, request: Request) -> schemas.SellerOut:
    """Create a seller and its MWS credentials (generated unless supplied)."""
    return _sellers(request, lambda admin: admin.create_seller(body))


@router.get("/sellers/{seller_id}", responses=_ERRORS)
def get_seller(seller_id: str, request: Request) -> schemas.SellerOut:
    """A seller and its MWS credentials."""
    return _sellers(request, lambda admin: admin.get_seller(seller_id))


@router.patch("/sellers/{seller_id}", responses=_ERRORS)
def update_seller(
    seller_id: str, body: schemas.SellerUpdate, request: Request
) -> schemas.SellerOut:
    """Choose the seller's throttling, or whether results carry a Content-MD5 header."""
    return _sellers(request, lambda admin: admin.update_seller(seller_id, body))


@router.post("/sellers/{seller_id}/faults/errors", status_code=201, responses=_ERRORS)
def arm_error_fault(
    seller_id: str, body: schemas.ErrorFaultCreate, request: Request
) -> schemas.FaultOut:
    """Make the next calls of an operation answer RequestThrottled, QuotaExceeded or
    InternalError."""
    return _sellers(request, lambda admin: admin.arm_error(seller_id, body))


@router.post("/sellers/{seller_id}/faults/feed-holds", status_code=201, responses=_ERRORS)
def arm_feed_hold(
    seller_id: str, body: schemas.FeedHoldCreate, request: Request
) -> schemas.FaultOut:
    """Keep the next feeds _IN_PROGRESS_ or _IN_SAFETY_NET_ for a while before processing."""
    return _sellers(request, lambda admin: admin.arm_hold(seller_id, body))


@router.post("/sellers/{seller_id}/faults/wrong-content-md5", status_code=201, responses=_ERRORS)
def arm_wrong_checksum(
    seller_id: str, body: schemas.ChecksumFaultCreate, request: Request
) -> schemas.FaultOut:
    """Make the next result downloads carry a wrong Content-MD5 header."""
    return _sellers(request, lambda admin: admin.arm_wrong_checksum(seller_id, body))


@router.get("/sellers/{seller_id}/faults", responses=_ERRORS)
def list_faults(seller_id: str, request: Request) -> list[schemas.FaultOut]:
    """Faults still armed for the seller."""
    return _sellers(request, lambda admin: admin.faults(seller_id))


@router.delete("/sellers/{seller_id}/faults", status_code=204, responses=_ERRORS)
def clear_faults(seller_id: str, request: Request) -> None:
    """Disarm every fault of the seller."""
    _sellers(request, lambda admin: admin.clear_faults(seller_id))


@router.post("/sellers/{seller_id}/auth-tokens", status_code=201, responses=_ERRORS)
def grant_auth_token(
    seller_id: str, body: schemas.GrantCreate, request: Request
) -> schemas.GrantOut:
    """Authorise another developer account's access key to act for this seller.

    The answer's ``mws_auth_token`` is what that developer sends as ``MWSAuthToken``.
    """
    return _sellers(request, lambda admin: admin.grant(seller_id, body))


@router.post("/orders", status_code=201, responses=_ERRORS)
def create_orders(
    body: schemas.OrderCreate | list[schemas.OrderCreate], request: Request
) -> schemas.OrderOut | list[schemas.OrderOut]:
    """Create one order, or a list of orders in one transaction."""
    if isinstance(body, list):
        orders = body
        return _orders(request, lambda admin: admin.create_orders(orders))
    return _orders(request, lambda admin: admin.create_orders([body]))[0]


@router.get("/orders/{amazon_order_id}", responses=_ERRORS)
def get_order(amazon_order_id: str, request: Request) -> schemas.OrderOut:
    """An order's status, unit counts, refunds and the history of what changed it."""
    return _orders(request, lambda admin: admin.get_order(amazon_order_id))


@router.get("/notifications", responses=_ERRORS)
def list_notifications(
    seller_id: Annotated[str, Query(min_length=1)], request: Request
) -> list[schemas.NotificationOut]:
    """The e-mails Amazon would have sent this seller's buyers, oldest first."""
    return _orders(request, lambda admin: admin.notifications(seller_id))


@router.post(
    "/orders/{amazon_order_id}/cancellations",
    status_code=201,
    responses={**_ERRORS, 409: {"model": schemas.RejectionOut}},
)
def cancel_order(
    amazon_order_id: str, body: schemas.ManualCancellation, request: Request
) -> schemas.OrderOut:
    """Cancel the order or chosen items as a seller would on Manage Orders.

    The same checks as a feed (409 with the result code when refused), the same buyer
    notification; the memo is kept with the cancellation.
    """
    return _orders(request, lambda admin: admin.cancel(amazon_order_id, body))


@router.get("/sellers/{seller_id}/cancellation-rate", responses=_ERRORS)
def get_cancellation_rate(
    seller_id: str,
    request: Request,
    end: Annotated[datetime | None, Query(description="window end (default: now)")] = None,
    days: Annotated[int | None, Query(ge=1, le=365, description="window length")] = None,
) -> schemas.CancellationRateOut:
    """Seller-cancelled orders over all orders placed in the window (BuyerCanceled exempt)."""
    window = days or request.app.state.settings.cancellation_rate_window_days
    return _orders(request, lambda admin: admin.cancellation_rate(seller_id, end=end, days=window))


def _clock_out(request: Request) -> schemas.ClockOut:
    clock: ServiceClock = request.app.state.clock
    state = clock.state()
    return schemas.ClockOut(
        now=clock.now(),
        frozen=state.frozen_at is not None,
        offset_seconds=state.offset.total_seconds(),
    )


def _change_clock(request: Request, change: Callable[[ServiceClock, Session], object]) -> None:
    """Apply a clock change and let the worker re-check deadlines at the new time."""
    state = request.app.state
    with transaction(state.sessions) as session:
        change(state.clock, session)
        JobRepository(session).enqueue_once(JobKind.AUTO_CANCEL, now=datetime.now(UTC))
    state.worker.wake()


@router.get("/clock", responses=_ERRORS)
def get_clock(request: Request) -> schemas.ClockOut:
    """The service's time, which every business rule uses."""
    return _clock_out(request)


@router.put("/clock", responses=_ERRORS)
def set_clock(body: schemas.ClockSet, request: Request) -> schemas.ClockOut:
    """Freeze the clock or let it run, at a given time or where it is."""
    if body.frozen:
        _change_clock(request, lambda clock, session: clock.freeze(session, body.at))
    else:
        _change_clock(request, lambda clock, session: clock.run_from(session, body.at))
    return _clock_out(request)


@router.post("/clock/advance", responses=_ERRORS)
def advance_clock(body: schemas.ClockAdvance, request: Request) -> schemas.ClockOut:
    """Move the clock forward; overdue orders are then cancelled by the worker."""
    delta = timedelta(days=body.days, hours=body.hours, minutes=body.minutes, seconds=body.seconds)
    if request.app.state.clock.now() + delta > schemas.CLOCK_LATEST:
        raise HTTPException(422, f"The clock cannot go past {schemas.CLOCK_LATEST:%Y}.")
    _change_clock(request, lambda clock, session: clock.advance(session, delta))
    return _clock_out(request)


@router.delete("/clock", responses=_ERRORS)
def reset_clock(request: Request) -> schemas.ClockOut:
    """Back to real time."""
    _change_clock(request, lambda clock, session: clock.reset(session))
    return _clock_out(request)
