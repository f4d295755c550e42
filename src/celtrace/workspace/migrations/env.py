"""Alembic environment: celtrace always hands Alembic an open connection (see ``workspace.store``)."""

from __future__ import annotations

from alembic import context

from celtrace.workspace.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
