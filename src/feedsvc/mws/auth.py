"""Who is calling: the seller named by SellerId/Merchant, acting through an access key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from feedsvc.accounts.models import Seller
from feedsvc.accounts.repository import SellerRepository
from feedsvc.errors import AccessDenied, InvalidAccessKeyId, MissingParameter
from feedsvc.mws.params import Params
from feedsvc.mws.signature import RequestTarget, verify


def authenticate(
    session: Session, params: Params, *, target: RequestTarget | None, now: datetime
) -> Seller:
    """The seller this request acts for; the access key must belong to that seller.

    With a ``target`` the Signature Version 2 signature is verified too.
    """
    access_key_id = params.required("AWSAccessKeyId")
    seller_id = params.get("SellerId") or params.get("Merchant")
    if seller_id is None:
        raise MissingParameter("SellerId")
    sellers = SellerRepository(session)
    credential = sellers.credential(access_key_id)
    if credential is None:
        raise InvalidAccessKeyId()
    if target is not None:
        verify(params, secret=credential.secret_key, target=target, now=now)
    seller = sellers.by_seller_id(seller_id)
    if seller is None or credential.seller_pk != seller.id:
        raise AccessDenied(
            f"Access denied: access key {access_key_id} may not act for seller {seller_id}."
        )
    return seller
