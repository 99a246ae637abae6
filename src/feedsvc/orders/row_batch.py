"""Runs of messages applied on plain rows instead of ORM objects.

Most feeds name their orders by AmazonOrderID: acknowledgements always do (they confirm,
assign merchant ids or cancel), adjustments and fulfilments usually (they refund and
cancel units, or ship and apply the refunds held until then). For a run of such
messages ``RowBatch`` loads (and locks) the orders they name, with their lines, as
plain rows in a few statements on the driver; the rules (``orders.refunds``,
``orders.cancellation``, ``orders.shipping`` and the merchant-id checks of
``OrderService``) run on those rows unchanged, and what they record or change is written
with one ``executemany`` per table. Building ORM objects, and having the unit of work
find and write what changed, were most of the cost of such feeds (docs/design.md, "Runs
on plain rows"). Adjustments and fulfilments by MerchantOrderID go through the ORM.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeGuard

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from feedsvc.db.bulk import allocate_ids
from feedsvc.db.driver import DriverStatement
from feedsvc.orders.commands import Acknowledgement, Adjustment, Fulfillment, OrderCommand
from feedsvc.orders.models import (
    CHARGE_COLUMNS,
    BuyerNotification,
    Cancellation,
    Order,
    OrderItem,
    Refund,
    RefundComponent,
    Shipment,
    ShipmentLine,
)
from feedsvc.orders.types import (
    NewCancellation,
    NewNotification,
    NewRefund,
    NewShipment,
    RefundState,
    check_units,
    column_lists,
    order_status,
)

_INSERT_REFUND = DriverStatement(insert(Refund))
# Inline: no RETURNING of the new ids (an executemany has no rows to give).
_INSERT_COMPONENT = DriverStatement(insert(RefundComponent).inline())
_INSERT_CANCELLATION = DriverStatement(insert(Cancellation).inline())
_INSERT_NOTIFICATION = DriverStatement(insert(BuyerNotification).inline())
_INSERT_SHIPMENT = DriverStatement(insert(Shipment))
_INSERT_SHIPMENT_LINE = DriverStatement(insert(ShipmentLine).inline())
_SET_LINE = DriverStatement(
    update(OrderItem)
    .where(OrderItem.id == bindparam("row_id"))
    .values(
        quantity_shipped=bindparam("shipped"),
        quantity_cancelled=bindparam("cancelled"),
        merchant_order_item_id=bindparam("merchant_id"),
    )
)
_SET_APPLIED = DriverStatement(
    update(Refund).where(Refund.id == bindparam("row_id")).values(state=RefundState.APPLIED)
)
_SET_ORDER = DriverStatement(
    update(Order)
    .where(Order.id == bindparam("row_id"))
    .values(status=bindparam("new_status"), merchant_order_id=bindparam("merchant_id"))
)
_CHARGE_INDEX: dict[str, int] = {component: n for n, component in enumerate(CHARGE_COLUMNS)}
# The run's orders, locked in id order, as every writer of an order locks it first
# (PostgreSQL; SQLite's writers are serialised already).
_ORDERS = DriverStatement(
    select(
        Order.id,
        Order.amazon_order_id,
        Order.currency,
        Order.status,
        Order.buyer_name,
        Order.buyer_email,
        Order.merchant_order_id,
    )
    .where(
        Order.seller_pk == bindparam("seller_pk"),
        Order.amazon_order_id.in_(bindparam("amazon_order_ids", expanding=True)),
    )
    .order_by(Order.id)
    .with_for_update()
)
_LINES = DriverStatement(
    select(
        OrderItem.order_id,
        OrderItem.id,
        OrderItem.amazon_order_item_code,
        OrderItem.merchant_order_item_id,
        OrderItem.sku,
        OrderItem.quantity_ordered,
        OrderItem.quantity_shipped,
        OrderItem.quantity_cancelled,
        *(getattr(OrderItem, column) for column in CHARGE_COLUMNS.values()),
    )
    .where(OrderItem.order_id.in_(bindparam("order_ids", expanding=True)))
    .order_by(OrderItem.id)
)
_REFUNDED = DriverStatement(
    select(Refund.item_id, RefundComponent.component, func.sum(RefundComponent.amount))
    .join(Refund, Refund.id == RefundComponent.refund_id)
    .where(Refund.order_id.in_(bindparam("order_ids", expanding=True)))
    .group_by(Refund.item_id, RefundComponent.component)
)
_PENDING = DriverStatement(
    select(Refund.order_id, Refund.id)
    .where(
        Refund.order_id.in_(bindparam("order_ids", expanding=True)),
        Refund.state == RefundState.PENDING,
    )
    .order_by(Refund.id)
)
# A MerchantOrderID or MerchantOrderItemID that moves from one row to another within a
# run is unique at every step only if the rows that give theirs up let go of it first.
_CLEAR_ORDER_MERCHANT_ID = DriverStatement(
    update(Order).where(Order.id == bindparam("row_id")).values(merchant_order_id=None)
)
_CLEAR_LINE_MERCHANT_ID = DriverStatement(
    update(OrderItem).where(OrderItem.id == bindparam("row_id")).values(merchant_order_item_id=None)
)
_MERCHANT_ID_OWNERS = DriverStatement(
    select(Order.merchant_order_id, Order.id, Order.amazon_order_id).where(
        Order.seller_pk == bindparam("seller_pk"),
        Order.merchant_order_id.in_(bindparam("merchant_ids", expanding=True)),
    )
)
_USED_ADJUSTMENT_IDS = DriverStatement(
    select(Refund.merchant_adjustment_item_id).where(
        Refund.seller_pk == bindparam("seller_pk"),
        Refund.merchant_adjustment_item_id.in_(bindparam("adjustment_ids", expanding=True)),
    )
)


@dataclass(slots=True)
class ItemRow:
    """An order line as the refund and cancellation rules read and change it."""

    id: int
    amazon_order_item_code: str
    merchant_order_item_id: str | None
    sku: str
    quantity_ordered: int
    quantity_shipped: int
    quantity_cancelled: int
    charges: tuple[int, ...]  # in the order of models.CHARGE_COLUMNS

    def charged(self, component: str) -> int:
        index = _CHARGE_INDEX.get(component)
        return 0 if index is None else self.charges[index]

    @property
    def total_charged(self) -> int:
        return sum(self.charges)

    @property
    def quantity_unshipped(self) -> int:
        return self.quantity_ordered - self.quantity_shipped - self.quantity_cancelled

    def cancel_units(self, quantity: int) -> None:
        check_units("cancel", quantity, self.quantity_unshipped)
        self.quantity_cancelled += quantity

    def ship_units(self, quantity: int) -> None:
        check_units("ship", quantity, self.quantity_unshipped)
        self.quantity_shipped += quantity


@dataclass(slots=True)
class OrderRow:
    """An order and its lines as the rules read and change them."""

    id: int
    seller_pk: int
    amazon_order_id: str
    currency: str
    status: str
    buyer_name: str | None
    buyer_email: str | None
    merchant_order_id: str | None
    items: list[ItemRow] = field(default_factory=list)

    @property
    def has_shipped(self) -> bool:
        return any(item.quantity_shipped for item in self.items)

    def refresh_status(self) -> None:
        self.status = order_status(self.items)


PlainCommand = Adjustment | Acknowledgement | Fulfillment


@dataclass(frozen=True, slots=True)
class OrderRef:
    """Which order holds a MerchantOrderID."""

    id: int
    amazon_order_id: str


class RowBatch:
    """One seller's orders named by a run of plain-row messages (``takes``), locked, as
    rows.

    It is the rules' ``RefundLedger``, ``CancellationLedger`` and ``ShipmentLedger`` for
    the run: it answers from what it loaded, keeps the totals, used adjustment ids and
    pending refunds current as the rules record things, and holds the new rows, and the
    lines, orders and refunds the rules changed, until ``write``.
    """

    def __init__(self, session: Session, seller_pk: int, commands: Iterable[PlainCommand]) -> None:
        self._session = session
        self._seller_pk = seller_pk
        amazon_ids: set[str] = set()
        self._adjustment_keys: set[str] = set()
        self._merchant_keys: set[str] = set()
        refunds = shipments = False
        for command in commands:
            assert command.amazon_order_id is not None  # RowBatch.takes(command)
            amazon_ids.add(command.amazon_order_id)
            if isinstance(command, Adjustment):
                refunds = True
                self._adjustment_keys.update(
                    item.merchant_adjustment_item_id
                    for item in command.items
                    if item.merchant_adjustment_item_id is not None
                )
            shipments = shipments or isinstance(command, Fulfillment)
            if isinstance(command, Acknowledgement) and command.merchant_order_id:
                self._merchant_keys.add(command.merchant_order_id)
        self._orders: dict[str, OrderRow] = {}
        self._refunded: dict[int, dict[str, int]] = defaultdict(dict)
        self._used: set[str] = set()
        self._pending: dict[int, list[int]] = defaultdict(list)  # refund ids by order id
        self._owners: dict[str, OrderRef] = {}  # the holders of the run's MerchantOrderIDs
        # What the rows said when loaded: a row is written back if the rules changed it.
        self._loaded_lines: dict[int, tuple[int, int, str | None]] = {}
        self._loaded_orders: dict[int, tuple[str, str | None]] = {}
        self._refunds: list[NewRefund] = []
        self._cancellations: list[NewCancellation] = []
        self._notifications: list[NewNotification] = []
        self._shipments: list[NewShipment] = []
        self._released: list[int] = []  # pending refunds the run's shipments applied
        if amazon_ids:
            self._load(amazon_ids, refunds=refunds, shipments=shipments)

    @staticmethod
    def takes(command: OrderCommand) -> TypeGuard[PlainCommand]:
        """Whether ``command`` names its order by AmazonOrderID (an acknowledgement
        always does; an adjustment or a fulfilment may name it by MerchantOrderID)."""
        if isinstance(command, Adjustment | Fulfillment):
            return command.amazon_order_id is not None
        return isinstance(command, Acknowledgement)

    def _load(self, amazon_ids: set[str], *, refunds: bool, shipments: bool) -> None:
        self._session.flush()  # what the session holds, before reading around it
        connection = self._session.connection()
        by_id: dict[int, OrderRow] = {}
        keys = {"seller_pk": self._seller_pk, "amazon_order_ids": list(amazon_ids)}
        for order_id, amazon_id, currency, status, name, email, merchant_id in _ORDERS.rows(
            connection, keys
        ):
            row = OrderRow(
                order_id, self._seller_pk, amazon_id, currency, status, name, email, merchant_id
            )
            by_id[order_id] = self._orders[amazon_id] = row
            self._loaded_orders[order_id] = _order_state(row)
        if self._merchant_keys:
            owners = {"seller_pk": self._seller_pk, "merchant_ids": list(self._merchant_keys)}
            for merchant_id, order_id, amazon_id in _MERCHANT_ID_OWNERS.rows(connection, owners):
                self._owners[merchant_id] = OrderRef(order_id, amazon_id)
        if not by_id:
            return
        order_ids = {"order_ids": list(by_id)}
        for (
            order_id,
            item_id,
            code,
            merchant_id,
            sku,
            ordered,
            shipped,
            cancelled,
            *charges,
        ) in _LINES.rows(connection, order_ids):
            line = ItemRow(
                item_id, code, merchant_id, sku, ordered, shipped, cancelled, tuple(charges)
            )
            by_id[order_id].items.append(line)
            self._loaded_lines[item_id] = _line_state(line)
        if shipments:
            for order_id, refund_id in _PENDING.rows(connection, order_ids):
                self._pending[order_id].append(refund_id)
        if not refunds:
            return
        for item_id, component, total in _REFUNDED.rows(connection, order_ids):
            self._refunded[item_id][component] = int(total)
        if self._adjustment_keys:
            used = {"seller_pk": self._seller_pk, "adjustment_ids": list(self._adjustment_keys)}
            self._used.update(key for (key,) in _USED_ADJUSTMENT_IDS.rows(connection, used))

    def order(self, amazon_order_id: str) -> OrderRow | None:
        return self._orders.get(amazon_order_id)

    def merchant_order_id_owner(self, seller_pk: int, merchant_order_id: str) -> OrderRef | None:
        if seller_pk != self._seller_pk or merchant_order_id not in self._merchant_keys:
            query = select(Order.id, Order.amazon_order_id).where(
                Order.seller_pk == seller_pk, Order.merchant_order_id == merchant_order_id
            )
            found = self._session.execute(query).first()
            return None if found is None else OrderRef(found[0], found[1])
        return self._owners.get(merchant_order_id)

    def assign_merchant_order_id(self, order: OrderRow, merchant_order_id: str) -> None:
        previous = order.merchant_order_id
        if previous is not None:  # held by no order now (ids are unique per seller)
            self._owners.pop(previous, None)
            self._merchant_keys.add(previous)
        order.merchant_order_id = merchant_order_id
        self._merchant_keys.add(merchant_order_id)
        self._owners[merchant_order_id] = OrderRef(order.id, order.amazon_order_id)

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
        self._refunds.append(new)

    def add_cancellation(self, new: NewCancellation) -> None:
        self._cancellations.append(new)

    def add_notification(self, new: NewNotification) -> None:
        self._notifications.append(new)

    def add_shipment(self, new: NewShipment) -> None:
        self._shipments.append(new)

    def release_pending_refunds(self, order_id: int) -> None:
        self._released.extend(self._pending.pop(order_id, ()))
        if not self._refunds:  # a fulfilment feed's runs record no refunds
            return
        self._refunds = [
            replace(r, state=RefundState.APPLIED)
            if r.order_id == order_id and r.state == RefundState.PENDING
            else r
            for r in self._refunds
        ]

    def write(self) -> None:
        """Insert the recorded rows, in the order recorded, and write back the lines,
        orders and refunds the rules changed."""
        refunds, self._refunds = self._refunds, []
        write_refunds(self._session, refunds)
        cancellations, self._cancellations = self._cancellations, []
        notifications, self._notifications = self._notifications, []
        write_cancellations(self._session, cancellations, notifications)
        shipments, self._shipments = self._shipments, []
        write_shipments(self._session, shipments)
        lines = [
            line
            for order in self._orders.values()
            for line in order.items
            if _line_state(line) != self._loaded_lines[line.id]
        ]
        orders = [o for o in self._orders.values() if _order_state(o) != self._loaded_orders[o.id]]
        released, self._released = self._released, []
        connection = self._session.connection()
        renamed_lines = [
            i.id for i in lines if i.merchant_order_item_id != self._loaded_lines[i.id][2]
        ]
        renamed_orders = [
            o.id for o in orders if o.merchant_order_id != self._loaded_orders[o.id][1]
        ]
        _CLEAR_LINE_MERCHANT_ID.execute_columns(connection, {"row_id": renamed_lines})
        _CLEAR_ORDER_MERCHANT_ID.execute_columns(connection, {"row_id": renamed_orders})
        _SET_LINE.execute_columns(
            connection,
            {
                "row_id": [i.id for i in lines],
                "shipped": [i.quantity_shipped for i in lines],
                "cancelled": [i.quantity_cancelled for i in lines],
                "merchant_id": [i.merchant_order_item_id for i in lines],
            },
        )
        _SET_ORDER.execute_columns(
            connection,
            {
                "row_id": [o.id for o in orders],
                "new_status": [o.status for o in orders],
                "merchant_id": [o.merchant_order_id for o in orders],
            },
        )
        _SET_APPLIED.execute_columns(connection, {"row_id": released})
        for line in lines:
            self._loaded_lines[line.id] = _line_state(line)
        for order in orders:
            self._loaded_orders[order.id] = _order_state(order)
        # The session may hold these rows as objects from an earlier message of the batch
        # (one applied alone, through the ORM): they must not answer with old values.
        _expire(self._session, Order, (o.id for o in orders))
        _expire(self._session, OrderItem, (i.id for i in lines))
        _expire(self._session, Refund, released)


def _line_state(line: ItemRow) -> tuple[int, int, str | None]:
    """What the rules may change of a line."""
    return line.quantity_shipped, line.quantity_cancelled, line.merchant_order_item_id


def _order_state(order: OrderRow) -> tuple[str, str | None]:
    """What the rules may change of an order."""
    return order.status, order.merchant_order_id


def _expire(session: Session, entity: type[Any], ids: Iterable[int]) -> None:
    """Expire the session's objects of ``entity`` with these ids, if it holds any."""
    held = session.identity_map
    if not len(held):
        return
    for row_id in ids:
        instance = held.get(session.identity_key(entity, row_id))
        if instance is not None:
            session.expire(instance)


def write_refunds(session: Session, refunds: Sequence[NewRefund]) -> None:
    """Insert refunds and their components with one ``executemany`` each, on the driver."""
    _write_with_parts(
        session,
        Refund,
        _INSERT_REFUND,
        refunds,
        "components",
        _INSERT_COMPONENT,
        ("refund_id", "component", "amount"),
    )


def write_cancellations(
    session: Session,
    cancellations: Sequence[NewCancellation],
    notifications: Sequence[NewNotification],
) -> None:
    """Insert cancellations and buyer e-mails with one ``executemany`` each, on the driver."""
    connection = session.connection()
    _INSERT_CANCELLATION.execute_columns(connection, column_lists(NewCancellation, cancellations))
    _INSERT_NOTIFICATION.execute_columns(connection, column_lists(NewNotification, notifications))


def write_shipments(session: Session, shipments: Sequence[NewShipment]) -> None:
    """Insert shipments and their lines with one ``executemany`` each, on the driver."""
    _write_with_parts(
        session,
        Shipment,
        _INSERT_SHIPMENT,
        shipments,
        "lines",
        _INSERT_SHIPMENT_LINE,
        ("shipment_id", "item_id", "quantity"),
    )


def _write_with_parts(
    session: Session,
    entity: type[Any],
    insert_rows: DriverStatement,
    rows: Sequence[NewRefund] | Sequence[NewShipment],
    parts: str,
    insert_parts: DriverStatement,
    part_columns: tuple[str, str, str],
) -> None:
    """Insert ``rows`` of ``entity`` and, for each, the (a, b) pairs of its field ``parts``
    as rows of their own: (the row's new id, a, b) under ``part_columns``."""
    if not rows:
        return
    ids = allocate_ids(session, entity, len(rows))
    connection = session.connection()
    columns = column_lists(type(rows[0]), rows, leave_out=parts)
    insert_rows.execute_columns(connection, {"id": ids, **columns})
    owners: list[int] = []
    firsts: list[Any] = []
    seconds: list[Any] = []
    for row_id, row in zip(ids, rows, strict=True):
        for first, second in getattr(row, parts):
            owners.append(row_id)
            firsts.append(first)
            seconds.append(second)
    owner, first_name, second_name = part_columns
    insert_parts.execute_columns(
        connection, {owner: owners, first_name: firsts, second_name: seconds}
    )
