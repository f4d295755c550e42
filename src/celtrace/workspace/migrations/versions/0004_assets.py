"""Registered assets and their fingerprints, and fingerprints of the images troves hold.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "assets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("production", sa.String(200), nullable=False),
        sa.Column("episode", sa.String(100)),
        sa.Column("scene", sa.String(100)),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("registered_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "fingerprints",
        sa.Column("asset_id", sa.Integer(), sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("page", sa.Integer(), primary_key=True),
        sa.Column("method", sa.String(20), primary_key=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
    )
    op.create_table(
        "trove_fingerprints",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("trove_items.id"), primary_key=True),
        sa.Column("page", sa.Integer(), primary_key=True),
        sa.Column("method", sa.String(20), primary_key=True),
        sa.Column("variants", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("trove_fingerprints")
    op.drop_table("fingerprints")
    op.drop_table("assets")
