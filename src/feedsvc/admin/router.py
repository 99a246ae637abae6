"""The admin JSON API, guarded by ``Authorization: Bearer <admin token>``."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from feedsvc.admin import schemas
from feedsvc.admin.orders import OrderAdmin
from feedsvc.admin.sellers import SellerAdmin
from feedsvc.db.engine import transaction

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
