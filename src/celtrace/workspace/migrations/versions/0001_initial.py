"""The first schema: supply chain, analysis runs, findings and the audit log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")

# The audit log is append-only at the database level too, so that a stray UPDATE or DELETE (by a bug, a
# hand-run SQL shell or a web handler) fails instead of silently breaking the hash chain.
_SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
]
_POSTGRES_TRIGGERS = [
    """CREATE FUNCTION celtrace_audit_log_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION celtrace_audit_log_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "vendors",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("aliases", JSON, nullable=False),
        sa.Column("country", sa.String(8)),
        sa.Column("city", sa.Text()),
        sa.Column("address", sa.Text()),
        sa.Column("registration_numbers", JSON, nullable=False),
        sa.Column("website", sa.Text()),
        sa.Column("email_domains", JSON, nullable=False),
        sa.Column("phones", JSON, nullable=False),
        sa.Column("bank_country", sa.String(8)),
        sa.Column("payee", sa.Text()),
        sa.Column("payment_methods", JSON, nullable=False),
        sa.Column("languages", JSON, nullable=False),
        sa.Column("productions", JSON, nullable=False),
        sa.Column("notes", sa.Text()),
        sa.Column("origin", JSON, nullable=False),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("aliases", JSON, nullable=False),
        sa.Column("nationality", sa.String(8)),
        sa.Column("birth_date", sa.String(10)),
        sa.Column("role", sa.Text()),
        sa.Column("notes", sa.Text()),
        sa.Column("origin", JSON, nullable=False),
    )
    op.create_table(
        "links",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("source_kind", sa.String(16), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("production", sa.Text()),
        sa.Column("evidence", sa.Text()),
        sa.Column("origin", JSON, nullable=False),
        sa.UniqueConstraint("kind", "source_kind", "source_id", "target_kind", "target_id", "status"),
    )
    op.create_index("ix_links_target", "links", ["target_kind", "target_id"])
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("portal", sa.String(200), nullable=False),
        sa.Column("username", sa.String(320), nullable=False),
        sa.Column("vendor_id", sa.String(200), sa.ForeignKey("vendors.id")),
        sa.Column("person_id", sa.String(200), sa.ForeignKey("people.id")),
        sa.Column("origin", JSON, nullable=False),
        sa.UniqueConstraint("portal", "username"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.String(40), nullable=False),
        sa.Column("finished_at", sa.String(40)),
        sa.Column("rules", JSON, nullable=False),
        sa.Column("finding_count", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
    )
    op.create_table(
        "findings",
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(200), nullable=False),
        sa.Column("subject_name", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
    )
    op.create_index("ix_findings_subject", "findings", ["subject_kind", "subject_id"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(200), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    triggers = _POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS celtrace_audit_log_append_only() CASCADE")
    for table in ("audit_log", "findings", "runs", "accounts", "links", "people", "vendors"):
        op.drop_table(table)
