"""feed documents in pieces

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing documents become piece 0 of themselves.
    with op.batch_alter_table("feed_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=False, server_default="0"))
        batch_op.drop_constraint("pk_feed_documents", type_="primary")
        batch_op.create_primary_key("pk_feed_documents", ["submission_id", "seq"])


def downgrade() -> None:
    op.execute("DELETE FROM feed_documents WHERE seq > 0")
    with op.batch_alter_table("feed_documents", schema=None) as batch_op:
        batch_op.drop_constraint("pk_feed_documents", type_="primary")
        batch_op.create_primary_key("pk_feed_documents", ["submission_id"])
        batch_op.drop_column("seq")
