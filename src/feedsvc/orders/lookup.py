"""Finding the order and the order line a message names, or the rejection that says why not."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from feedsvc.orders.outcomes import Rejection
from feedsvc.reports.results import ResultCode


class NamedLine(Protocol):
    @property
    def amazon_order_item_code(self) -> str: ...
    @property
    def merchant_order_item_id(self) -> str | None: ...


LineT = TypeVar("LineT", bound=NamedLine)


def find_item(
    amazon_order_id: str,
    items: Iterable[LineT],
    *,
    code: str | None = None,
    merchant_id: str | None = None,
) -> LineT:
    """The line of order ``amazon_order_id`` with item ``code`` or, without a code, with
    merchant item ID ``merchant_id``."""
    for item in items:
        if code is not None and item.amazon_order_item_code == code:
            return item
        if code is None and item.merchant_order_item_id == merchant_id:
            return item
    reference = f"item code {code}" if code is not None else f"merchant item ID {merchant_id!r}"
    raise Rejection(
        ResultCode.INVALID_DATA,
        f"Order {amazon_order_id} has no item with {reference}.",
        amazon_order_id=amazon_order_id,
        amazon_order_item_code=code,
    )


def order_not_found(
    *, amazon_order_id: str | None = None, merchant_order_id: str | None = None
) -> Rejection:
    """The rejection of a message whose order this seller does not have."""
    if amazon_order_id is not None:
        return Rejection(
            ResultCode.INVALID_DATA,
            f"Order {amazon_order_id} was not found for this merchant. Check the AmazonOrderID.",
            amazon_order_id=amazon_order_id,
        )
    return Rejection(
        ResultCode.INVALID_DATA,
        "Your order cannot be found using merchant order ID "
        f"{merchant_order_id!r}. Acknowledge the order with that MerchantOrderID "
        "first, or use the AmazonOrderID.",
    )
