"""Service settings, read once from the environment (prefix ``FEEDSVC_``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./feedsvc.db"


def normalise_database_url(url: str) -> str:
    """Map the URL spellings people paste (``postgres://``) onto the driver we ship."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Settings(BaseSettings):
    """Everything an operator can configure; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="FEEDSVC_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    admin_token: str | None = None
    max_feed_bytes: int = Field(default=128 * 1024 * 1024, gt=0)
    # Larger XML feeds are validated as a stream (bounded memory, schema errors without lines).
    in_memory_validation_bytes: int = Field(default=16 * 1024 * 1024, ge=0)
    worker_poll_seconds: float = Field(default=0.5, gt=0)
    job_lease_seconds: float = Field(default=300.0, gt=0)
    job_max_attempts: int = Field(default=5, ge=1)
    run_worker: bool = True
    log_format: Literal["json", "text"] = "json"
    verify_signatures: bool = True
    auto_cancel: Literal["30-days-after-ship-date", "7-business-days-after-ship-date", "off"] = (
        "30-days-after-ship-date"
    )
    auto_cancel_interval_seconds: float = Field(default=60.0, gt=0)
    cancellation_rate_window_days: int = Field(default=7, ge=1, le=365)
    default_throttling: Literal["real", "accelerated", "off"] = "real"
    default_throttling_speed: float = Field(default=60.0, ge=1.0)

    @field_validator("database_url")
    @classmethod
    def _normalise(cls, value: str) -> str:
        return normalise_database_url(value)
