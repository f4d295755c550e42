"""Imported log files; their events live in Parquet files beside the store.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "log_files",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("format", sa.String(40), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.BigInteger(), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("rejected", sa.BigInteger(), nullable=False),
        sa.Column("samples", _JSON, nullable=False),
        sa.Column("first_ts", sa.String(40)),
        sa.Column("last_ts", sa.String(40)),
        sa.Column("parquet", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("source", "sha256"),
    )


def downgrade() -> None:
    op.drop_table("log_files")
