"""Errors and shared lookups of the admin API."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from feedsvc.accounts.models import Seller
from feedsvc.accounts.repository import SellerRepository
from feedsvc.admin.models import ServiceSetting

ADMIN_TOKEN_KEY = "admin_token"  # noqa: S105 (a settings key, not a secret)


class AdminError(Exception):
    """A request the admin API refuses, with the HTTP status to answer."""

    def __init__(self, status: int, detail: str, *, result_code: int | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.result_code = result_code


def stored_admin_token(session: Session) -> str:
    """The generated admin token, created on first use and shared by every process."""
    setting = session.get(ServiceSetting, ADMIN_TOKEN_KEY)
    if setting is None:
        setting = ServiceSetting(key=ADMIN_TOKEN_KEY, value=secrets.token_urlsafe(24))
        session.add(setting)
        session.flush()
    return setting.value


def find_seller(sellers: SellerRepository, seller_id: str, *, status: int = 404) -> Seller:
    """The seller, or an AdminError with ``status`` (404 in a path, 422 in a body)."""
    seller = sellers.by_seller_id(seller_id)
    if seller is None:
        raise AdminError(status, f"Seller {seller_id} does not exist.")
    return seller
