"""Seller accounts and their MWS access keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedsvc.db.base import Base, BigIntId, UTCDateTime


class Seller(Base):
    """A merchant account, known on the wire by its merchant token (``SellerId``)."""

    __tablename__ = "sellers"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    seller_id: Mapped[str] = mapped_column(String(64), unique=True)
    marketplace_ids: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # How MWS quotas apply to this seller (see feedsvc.throttling.policy.ThrottlingMode).
    throttling_mode: Mapped[str] = mapped_column(String(16), default="real")
    throttling_speed: Mapped[float] = mapped_column(Float, default=1.0)
    # boto on Python 3 fails on any Content-MD5 header of a result; this switch omits it.
    send_result_content_md5: Mapped[bool] = mapped_column(Boolean, default=True)

    credentials: Mapped[list[MwsCredential]] = relationship(
        back_populates="seller", order_by="MwsCredential.created_at"
    )


class MwsCredential(Base):
    """An AWS-style access key pair whose secret signs requests for one seller."""

    __tablename__ = "mws_credentials"

    access_key_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    secret_key: Mapped[str] = mapped_column(String(256))
    seller_pk: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    seller: Mapped[Seller] = relationship(back_populates="credentials")


class MwsAuthGrant(Base):
    """A seller's authorisation for another developer account to act for it."""

    __tablename__ = "mws_auth_grants"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    seller_pk: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    developer_pk: Mapped[int] = mapped_column(ForeignKey("sellers.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
