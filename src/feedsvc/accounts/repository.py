"""Queries over sellers and credentials."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedsvc.accounts.models import MwsAuthGrant, MwsCredential, Seller


class SellerRepository:
    """Finds and stores sellers and their access keys."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, seller_pk: int) -> Seller | None:
        return self._session.get(Seller, seller_pk)

    def by_seller_id(self, seller_id: str) -> Seller | None:
        return self._session.scalar(select(Seller).where(Seller.seller_id == seller_id))

    def credential(self, access_key_id: str) -> MwsCredential | None:
        return self._session.get(MwsCredential, access_key_id)

    def grant(self, token: str) -> MwsAuthGrant | None:
        return self._session.get(MwsAuthGrant, token)

    def add_grant(self, grant: MwsAuthGrant) -> MwsAuthGrant:
        self._session.add(grant)
        self._session.flush()
        return grant

    def add(self, seller: Seller) -> Seller:
        self._session.add(seller)
        self._session.flush()
        return seller

    def add_credential(self, credential: MwsCredential) -> MwsCredential:
        self._session.add(credential)
        self._session.flush()
        return credential
