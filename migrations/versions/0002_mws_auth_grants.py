"""mws auth grants

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mws_auth_grants",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column(
            "seller_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "developer_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["developer_pk"], ["sellers.id"], name=op.f("fk_mws_auth_grants_developer_pk_sellers")
        ),
        sa.ForeignKeyConstraint(
            ["seller_pk"], ["sellers.id"], name=op.f("fk_mws_auth_grants_seller_pk_sellers")
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_mws_auth_grants")),
    )
    with op.batch_alter_table("mws_auth_grants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mws_auth_grants_seller_pk"), ["seller_pk"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("mws_auth_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mws_auth_grants_seller_pk"))

    op.drop_table("mws_auth_grants")
