"""Who is calling: the seller named by SellerId/Merchant, acting through an access key."""

from __future__ import annotations

from sqlalchemy.orm import Session

from feedsvc.accounts.models import Seller
from feedsvc.accounts.repository import SellerRepository
from feedsvc.errors import AccessDenied, InvalidAccessKeyId, MissingParameter
from feedsvc.mws.params import Params


def authenticate(session: Session, params: Params) -> Seller:
    """The seller this request acts for; the access key must belong to that seller."""
    access_key_id = params.required("AWSAccessKeyId")
    seller_id = params.get("SellerId") or params.get("Merchant")
    if seller_id is None:
        raise MissingParameter("SellerId")
    sellers = SellerRepository(session)
    credential = sellers.credential(access_key_id)
    if credential is None:
        raise InvalidAccessKeyId()
    seller = sellers.by_seller_id(seller_id)
    if seller is None or credential.seller_pk != seller.id:
        raise AccessDenied(
            f"Access denied: access key {access_key_id} may not act for seller {seller_id}."
        )
    return seller
