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
from feedsvc.faults.models import Fault, FaultKind
from feedsvc.faults.repository import FaultRepository
from feedsvc.throttling.repository import QuotaRepository


class SellerAdmin:
    """Operations behind /admin/sellers."""

    def __init__(
        self, session: Session, *, clock: Clock, default_throttling: schemas.Throttling
    ) -> None:
        self._sellers = SellerRepository(session)
        self._faults = FaultRepository(session)
        self._quotas = QuotaRepository(session)
        self._clock = clock
        self._default_throttling = default_throttling

    def create_seller(self, request: schemas.SellerCreate) -> schemas.SellerOut:
        if self._sellers.by_seller_id(request.seller_id) is not None:
            raise AdminError(409, f"Seller {request.seller_id} already exists.")
        access_key_id = request.access_key_id or "AKFS" + secrets.token_hex(8).upper()
        if self._sellers.credential(access_key_id) is not None:
            raise AdminError(409, f"Access key {access_key_id} is already in use.")
        now = self._clock.now()
        throttling = request.throttling or self._default_throttling
        seller = self._sellers.add(
            Seller(
                seller_id=request.seller_id,
                marketplace_ids=list(request.marketplace_ids),
                created_at=now,
                throttling_mode=throttling.mode,
                throttling_speed=throttling.speed,
                send_result_content_md5=request.send_result_content_md5,
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

    def update_seller(self, seller_id: str, request: schemas.SellerUpdate) -> schemas.SellerOut:
        """Change throttling (every quota starts full again) or the result checksum switch."""
        seller = find_seller(self._sellers, seller_id)
        if request.throttling is not None:
            seller.throttling_mode = request.throttling.mode
            seller.throttling_speed = request.throttling.speed
            self._quotas.reset(seller.id)
        if request.send_result_content_md5 is not None:
            seller.send_result_content_md5 = request.send_result_content_md5
        return _seller_out(seller, seller.credentials[0])

    def arm_error(self, seller_id: str, request: schemas.ErrorFaultCreate) -> schemas.FaultOut:
        return self._arm(
            seller_id, FaultKind(request.error), request.count, operation=request.operation
        )

    def arm_hold(self, seller_id: str, request: schemas.FeedHoldCreate) -> schemas.FaultOut:
        return self._arm(
            seller_id,
            FaultKind.HOLD_FEED,
            request.count,
            hold_status=request.status,
            hold_seconds=request.seconds,
        )

    def arm_wrong_checksum(
        self, seller_id: str, request: schemas.ChecksumFaultCreate
    ) -> schemas.FaultOut:
        return self._arm(
            seller_id,
            FaultKind.WRONG_CONTENT_MD5,
            request.count,
            operation="GetFeedSubmissionResult",
        )

    def faults(self, seller_id: str) -> list[schemas.FaultOut]:
        seller = find_seller(self._sellers, seller_id)
        return [_fault_out(f) for f in self._faults.for_seller(seller.id)]

    def clear_faults(self, seller_id: str) -> None:
        self._faults.clear(find_seller(self._sellers, seller_id).id)

    def _arm(
        self,
        seller_id: str,
        kind: FaultKind,
        count: int,
        *,
        operation: str | None = None,
        hold_status: str | None = None,
        hold_seconds: float | None = None,
    ) -> schemas.FaultOut:
        seller = find_seller(self._sellers, seller_id)
        fault = self._faults.add(
            Fault(
                seller_pk=seller.id,
                kind=kind,
                operation=operation,
                remaining=count,
                hold_status=hold_status,
                hold_seconds=hold_seconds,
                created_at=self._clock.now(),
            )
        )
        return _fault_out(fault)

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
        throttling=schemas.Throttling(
            mode=seller.throttling_mode,
            speed=seller.throttling_speed,
        ),
        send_result_content_md5=seller.send_result_content_md5,
        created_at=seller.created_at,
    )


def _fault_out(fault: Fault) -> schemas.FaultOut:
    return schemas.FaultOut(
        kind=fault.kind,
        operation=fault.operation,
        remaining=fault.remaining,
        hold_status=fault.hold_status,
        hold_seconds=fault.hold_seconds,
        created_at=fault.created_at,
    )
