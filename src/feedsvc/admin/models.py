"""Service-wide key/value settings kept in the database (shared by every process)."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from feedsvc.db.base import Base


class ServiceSetting(Base):
    """One named setting, such as the generated admin token."""

    __tablename__ = "service_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
