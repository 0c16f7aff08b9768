"""Alembic's entry point: migrations always run on a connection the caller opened (and
locked, see :mod:`storage.migrations.runner`), never from a URL in a config file."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
