"""Locate the files shipped beside the code: XSDs and Alembic migrations."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_ROOT = _PACKAGE_DIR.parent.parent


def _find(name: str) -> Path:
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _REPO_ROOT / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"feedsvc data directory {name!r} is missing from the installation")


def xsd_dir() -> Path:
    """The directory holding ``amzn-envelope.xsd`` and the files it includes."""
    return _find("xsd")


def migrations_dir() -> Path:
    """The Alembic script directory."""
    return _find("migrations")
