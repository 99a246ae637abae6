"""What an MWS request knows about the seller it acts for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SellerAccount:
    """A seller as read for one request: plain values, no ORM state to carry around."""

    id: int
    seller_id: str
    marketplace_ids: tuple[str, ...]
    throttling_mode: str
    throttling_speed: float
    send_result_content_md5: bool
