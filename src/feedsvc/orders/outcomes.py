"""How the order rules answer a command: a rejection, or notes (warnings) on success."""

from __future__ import annotations

from dataclasses import dataclass

from feedsvc.reports.results import ResultCode


@dataclass(frozen=True, slots=True)
class Note:
    """A warning: the command was applied, but something deserves the seller's attention."""

    code: ResultCode
    description: str
    amazon_order_id: str | None = None
    amazon_order_item_code: str | None = None


class Rejection(Exception):
    """A business rule refused the command; nothing it asked for is applied."""

    def __init__(
        self,
        code: ResultCode,
        description: str,
        *,
        amazon_order_id: str | None = None,
        amazon_order_item_code: str | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.amazon_order_id = amazon_order_id
        self.amazon_order_item_code = amazon_order_item_code
