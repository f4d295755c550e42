"""Troves and their custody manifests.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

# Like the audit log, a custody manifest is append-only in the database itself.
_SQLITE_TRIGGERS = [
    """CREATE TRIGGER trove_items_no_update BEFORE UPDATE ON trove_items
       BEGIN SELECT RAISE(ABORT, 'trove_items is append-only'); END""",
    """CREATE TRIGGER trove_items_no_delete BEFORE DELETE ON trove_items
       BEGIN SELECT RAISE(ABORT, 'trove_items is append-only'); END""",
]
_POSTGRES_TRIGGERS = [
    """CREATE FUNCTION celtrace_trove_items_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'trove_items is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER trove_items_append_only BEFORE UPDATE OR DELETE ON trove_items
       FOR EACH ROW EXECUTE FUNCTION celtrace_trove_items_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "troves",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case", sa.String(200), nullable=False),
        sa.Column("root", sa.Text(), nullable=False),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("finished_at", sa.String(40)),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.UniqueConstraint("case", "root"),
    )
    op.create_table(
        "trove_items",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("trove_id", sa.Integer(), sa.ForeignKey("troves.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("path", sa.JSON(), nullable=False),
        sa.Column("display_path", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(40)),
        sa.Column("extension_lies", sa.Boolean(), nullable=False),
        sa.Column("size", sa.BigInteger()),
        sa.Column("sha256", sa.String(64)),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("taken_at", sa.String(40), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
        sa.UniqueConstraint("trove_id", "display_path"),
        sa.UniqueConstraint("trove_id", "seq"),
    )
    op.create_index("ix_trove_items_sha256", "trove_items", ["sha256"])
    triggers = _POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS celtrace_trove_items_append_only() CASCADE")
    op.drop_table("trove_items")
    op.drop_table("troves")
