"""Arm, list, clear and consume faults; consuming locks the row so each fires once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from feedsvc.faults.models import Fault, FaultKind


class FaultRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, fault: Fault) -> Fault:
        self._session.add(fault)
        self._session.flush()
        return fault

    def for_seller(self, seller_pk: int) -> Sequence[Fault]:
        query = select(Fault).where(Fault.seller_pk == seller_pk, Fault.remaining > 0)
        return self._session.scalars(query.order_by(Fault.id)).all()

    def clear(self, seller_pk: int) -> None:
        self._session.execute(delete(Fault).where(Fault.seller_pk == seller_pk))

    def consume(
        self, seller_pk: int, kinds: Sequence[FaultKind], *, operation: str | None = None
    ) -> Fault | None:
        """Fire the oldest armed fault of these kinds (for ``operation``), if any."""
        query = select(Fault).where(
            Fault.seller_pk == seller_pk, Fault.kind.in_(kinds), Fault.remaining > 0
        )
        if operation is not None:
            query = query.where(Fault.operation == operation)
        fault = self._session.scalar(query.order_by(Fault.id).limit(1).with_for_update())
        if fault is not None:
            fault.remaining -= 1
        return fault
