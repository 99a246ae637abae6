"""shipments

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shipments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("fulfillment_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("merchant_fulfillment_id", sa.String(length=32), nullable=True),
        sa.Column("carrier_code", sa.String(length=64), nullable=True),
        sa.Column("carrier_name", sa.String(length=64), nullable=True),
        sa.Column("shipping_method", sa.String(length=64), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column(
            "feed_submission_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_submission_id"],
            ["feed_submissions.id"],
            name=op.f("fk_shipments_feed_submission_id_feed_submissions"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_shipments_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipments_order_id"), ["order_id"], unique=False)

    op.create_table(
        "shipment_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "shipment_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["order_items.id"], name=op.f("fk_shipment_lines_item_id_order_items")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_shipment_lines_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_lines")),
    )
    with op.batch_alter_table("shipment_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipment_lines_shipment_id"), ["shipment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("shipment_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_lines_shipment_id"))

    op.drop_table("shipment_lines")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipments_order_id"))

    op.drop_table("shipments")
