"""Orders and order items with their unit counts, charges, cancellations and refunds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedsvc.db.base import Base, BigIntId, UTCDateTime
from feedsvc.orders.types import Component, check_units, order_status


class Order(Base):
    """A seller-fulfilled Amazon order."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("seller_pk", "merchant_order_id"),
        # Feeds find their orders by seller and AmazonOrderID (see migration 0008).
        Index("ix_orders_seller_pk_amazon_order_id", "seller_pk", "amazon_order_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    seller_pk: Mapped[int] = mapped_column(ForeignKey("sellers.id"))
    amazon_order_id: Mapped[str] = mapped_column(String(64), unique=True)
    merchant_order_id: Mapped[str | None] = mapped_column(String(64))
    marketplace_id: Mapped[str] = mapped_column(String(32))
    purchase_date: Mapped[datetime] = mapped_column(UTCDateTime())
    latest_ship_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    currency: Mapped[str] = mapped_column(String(3))
    buyer_name: Mapped[str | None] = mapped_column(String(128))
    buyer_email: Mapped[str | None] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(24), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    items: Mapped[list[OrderItem]] = relationship(
        back_populates="order", lazy="selectin", order_by="OrderItem.id"
    )

    def refresh_status(self) -> None:
        """Derive Unshipped / PartiallyShipped / Shipped / Canceled from the unit counts."""
        self.status = order_status(self.items)

    @property
    def has_shipped(self) -> bool:
        return any(item.quantity_shipped for item in self.items)


# The column of each charged component: a refund of it is bounded by what is stored there.
CHARGE_COLUMNS: dict[str, str] = {
    Component.PRINCIPAL: "item_price",
    Component.TAX: "item_tax",
    Component.SHIPPING: "shipping_price",
    Component.SHIPPING_TAX: "shipping_tax",
    Component.GIFT_WRAP: "gift_wrap_price",
    Component.GIFT_WRAP_TAX: "gift_wrap_tax",
}


class OrderItem(Base):
    """One order line: a SKU, how many units, and what the buyer was charged for them."""

    __tablename__ = "order_items"
    __table_args__ = (
        UniqueConstraint("order_id", "amazon_order_item_code"),
        UniqueConstraint("order_id", "merchant_order_item_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    amazon_order_item_code: Mapped[str] = mapped_column(String(32))
    merchant_order_item_id: Mapped[str | None] = mapped_column(String(64))
    sku: Mapped[str] = mapped_column(String(64))
    asin: Mapped[str | None] = mapped_column(String(16))
    quantity_ordered: Mapped[int] = mapped_column(Integer)
    quantity_shipped: Mapped[int] = mapped_column(Integer, default=0)
    quantity_cancelled: Mapped[int] = mapped_column(Integer, default=0)
    # Line totals in hundredths of the order currency.
    item_price: Mapped[int] = mapped_column(Integer, default=0)
    item_tax: Mapped[int] = mapped_column(Integer, default=0)
    shipping_price: Mapped[int] = mapped_column(Integer, default=0)
    shipping_tax: Mapped[int] = mapped_column(Integer, default=0)
    gift_wrap_price: Mapped[int] = mapped_column(Integer, default=0)
    gift_wrap_tax: Mapped[int] = mapped_column(Integer, default=0)

    order: Mapped[Order] = relationship(back_populates="items")

    @property
    def quantity_unshipped(self) -> int:
        return self.quantity_ordered - self.quantity_shipped - self.quantity_cancelled

    def charged(self, component: str) -> int:
        """What the buyer was charged for one component of this line (0 if none)."""
        column = CHARGE_COLUMNS.get(component)
        return 0 if column is None else int(getattr(self, column))

    @property
    def total_charged(self) -> int:
        return sum(int(getattr(self, column)) for column in CHARGE_COLUMNS.values())

    def ship_units(self, quantity: int) -> None:
        """Confirm the shipment of unshipped units; callers check the quantity first."""
        check_units("ship", quantity, self.quantity_unshipped)
        self.quantity_shipped += quantity

    def cancel_units(self, quantity: int) -> None:
        """Cancel unshipped units; callers check the quantity first."""
        check_units("cancel", quantity, self.quantity_unshipped)
        self.quantity_cancelled += quantity


class Cancellation(Base):
    """Units of one order line cancelled by a feed, the admin API or the auto-cancel rule."""

    __tablename__ = "cancellations"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("order_items.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))
    buyer_requested: Mapped[bool]
    memo: Mapped[str | None] = mapped_column(Text)
    feed_submission_id: Mapped[int | None] = mapped_column(ForeignKey("feed_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    item: Mapped[OrderItem] = relationship(lazy="joined")


class Refund(Base):
    """A refund of one order line, split into components (see RefundComponent)."""

    __tablename__ = "refunds"
    __table_args__ = (UniqueConstraint("seller_pk", "merchant_adjustment_item_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    seller_pk: Mapped[int] = mapped_column(ForeignKey("sellers.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("order_items.id"), index=True)
    reason: Mapped[str] = mapped_column(String(64))
    merchant_adjustment_item_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    feed_submission_id: Mapped[int | None] = mapped_column(ForeignKey("feed_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    item: Mapped[OrderItem] = relationship(lazy="joined")
    components: Mapped[list[RefundComponent]] = relationship(
        lazy="selectin", order_by="RefundComponent.id"
    )

    @property
    def net_amount(self) -> int:
        return sum(component.amount for component in self.components)


class RefundComponent(Base):
    """One priced component of a refund, in hundredths of the order currency."""

    __tablename__ = "refund_components"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    refund_id: Mapped[int] = mapped_column(ForeignKey("refunds.id"), index=True)
    component: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(Integer)


class Shipment(Base):
    """A confirmed shipment: when, by which carrier, with which tracking number."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    fulfillment_date: Mapped[datetime] = mapped_column(UTCDateTime())
    merchant_fulfillment_id: Mapped[str | None] = mapped_column(String(32))
    carrier_code: Mapped[str | None] = mapped_column(String(64))
    carrier_name: Mapped[str | None] = mapped_column(String(64))
    shipping_method: Mapped[str | None] = mapped_column(String(64))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    feed_submission_id: Mapped[int | None] = mapped_column(ForeignKey("feed_submissions.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    lines: Mapped[list[ShipmentLine]] = relationship(lazy="selectin", order_by="ShipmentLine.id")


class ShipmentLine(Base):
    """How many units of one order line a shipment carried."""

    __tablename__ = "shipment_lines"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("order_items.id"))
    quantity: Mapped[int] = mapped_column(Integer)

    item: Mapped[OrderItem] = relationship(lazy="joined")


class BuyerNotification(Base):
    """The e-mail Amazon would have sent the buyer."""

    __tablename__ = "buyer_notifications"
    __table_args__ = (Index("ix_buyer_notifications_seller_created", "seller_pk", "id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    seller_pk: Mapped[int] = mapped_column(ForeignKey("sellers.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(256))
    subject: Mapped[str] = mapped_column(String(256))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    order: Mapped[Order] = relationship(lazy="joined")
