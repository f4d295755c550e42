"""The engine that read each log file and ran each analysis (``duckdb``, or ``spark`` and its master).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    # Null for what was done before the engine was recorded: that was DuckDB, or Spark unrecorded.
    with op.batch_alter_table("log_files") as table:
        table.add_column(sa.Column("engine", sa.String(200), nullable=True))
    with op.batch_alter_table("runs") as table:
        table.add_column(sa.Column("engine", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as table:
        table.drop_column("engine")
    with op.batch_alter_table("log_files") as table:
        table.drop_column("engine")
