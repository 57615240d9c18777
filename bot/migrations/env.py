"""Alembic environment: runs the revisions in ``versions/`` on the connection ``bot.schema`` hands over."""

from __future__ import annotations

from alembic import context

from bot.schema import metadata

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata(),
    compare_type=True,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
