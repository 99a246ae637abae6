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
    if seller is None:
        raise AccessDenied(f"Access denied: seller {seller_id} is not known.")
    if credential.seller_pk == seller.id:
        return seller
    token = params.get("MWSAuthToken")
    if token is None or token == "None":  # noqa: S105 (some clients send the string "None")
        raise AccessDenied(
            f"Access denied: access key {access_key_id} belongs to another developer "
            f"account; acting for seller {seller_id} needs the MWSAuthToken it granted."
        )
    grant = sellers.grant(token)
    if grant is None or grant.seller_pk != seller.id or grant.developer_pk != credential.seller_pk:
        raise AccessDenied(
            f"Access denied: MWSAuthToken {token} does not authorise access key "
            f"{access_key_id} for seller {seller_id}."
        )
    return seller
