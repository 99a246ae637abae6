"""Queries over sellers and credentials."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from feedsvc.accounts.models import MwsAuthGrant, MwsCredential, Seller
from feedsvc.accounts.types import SellerAccount
from feedsvc.faults.models import ERROR_FAULTS, Fault

# Asked on every MWS request, so it is one statement, built once: the access key's
# secret and owner, the seller the request names (NULLs when unknown), and whether an
# injected error is armed for that seller and the operation.
_ERROR_FAULT_ARMED = (
    select(Fault.id)
    .where(
        Fault.seller_pk == Seller.id,
        Fault.kind.in_([str(kind) for kind in ERROR_FAULTS]),
        Fault.remaining > 0,
        Fault.operation == bindparam("operation"),
    )
    .exists()
)
_CALLER = (
    select(
        MwsCredential.secret_key,
        MwsCredential.seller_pk.label("key_owner"),
        Seller.id,
        Seller.seller_id,
        Seller.marketplace_ids,
        Seller.throttling_mode,
        Seller.throttling_speed,
        Seller.send_result_content_md5,
        _ERROR_FAULT_ARMED.label("error_fault_armed"),
    )
    .select_from(MwsCredential)
    .outerjoin(Seller, Seller.seller_id == bindparam("seller_id"))
    .where(MwsCredential.access_key_id == bindparam("access_key_id"))
)


@dataclass(frozen=True, slots=True)
class KeyAndSeller:
    """An access key and the seller a request names, as authentication needs them."""

    secret_key: str
    key_owner: int  # the seller (or developer account) the key belongs to
    seller: SellerAccount | None  # None when no seller has the requested SellerId
    error_fault_armed: bool  # whether an injected error awaits this seller and operation


class SellerRepository:
    """Finds and stores sellers and their access keys."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, seller_pk: int) -> Seller | None:
        return self._session.get(Seller, seller_pk)

    def by_seller_id(self, seller_id: str) -> Seller | None:
        return self._session.scalar(select(Seller).where(Seller.seller_id == seller_id))

    def key_and_seller(
        self, access_key_id: str, seller_id: str, *, operation: str
    ) -> KeyAndSeller | None:
        """The key's secret and owner with the named seller, in one round trip; None when
        the key is unknown."""
        row = (
            self._session.connection()
            .execute(
                _CALLER,
                {"access_key_id": access_key_id, "seller_id": seller_id, "operation": operation},
            )
            .one_or_none()
        )
        if row is None:
            return None
        seller = None
        if row.id is not None:
            seller = SellerAccount(
                id=row.id,
                seller_id=row.seller_id,
                marketplace_ids=tuple(row.marketplace_ids),
                throttling_mode=row.throttling_mode,
                throttling_speed=row.throttling_speed,
                send_result_content_md5=row.send_result_content_md5,
            )
        return KeyAndSeller(row.secret_key, row.key_owner, seller, bool(row.error_fault_armed))

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
