"""Zhaiyao's storage: one repository API over SQLite (aiosqlite) or PostgreSQL (asyncpg)
through SQLAlchemy's async engine, Alembic migrations, repositories that return
dataclasses. Saves index the words and signature ``summarizer.analyze`` put in the
``Analysis``; search queries, purges and reindexing still segment here (see issue 20)."""

from storage.db import Database, connect

__all__ = ["Database", "connect"]
