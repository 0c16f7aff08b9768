"""The backends: what differs between SQLite and PostgreSQL, one module each.

``ZHAIYAO_DATABASE_URL`` (or a path) picks one: ``sqlite:///path/to/zhaiyao.db`` (the
embedded default) or ``postgresql://user@host:5432/dbname``. A backend builds the
SQLAlchemy engine, turns the repositories' ``?`` placeholders into its driver's, stores
times (SQLite: ``…Z`` text; PostgreSQL: ``timestamptz``), takes the migration lock, and
keeps the full-text index (:class:`storage.backends.base.FullText`).
"""

from __future__ import annotations

from pathlib import Path

from storage.backends.base import Backend
from storage.errors import StorageError

__all__ = ["Backend", "backend_for", "database_url"]


def database_url(target: str | Path | None) -> str:
    """The URL of ``target``: a URL as given, a path as ``sqlite:///path``."""
    if target is None:
        raise StorageError("no database given: set ZHAIYAO_DATABASE_URL or ZHAIYAO_DB")
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{text}"


def backend_for(url: str) -> Backend:
    scheme = url.split("://", 1)[0].split("+", 1)[0]
    if scheme == "sqlite":
        from storage.backends.sqlite import SQLiteBackend

        return SQLiteBackend()
    if scheme in ("postgresql", "postgres"):
        from storage.backends.postgres import PostgresBackend

        return PostgresBackend()
    raise StorageError(f"unsupported database URL {scheme}:// (sqlite or postgresql)")
