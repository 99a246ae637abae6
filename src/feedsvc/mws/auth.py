"""Who is calling: the seller named by SellerId/Merchant, acting through an access key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, select

from feedsvc.accounts.models import MwsAuthGrant, MwsCredential, Seller
from feedsvc.accounts.types import SellerAccount
from feedsvc.errors import AccessDenied, InvalidAccessKeyId, MissingParameter
from feedsvc.faults.models import ERROR_FAULTS, Fault
from feedsvc.mws.params import Params
from feedsvc.mws.signature import RequestTarget, verify

# Asked on every MWS request, so it is one statement, built once: the access key's
# secret and owner, the seller named by the request (NULLs when unknown), and whether
# an injected error is armed for this seller and operation.
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
_GRANT = select(MwsAuthGrant.seller_pk, MwsAuthGrant.developer_pk).where(
    MwsAuthGrant.token == bindparam("token")
)


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated request: the seller it acts for, and whether a fault awaits it."""

    seller: SellerAccount
    error_fault_armed: bool


def authenticate(
    connection: Connection,
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
    row = connection.execute(
        _CALLER, {"access_key_id": access_key_id, "seller_id": seller_id, "operation": operation}
    ).one_or_none()
    if row is None:
        raise InvalidAccessKeyId()
    if target is not None:
        verify(params, secret=row.secret_key, target=target, now=now)
    if row.id is None:
        raise AccessDenied(f"Access denied: seller {seller_id} is not known.")
    seller = SellerAccount(
        id=row.id,
        seller_id=row.seller_id,
        marketplace_ids=tuple(row.marketplace_ids),
        throttling_mode=row.throttling_mode,
        throttling_speed=row.throttling_speed,
        send_result_content_md5=row.send_result_content_md5,
    )
    if row.key_owner != seller.id:
        _check_grant(connection, params, seller, access_key_id=access_key_id, owner=row.key_owner)
    return Caller(seller, bool(row.error_fault_armed))


def _check_grant(
    connection: Connection, params: Params, seller: SellerAccount, *, access_key_id: str, owner: int
) -> None:
    """A key of another developer account acts for the seller only with its MWSAuthToken."""
    token = params.get("MWSAuthToken")
    if token is None or token == "None":  # noqa: S105 (some clients send the string "None")
        raise AccessDenied(
            f"Access denied: access key {access_key_id} belongs to another developer "
            f"account; acting for seller {seller.seller_id} needs the MWSAuthToken it granted."
        )
    grant = connection.execute(_GRANT, {"token": token}).one_or_none()
    if grant is None or grant.seller_pk != seller.id or grant.developer_pk != owner:
        raise AccessDenied(
            f"Access denied: MWSAuthToken {token} does not authorise access key "
            f"{access_key_id} for seller {seller.seller_id}."
        )
