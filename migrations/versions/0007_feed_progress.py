"""feed progress

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "submission_results",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "submission_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("message_id", sa.String(length=24), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("code", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amazon_order_id", sa.String(length=64), nullable=True),
        sa.Column("amazon_order_item_code", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["feed_submissions.id"],
            name=op.f("fk_submission_results_submission_id_feed_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_results")),
    )
    with op.batch_alter_table("submission_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submission_results_submission_id"), ["submission_id"], unique=False
        )

    with op.batch_alter_table("feed_submissions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("messages_done", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("feed_submissions", schema=None) as batch_op:
        batch_op.drop_column("messages_done")

    with op.batch_alter_table("submission_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_results_submission_id"))

    op.drop_table("submission_results")
