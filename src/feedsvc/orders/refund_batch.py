"""Refund-only adjustments of a batch of messages, applied on plain rows.

Most adjustment feeds only refund: no ``QuantityCancelled``, so nothing of an order or
its lines changes, and the only rows written are the refunds and their components. For
a run of such messages ``RefundBatch`` loads (and locks) the orders they name, with
their lines, the refunded totals and the adjustment ids already used, as plain rows in a
few Core queries instead of ORM objects; the refund rules (``orders.refunds``) run on
those rows unchanged, and the refunds they record are written with one ``executemany``
per table on the driver. Building ORM objects and having SQLAlchemy process every row's
parameters were most of the cost of such a feed (docs/design.md, "Refund-only runs on
plain rows").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeGuard

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from feedsvc.db.bulk import allocate_ids
from feedsvc.db.driver import DriverStatement
from feedsvc.orders.commands import Adjustment, OrderCommand
from feedsvc.orders.models import CHARGE_COLUMNS, Order, OrderItem, Refund, RefundComponent
from feedsvc.orders.types import NewRefund

_INSERT_REFUND = DriverStatement(insert(Refund))
# Inline: no RETURNING of the new ids (an executemany has no rows to give).
_INSERT_COMPONENT = DriverStatement(insert(RefundComponent).inline())
_ITEM_COLUMNS = (
    OrderItem.order_id,
    OrderItem.id,
    OrderItem.amazon_order_item_code,
    OrderItem.merchant_order_item_id,
    OrderItem.quantity_shipped,
    *(getattr(OrderItem, column) for column in CHARGE_COLUMNS.values()),
)
_CHARGE_INDEX: dict[str, int] = {component: n for n, component in enumerate(CHARGE_COLUMNS)}
# The run's orders, locked in id order, as every writer of an order locks it first
# (PostgreSQL; SQLite's writers are serialised already).
_ORDERS = DriverStatement(
    select(Order.id, Order.amazon_order_id, Order.currency)
    .where(
        Order.seller_pk == bindparam("seller_pk"),
        Order.amazon_order_id.in_(bindparam("amazon_order_ids", expanding=True)),
    )
    .order_by(Order.id)
    .with_for_update()
)
_LINES = DriverStatement(
    select(*_ITEM_COLUMNS)
    .where(OrderItem.order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(OrderItem.id)
)
_REFUNDED = DriverStatement(
    select(Refund.item_id, RefundComponent.component, func.sum(RefundComponent.amount))
    .join(Refund, Refund.id == RefundComponent.refund_id)
    .where(Refund.order_id.in_(bindparam("order_ids", expanding=True)))
    .group_by(Refund.item_id, RefundComponent.component)
)
_USED_ADJUSTMENT_IDS = DriverStatement(
    select(Refund.merchant_adjustment_item_id).where(
        Refund.seller_pk == bindparam("seller_pk"),
        Refund.merchant_adjustment_item_id.in_(bindparam("adjustment_ids", expanding=True)),
    )
)


@dataclass(frozen=True, slots=True)
class ItemRow:
    """An order line as the refund rules read it."""

    id: int
    amazon_order_item_code: str
    merchant_order_item_id: str | None
    quantity_shipped: int
    charges: tuple[int, ...]  # in the order of models.CHARGE_COLUMNS

    def charged(self, component: str) -> int:
        index = _CHARGE_INDEX.get(component)
        return 0 if index is None else self.charges[index]

    @property
    def total_charged(self) -> int:
        return sum(self.charges)


@dataclass(frozen=True, slots=True)
class OrderRow:
    """An order and its lines as the refund rules read them."""

    id: int
    seller_pk: int
    amazon_order_id: str
    currency: str
    items: list[ItemRow] = field(default_factory=list)

    @property
    def has_shipped(self) -> bool:
        return any(item.quantity_shipped for item in self.items)


class RefundBatch:
    """One seller's orders named by a run of refund-only adjustments, locked, as rows.

    It is the refund rules' ``RefundLedger`` for the run: it answers from what it loaded,
    keeps the totals and used adjustment ids current as refunds are recorded, and holds
    the new refunds until ``write``.
    """

    def __init__(self, session: Session, seller_pk: int, commands: Iterable[Adjustment]) -> None:
        self._session = session
        self._seller_pk = seller_pk
        amazon_ids: set[str] = set()
        self._adjustment_keys: set[str] = set()
        for command in commands:
            assert command.amazon_order_id is not None  # RefundBatch.takes(command)
            amazon_ids.add(command.amazon_order_id)
            self._adjustment_keys.update(
                item.merchant_adjustment_item_id
                for item in command.items
                if item.merchant_adjustment_item_id is not None
            )
        self._orders: dict[str, OrderRow] = {}
        self._refunded: dict[int, dict[str, int]] = defaultdict(dict)
        self._used: set[str] = set()
        self._staged: list[NewRefund] = []
        if amazon_ids:
            self._load(amazon_ids)

    @staticmethod
    def takes(command: OrderCommand) -> TypeGuard[Adjustment]:
        """Whether ``command`` only refunds, naming its order by AmazonOrderID."""
        return (
            isinstance(command, Adjustment)
            and command.amazon_order_id is not None
            and all(item.quantity_cancelled is None for item in command.items)
        )

    def _load(self, amazon_ids: set[str]) -> None:
        self._session.flush()  # what the session holds, before reading around it
        connection = self._session.connection()
        by_id: dict[int, OrderRow] = {}
        keys = {"seller_pk": self._seller_pk, "amazon_order_ids": list(amazon_ids)}
        for order_id, amazon_order_id, currency in _ORDERS.rows(connection, keys):
            row = OrderRow(order_id, self._seller_pk, amazon_order_id, currency)
            by_id[order_id] = self._orders[amazon_order_id] = row
        if not by_id:
            return
        order_ids = {"order_ids": list(by_id)}
        lines = _LINES.rows(connection, order_ids)
        for order_id, item_id, code, merchant_id, shipped, *charges in lines:
            line = ItemRow(item_id, code, merchant_id, shipped, tuple(charges))
            by_id[order_id].items.append(line)
        for item_id, component, total in _REFUNDED.rows(connection, order_ids):
            self._refunded[item_id][component] = int(total)
        if self._adjustment_keys:
            used = {"seller_pk": self._seller_pk, "adjustment_ids": list(self._adjustment_keys)}
            self._used.update(key for (key,) in _USED_ADJUSTMENT_IDS.rows(connection, used))

    def order(self, amazon_order_id: str) -> OrderRow | None:
        return self._orders.get(amazon_order_id)

    def refunded_by_component(self, item_id: int) -> dict[str, int]:
        return dict(self._refunded[item_id])

    def adjustment_id_used(self, seller_pk: int, merchant_adjustment_item_id: str) -> bool:
        if seller_pk != self._seller_pk or merchant_adjustment_item_id not in self._adjustment_keys:
            query = select(Refund.id).where(
                Refund.seller_pk == seller_pk,
                Refund.merchant_adjustment_item_id == merchant_adjustment_item_id,
            )
            return self._session.scalar(query.limit(1)) is not None
        return merchant_adjustment_item_id in self._used

    def add_refund(self, new: NewRefund) -> None:
        totals = self._refunded[new.item_id]
        for component, amount in new.components:
            totals[component] = totals.get(component, 0) + amount
        if new.merchant_adjustment_item_id is not None:
            self._adjustment_keys.add(new.merchant_adjustment_item_id)
            self._used.add(new.merchant_adjustment_item_id)
        self._staged.append(new)

    def write(self) -> None:
        """Insert the recorded refunds and their components, in the order recorded."""
        refunds, self._staged = self._staged, []
        write_refunds(self._session, refunds)


def write_refunds(session: Session, refunds: Sequence[NewRefund]) -> None:
    """Insert refunds and their components with one ``executemany`` each, on the driver."""
    if not refunds:
        return
    ids = allocate_ids(session, Refund, len(refunds))
    connection = session.connection()
    _INSERT_REFUND.execute_columns(connection, {"id": ids, **NewRefund.column_lists(refunds)})
    refund_ids: list[int] = []
    components: list[str] = []
    amounts: list[int] = []
    for refund_id, refund in zip(ids, refunds, strict=True):
        for component, amount in refund.components:
            refund_ids.append(refund_id)
            components.append(component)
            amounts.append(amount)
    _INSERT_COMPONENT.execute_columns(
        connection, {"refund_id": refund_ids, "component": components, "amount": amounts}
    )
