"""Load and store token buckets, locking the row while a request spends from it."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from feedsvc.throttling.models import QuotaBucket


class QuotaRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def locked(self, seller_pk: int, operation: str) -> QuotaBucket | None:
        query = (
            select(QuotaBucket)
            .where(QuotaBucket.seller_pk == seller_pk, QuotaBucket.operation == operation)
            .with_for_update()
        )
        return self._session.scalar(query)

    def add(self, bucket: QuotaBucket) -> None:
        self._session.add(bucket)

    def reset(self, seller_pk: int) -> None:
        """Forget a seller's buckets (every quota starts full again)."""
        self._session.execute(delete(QuotaBucket).where(QuotaBucket.seller_pk == seller_pk))
