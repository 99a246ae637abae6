"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sellers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("marketplace_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sellers")),
        sa.UniqueConstraint("seller_id", name=op.f("uq_sellers_seller_id")),
    )
    op.create_table(
        "service_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_service_settings")),
    )
    op.create_table(
        "feed_submissions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "seller_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("feed_type", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("content_md5", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("marketplace_ids", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["seller_pk"], ["sellers.id"], name=op.f("fk_feed_submissions_seller_pk_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_submissions")),
    )
    with op.batch_alter_table("feed_submissions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feed_submissions_seller_submitted", ["seller_pk", "submitted_at"], unique=False
        )

    op.create_table(
        "mws_credentials",
        sa.Column("access_key_id", sa.String(length=128), nullable=False),
        sa.Column("secret_key", sa.String(length=256), nullable=False),
        sa.Column(
            "seller_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_pk"], ["sellers.id"], name=op.f("fk_mws_credentials_seller_pk_sellers")
        ),
        sa.PrimaryKeyConstraint("access_key_id", name=op.f("pk_mws_credentials")),
    )
    with op.batch_alter_table("mws_credentials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mws_credentials_seller_pk"), ["seller_pk"], unique=False
        )

    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "seller_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("amazon_order_id", sa.String(length=64), nullable=False),
        sa.Column("merchant_order_id", sa.String(length=64), nullable=True),
        sa.Column("marketplace_id", sa.String(length=32), nullable=False),
        sa.Column("purchase_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latest_ship_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("buyer_name", sa.String(length=128), nullable=True),
        sa.Column("buyer_email", sa.String(length=256), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_pk"], ["sellers.id"], name=op.f("fk_orders_seller_pk_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("amazon_order_id", name=op.f("uq_orders_amazon_order_id")),
        sa.UniqueConstraint(
            "seller_pk", "merchant_order_id", name=op.f("uq_orders_seller_pk_merchant_order_id")
        ),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_seller_pk"), ["seller_pk"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_status"), ["status"], unique=False)

    op.create_table(
        "buyer_notifications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "seller_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=256), nullable=False),
        sa.Column("subject", sa.String(length=256), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_buyer_notifications_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["seller_pk"], ["sellers.id"], name=op.f("fk_buyer_notifications_seller_pk_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_notifications")),
    )
    with op.batch_alter_table("buyer_notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_buyer_notifications_seller_created", ["seller_pk", "id"], unique=False
        )

    op.create_table(
        "feed_documents",
        sa.Column(
            "submission_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["feed_submissions.id"],
            name=op.f("fk_feed_documents_submission_id_feed_submissions"),
        ),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_feed_documents")),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column(
            "submission_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker_id", sa.String(length=128), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["feed_submissions.id"],
            name=op.f("fk_jobs_submission_id_feed_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_status_run_after", ["status", "run_after"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_submission_id"), ["submission_id"], unique=False)

    op.create_table(
        "order_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("amazon_order_item_code", sa.String(length=32), nullable=False),
        sa.Column("merchant_order_item_id", sa.String(length=64), nullable=True),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("asin", sa.String(length=16), nullable=True),
        sa.Column("quantity_ordered", sa.Integer(), nullable=False),
        sa.Column("quantity_shipped", sa.Integer(), nullable=False),
        sa.Column("quantity_cancelled", sa.Integer(), nullable=False),
        sa.Column("item_price", sa.Integer(), nullable=False),
        sa.Column("item_tax", sa.Integer(), nullable=False),
        sa.Column("shipping_price", sa.Integer(), nullable=False),
        sa.Column("shipping_tax", sa.Integer(), nullable=False),
        sa.Column("gift_wrap_price", sa.Integer(), nullable=False),
        sa.Column("gift_wrap_tax", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_items_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_items")),
        sa.UniqueConstraint(
            "order_id",
            "amazon_order_item_code",
            name=op.f("uq_order_items_order_id_amazon_order_item_code"),
        ),
        sa.UniqueConstraint(
            "order_id",
            "merchant_order_item_id",
            name=op.f("uq_order_items_order_id_merchant_order_item_id"),
        ),
    )
    op.create_table(
        "processing_reports",
        sa.Column(
            "submission_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("content_md5", sa.String(length=32), nullable=False),
        sa.Column("messages_processed", sa.Integer(), nullable=False),
        sa.Column("messages_successful", sa.Integer(), nullable=False),
        sa.Column("messages_with_error", sa.Integer(), nullable=False),
        sa.Column("messages_with_warning", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["feed_submissions.id"],
            name=op.f("fk_processing_reports_submission_id_feed_submissions"),
        ),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_processing_reports")),
    )
    op.create_table(
        "cancellations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("buyer_requested", sa.Boolean(), nullable=False),
        sa.Column(
            "feed_submission_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_submission_id"],
            ["feed_submissions.id"],
            name=op.f("fk_cancellations_feed_submission_id_feed_submissions"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["order_items.id"], name=op.f("fk_cancellations_item_id_order_items")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_cancellations_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cancellations")),
    )
    with op.batch_alter_table("cancellations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cancellations_order_id"), ["order_id"], unique=False)

    op.create_table(
        "refunds",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "seller_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("merchant_adjustment_item_id", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column(
            "feed_submission_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_submission_id"],
            ["feed_submissions.id"],
            name=op.f("fk_refunds_feed_submission_id_feed_submissions"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["order_items.id"], name=op.f("fk_refunds_item_id_order_items")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_refunds_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["seller_pk"], ["sellers.id"], name=op.f("fk_refunds_seller_pk_sellers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint(
            "seller_pk",
            "merchant_adjustment_item_id",
            name=op.f("uq_refunds_seller_pk_merchant_adjustment_item_id"),
        ),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refunds_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refunds_order_id"), ["order_id"], unique=False)

    op.create_table(
        "refund_components",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "refund_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("component", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refunds.id"], name=op.f("fk_refund_components_refund_id_refunds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_components")),
    )
    with op.batch_alter_table("refund_components", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refund_components_refund_id"), ["refund_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("refund_components", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_components_refund_id"))

    op.drop_table("refund_components")
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refunds_order_id"))
        batch_op.drop_index(batch_op.f("ix_refunds_item_id"))

    op.drop_table("refunds")
    with op.batch_alter_table("cancellations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cancellations_order_id"))

    op.drop_table("cancellations")
    op.drop_table("processing_reports")
    op.drop_table("order_items")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_submission_id"))
        batch_op.drop_index("ix_jobs_status_run_after")

    op.drop_table("jobs")
    op.drop_table("feed_documents")
    with op.batch_alter_table("buyer_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_buyer_notifications_seller_created")

    op.drop_table("buyer_notifications")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_status"))
        batch_op.drop_index(batch_op.f("ix_orders_seller_pk"))

    op.drop_table("orders")
    with op.batch_alter_table("mws_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mws_credentials_seller_pk"))

    op.drop_table("mws_credentials")
    with op.batch_alter_table("feed_submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_feed_submissions_seller_submitted")

    op.drop_table("feed_submissions")
    op.drop_table("service_settings")
    op.drop_table("sellers")
