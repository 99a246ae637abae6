"""Arm, list, clear and consume faults; consuming locks the row so each fires once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from feedsvc.faults.models import Fault, FaultKind

_ARMED = (
    select(Fault.id)
    .where(
        Fault.seller_pk == bindparam("seller_pk"),
        Fault.kind.in_(bindparam("kinds", expanding=True)),
        Fault.remaining > 0,
        Fault.operation == bindparam("operation"),
    )
    .limit(1)
)


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

    def armed(self, seller_pk: int, kinds: Sequence[FaultKind], *, operation: str) -> bool:
        """Whether consume() would fire a fault for ``operation`` now (read, not locked).

        Asked on every MWS request, so the statement is built once."""
        found = self._session.scalar(
            _ARMED, {"seller_pk": seller_pk, "kinds": list(kinds), "operation": operation}
        )
        return found is not None

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
