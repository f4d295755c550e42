"""Sanctions lists and their targets.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "sanction_lists",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("format", sa.String(40), nullable=False),
        sa.Column("published", sa.String(40)),
        sa.Column("loaded_at", sa.String(40), nullable=False),
        sa.Column("files", JSON, nullable=False),
        sa.Column("target_count", sa.Integer(), nullable=False),
        sa.Column("programs", JSON, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "targets",
        sa.Column("list_id", sa.Integer(), sa.ForeignKey("sanction_lists.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("schema", sa.String(40), nullable=False),
        sa.Column("names", JSON, nullable=False),
        sa.Column("programs", JSON, nullable=False),
        sa.Column("countries", JSON, nullable=False),
        sa.Column("addresses", JSON, nullable=False),
        sa.Column("identifiers", JSON, nullable=False),
        sa.Column("birth_dates", JSON, nullable=False),
        sa.Column("listed_on", sa.String(40)),
        sa.Column("remarks", sa.Text()),
    )


def downgrade() -> None:
    op.drop_table("targets")
    op.drop_table("sanction_lists")
