"""throttling and faults

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "faults",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "seller_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=True),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("hold_status", sa.String(length=40), nullable=True),
        sa.Column("hold_seconds", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_pk"], ["sellers.id"], name=op.f("fk_faults_seller_pk_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faults")),
    )
    with op.batch_alter_table("faults", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_faults_seller_pk"), ["seller_pk"], unique=False)

    op.create_table(
        "quota_buckets",
        sa.Column(
            "seller_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("refilled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_pk"], ["sellers.id"], name=op.f("fk_quota_buckets_seller_pk_sellers")
        ),
        sa.PrimaryKeyConstraint("seller_pk", "operation", name=op.f("pk_quota_buckets")),
    )
    with op.batch_alter_table("feed_submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_until", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("sellers", schema=None) as batch_op:
        # Sellers created before this revision keep Amazon's real quotas.
        batch_op.add_column(
            sa.Column(
                "throttling_mode", sa.String(length=16), nullable=False, server_default="real"
            )
        )
        batch_op.add_column(
            sa.Column("throttling_speed", sa.Float(), nullable=False, server_default="1.0")
        )
        batch_op.add_column(
            sa.Column(
                "send_result_content_md5", sa.Boolean(), nullable=False, server_default=sa.true()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.drop_column("send_result_content_md5")
        batch_op.drop_column("throttling_speed")
        batch_op.drop_column("throttling_mode")

    with op.batch_alter_table("feed_submissions", schema=None) as batch_op:
        batch_op.drop_column("held_until")

    op.drop_table("quota_buckets")
    with op.batch_alter_table("faults", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_faults_seller_pk"))

    op.drop_table("faults")
