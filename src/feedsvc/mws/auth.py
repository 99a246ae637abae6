"""Who is calling: the seller named by SellerId/Merchant, acting through an access key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from feedsvc.accounts.repository import SellerRepository
from feedsvc.accounts.types import SellerAccount
from feedsvc.errors import AccessDenied, InvalidAccessKeyId, MissingParameter
from feedsvc.mws.params import Params
from feedsvc.mws.signature import RequestTarget, verify


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated request: the seller it acts for, and whether a fault awaits it."""

    seller: SellerAccount
    error_fault_armed: bool


def authenticate(
    session: Session,
    params: Params,
    *,
    target: RequestTarget | None,
    now: datetime,
    operation: str,
) -> Caller:
    """The seller this request acts for; the access key must belong to that seller.

    With a ``target`` the Signature Version 2 signature is verified too.
    """
    access_key_id = params.required("AWSAccessKeyId")
    seller_id = params.get("SellerId") or params.get("Merchant")
    if seller_id is None:
        raise MissingParameter("SellerId")
    sellers = SellerRepository(session)
    found = sellers.key_and_seller(access_key_id, seller_id, operation=operation)
    if found is None:
        raise InvalidAccessKeyId()
    if target is not None:
        verify(params, secret=found.secret_key, target=target, now=now)
    seller = found.seller
    if seller is None:
        raise AccessDenied(f"Access denied: seller {seller_id} is not known.")
    if found.key_owner == seller.id:
        return Caller(seller, found.error_fault_armed)
    token = params.get("MWSAuthToken")
    if token is None or token == "None":  # noqa: S105 (some clients send the string "None")
        raise AccessDenied(
            f"Access denied: access key {access_key_id} belongs to another developer "
            f"account; acting for seller {seller_id} needs the MWSAuthToken it granted."
        )
    grant = sellers.grant(token)
    if grant is None or grant.seller_pk != seller.id or grant.developer_pk != found.key_owner:
        raise AccessDenied(
            f"Access denied: MWSAuthToken {token} does not authorise access key "
            f"{access_key_id} for seller {seller_id}."
        )
    return Caller(seller, found.error_fault_armed)
