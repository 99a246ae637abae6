"""Money as integer hundredths of the currency unit, the precision feeds carry."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

HUNDRED = Decimal(100)


class InvalidAmount(ValueError):
    """A decimal string that is not a money amount with at most two decimals."""


def parse_amount(text: str | Decimal) -> int:
    """``"12.30"`` -> ``1230``; rejects more than two significant decimals."""
    try:
        value = Decimal(text) if isinstance(text, str) else text
    except InvalidOperation:
        raise InvalidAmount(f"{text!r} is not a decimal amount") from None
    if not value.is_finite():
        raise InvalidAmount(f"{text!r} is not a decimal amount")
    scaled = value * HUNDRED
    if scaled != scaled.to_integral_value():
        raise InvalidAmount(f"{text!r} has more than two decimals")
    return int(scaled)


def format_amount(hundredths: int) -> str:
    """``1230`` -> ``"12.30"``."""
    return f"{Decimal(hundredths) / HUNDRED:.2f}"
