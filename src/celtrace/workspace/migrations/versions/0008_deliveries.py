"""Watermarked deliveries and their drawings, the workspace's own secrets, and watermarks read from troves.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "workspace_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("vendor_id", sa.String(200)),
        sa.Column("vendor_name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("out_dir", sa.Text(), nullable=False),
        sa.Column("note", sa.Text()),
    )
    op.create_index("ix_deliveries_vendor_id", "deliveries", ["vendor_id"])
    op.create_table(
        "delivery_items",
        sa.Column("delivery_id", sa.BigInteger(), sa.ForeignKey("deliveries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("asset_id", sa.Integer(), sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
    )
    op.create_index("ix_delivery_items_asset_id", "delivery_items", ["asset_id"])
    op.create_index("ix_delivery_items_sha256", "delivery_items", ["sha256"])
    op.create_table(
        "trove_watermarks",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("trove_items.id"), primary_key=True),
        sa.Column("asset_id", sa.Integer(), sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("delivery_id", sa.BigInteger(), sa.ForeignKey("deliveries.id"), nullable=True),
        sa.Column("z", sa.Float(), nullable=False),
        sa.Column("bound", sa.Float(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decoded_at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("trove_watermarks")
    op.drop_index("ix_delivery_items_sha256", "delivery_items")
    op.drop_index("ix_delivery_items_asset_id", "delivery_items")
    op.drop_table("delivery_items")
    op.drop_index("ix_deliveries_vendor_id", "deliveries")
    op.drop_table("deliveries")
    op.drop_table("workspace_secrets")
