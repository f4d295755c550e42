"""What the documents found in a trove say: languages, Korean variant, dates, metadata.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "trove_documents",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("trove_items.id"), primary_key=True),
        sa.Column("inspection", _JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("trove_documents")
