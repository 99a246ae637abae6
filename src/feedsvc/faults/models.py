"""Faults armed through the admin API, consumed by the requests and feeds they hit."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from feedsvc.db.base import Base, BigIntId, UTCDateTime


class FaultKind(StrEnum):
    REQUEST_THROTTLED = "RequestThrottled"
    QUOTA_EXCEEDED = "QuotaExceeded"
    INTERNAL_ERROR = "InternalError"
    WRONG_CONTENT_MD5 = "WrongContentMD5"
    HOLD_FEED = "HoldFeed"


ERROR_FAULTS = (FaultKind.REQUEST_THROTTLED, FaultKind.QUOTA_EXCEEDED, FaultKind.INTERNAL_ERROR)


class Fault(Base):
    """The next ``remaining`` matching requests (or feeds) of a seller misbehave."""

    __tablename__ = "faults"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    seller_pk: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    operation: Mapped[str | None] = mapped_column(String(64))
    remaining: Mapped[int] = mapped_column(Integer)
    hold_status: Mapped[str | None] = mapped_column(String(40))
    hold_seconds: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
