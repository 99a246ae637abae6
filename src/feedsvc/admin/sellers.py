"""Sellers, their MWS credentials and the authorisations they grant."""

from __future__ import annotations

import secrets
import uuid

from sqlalchemy.orm import Session

from feedsvc.accounts.models import MwsAuthGrant, MwsCredential, Seller
from feedsvc.accounts.repository import SellerRepository
from feedsvc.admin import schemas
from feedsvc.admin.service import AdminError, find_seller
from feedsvc.clock import Clock


class SellerAdmin:
    """Operations behind /admin/sellers."""

    def __init__(self, session: Session, *, clock: Clock) -> None:
        self._sellers = SellerRepository(session)
        self._clock = clock

    def create_seller(self, request: schemas.SellerCreate) -> schemas.SellerOut:
        if self._sellers.by_seller_id(request.seller_id) is not None:
            raise AdminError(409, f"Seller {request.seller_id} already exists.")
        access_key_id = request.access_key_id or "AKFS" + secrets.token_hex(8).upper()
        if self._sellers.credential(access_key_id) is not None:
            raise AdminError(409, f"Access key {access_key_id} is already in use.")
        now = self._clock.now()
        seller = self._sellers.add(
            Seller(
                seller_id=request.seller_id,
                marketplace_ids=list(request.marketplace_ids),
                created_at=now,
            )
        )
        credential = self._sellers.add_credential(
            MwsCredential(
                access_key_id=access_key_id,
                secret_key=request.secret_key or secrets.token_urlsafe(30),
                seller_pk=seller.id,
                created_at=now,
            )
        )
        return _seller_out(seller, credential)

    def get_seller(self, seller_id: str) -> schemas.SellerOut:
        seller = find_seller(self._sellers, seller_id)
        return _seller_out(seller, seller.credentials[0])

    def grant(self, seller_id: str, request: schemas.GrantCreate) -> schemas.GrantOut:
        """Let another developer account's access key act for this seller."""
        seller = find_seller(self._sellers, seller_id)
        credential = self._sellers.credential(request.access_key_id)
        if credential is None:
            raise AdminError(422, f"Access key {request.access_key_id} does not exist.")
        grant = self._sellers.add_grant(
            MwsAuthGrant(
                token=f"amzn.mws.{uuid.uuid4()}",
                seller_pk=seller.id,
                developer_pk=credential.seller_pk,
                created_at=self._clock.now(),
            )
        )
        return schemas.GrantOut(
            seller_id=seller.seller_id,
            access_key_id=credential.access_key_id,
            mws_auth_token=grant.token,
            created_at=grant.created_at,
        )


def _seller_out(seller: Seller, credential: MwsCredential) -> schemas.SellerOut:
    return schemas.SellerOut(
        seller_id=seller.seller_id,
        marketplace_ids=seller.marketplace_ids,
        access_key_id=credential.access_key_id,
        secret_key=credential.secret_key,
        created_at=seller.created_at,
    )
