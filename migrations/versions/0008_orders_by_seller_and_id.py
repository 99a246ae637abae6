"""orders looked up by seller and AmazonOrderID

A feed's orders are found by (seller, AmazonOrderID IN (...)). With an index on seller_pk
alone, SQLite's planner searched that index and read every order of the seller for each
batch; the two-column index serves that lookup, and every lookup by seller alone.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_orders_seller_pk_amazon_order_id", ["seller_pk", "amazon_order_id"], unique=False
        )
        batch_op.drop_index("ix_orders_seller_pk")


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_seller_pk", ["seller_pk"], unique=False)
        batch_op.drop_index("ix_orders_seller_pk_amazon_order_id")
