"""Local features (ORB keypoints and descriptors) of registered assets and trove images; who held a trove.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    with op.batch_alter_table("troves") as troves:
        troves.add_column(sa.Column("holder", sa.Text()))
    op.create_table(
        "asset_features",
        sa.Column("asset_id", sa.Integer(), sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("page", sa.Integer(), primary_key=True),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("points", sa.LargeBinary(), nullable=False),
        sa.Column("descriptors", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "trove_features",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("trove_items.id"), primary_key=True),
        sa.Column("page", sa.Integer(), primary_key=True),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("points", sa.LargeBinary(), nullable=False),
        sa.Column("descriptors", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("trove_features")
    op.drop_table("asset_features")
    with op.batch_alter_table("troves") as troves:
        troves.drop_column("holder")
