"""One row per seller and operation that has been called while throttling is on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from feedsvc.db.base import Base, UTCDateTime


class QuotaBucket(Base):
    """The persisted state of one token bucket (shared by every API process)."""

    __tablename__ = "quota_buckets"

    seller_pk: Mapped[int] = mapped_column(ForeignKey("sellers.id"), primary_key=True)
    operation: Mapped[str] = mapped_column(String(64), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    refilled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    window_count: Mapped[int] = mapped_column(Integer)
