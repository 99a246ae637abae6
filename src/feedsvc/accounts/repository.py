"""Queries over sellers and credentials."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from feedsvc.accounts.models import MwsAuthGrant, MwsCredential, Seller
from feedsvc.accounts.types import SellerAccount
from feedsvc.db.driver import DriverStatement
from feedsvc.faults.models import ERROR_FAULTS, Fault

# Asked on every MWS request, so it is one statement, run on the driver: the access key's
# secret and owner, the seller the request names (NULLs when unknown), and whether an
# injected error is armed for that seller and the operation.
_ERROR_FAULT_ARMED = (
    select(Fault.id)
    .where(
        Fault.seller_pk == Seller.id,
        # One comparison a kind, not IN: a DriverStatement takes no expanding lists.
        or_(*(Fault.kind == str(kind) for kind in ERROR_FAULTS)),
        Fault.remaining > 0,
        Fault.operation == bindparam("operation"),
    )
    .exists()
)
_CALLER = DriverStatement(
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
        rows = _CALLER.rows(
            self._session.connection(),
            {"access_key_id": access_key_id, "seller_id": seller_id, "operation": operation},
        )
        if not rows:
            return None
        (secret_key, key_owner, pk, public_id, marketplaces, mode, speed, md5, armed) = rows[0]
        seller = None
        if pk is not None:
            seller = SellerAccount(
                id=pk,
                seller_id=public_id,
                marketplace_ids=tuple(marketplaces),
                throttling_mode=mode,
                throttling_speed=speed,
                send_result_content_md5=md5,
            )
        return KeyAndSeller(secret_key, key_owner, seller, bool(armed))

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
