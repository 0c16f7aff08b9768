"""The store: a SQLAlchemy async engine over SQLite (aiosqlite) or PostgreSQL (asyncpg).

Repositories write one SQL, the portable subset both backends speak (``INSERT … ON
CONFLICT``, ``RETURNING``, ``?`` placeholders), and pass aware ``datetime`` values for
times; what differs per backend (driver placeholders, how a time is stored, pragmas, the
migration lock, the full-text index) is in :mod:`storage.backends`. Writes go through
:meth:`Database.transaction` on the writer connection; reads take a pooled connection of
their own, so a reader sees the last committed state, never a half-done write (SQLite WAL
snapshots, PostgreSQL read committed). Migrations are Alembic revisions
(``storage/migrations``), applied under a lock the backend provides.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Generator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import Row, RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.backends import Backend, backend_for, database_url
from storage.errors import MigrationError, StorageError

__all__ = ["Connection", "Database", "Record", "connect", "read_time", "utc_stamp"]


def utc_stamp(moment: datetime) -> str:
    """A moment as SQLite rows store it (UTC, microseconds, ``Z``), so text order is time
    order; a naive moment is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def read_time(value: datetime | str) -> datetime:
    """A stored time as an aware UTC datetime (PostgreSQL returns ``timestamptz`` values,
    SQLite the text :func:`utc_stamp` wrote)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Record:
    """A result row read by column name or position (``row["id"]``, ``row[0]``)."""

    __slots__ = ("_mapping", "_row")

    def __init__(self, row: Row[Any]) -> None:
        self._row = row
        self._mapping: RowMapping | None = None

    def __getitem__(self, key: int | str) -> Any:
        if isinstance(key, int):
            return self._row[key]
        if self._mapping is None:  # Row._mapping builds a new view at every access
            self._mapping = self._row._mapping
        return self._mapping[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)

    def keys(self) -> list[str]:
        return list(self._row._mapping.keys())


class Cursor:
    """What one statement left: its rows, ``rowcount`` and (SQLite) ``lastrowid``."""

    def __init__(self, rows: list[Record], rowcount: int, lastrowid: int | None) -> None:
        self._rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchone(self) -> Record | None:
        return self._rows[0] if self._rows else None

    async def fetchall(self) -> list[Record]:
        return self._rows

    async def __aenter__(self) -> Cursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


class _Statement:
    """``await conn.execute(...)`` or ``async with conn.execute(...) as cur`` (aiosqlite's
    two forms, which the repositories use)."""

    def __init__(self, conn: Connection, sql: str, params: Sequence[Any]) -> None:
        self._run = conn._run(sql, params)

    def __await__(self) -> Generator[Any, None, Cursor]:
        return self._run.__await__()

    async def __aenter__(self) -> Cursor:
        return await self._run

    async def __aexit__(self, *exc: object) -> None:
        return None


class Connection:
    """One connection in a transaction (or a read), speaking ``?`` SQL on either backend."""

    def __init__(self, conn: AsyncConnection, backend: Backend) -> None:
        self.raw = conn
        self.backend = backend

    def execute(self, sql: str, params: Iterable[Any] = ()) -> _Statement:
        return _Statement(self, sql, tuple(params))

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Record]:
        return await (await self.execute(sql, params)).fetchall()

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Record | None:
        return await (await self.execute(sql, params)).fetchone()

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        batch = [self.backend.adapt(row) for row in rows]
        if batch:
            await self.raw.exec_driver_sql(self.backend.placeholders(sql), batch)

    async def _run(self, sql: str, params: Sequence[Any]) -> Cursor:
        result = await self.raw.exec_driver_sql(
            self.backend.placeholders(sql), self.backend.adapt(params)
        )
        rows = [Record(r) for r in result.fetchall()] if result.returns_rows else []
        lastrowid = result.lastrowid if self.backend.name == "sqlite" else None
        return Cursor(rows, result.rowcount, lastrowid)


class Database:
    """The engine every repository shares.

    :meth:`transaction` serialises this process's writers with an ``asyncio.Lock`` and
    opens the backend's write transaction (SQLite ``BEGIN IMMEDIATE``), so a crash
    mid-write rolls back. :meth:`fetchall` and friends read on a pooled connection.
    """

    def __init__(self, engine: AsyncEngine, backend: Backend, url: str) -> None:
        self.engine = engine
        self.backend = backend
        self.url = url
        self.path = backend.path(url)  # the SQLite file; None on PostgreSQL
        self._write_lock = asyncio.Lock()

    @property
    def dialect(self) -> str:
        return self.backend.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self._write_lock, self.engine.connect() as raw:
            writer = await raw.execution_options(zhaiyao_write=True)
            async with writer.begin():
                yield Connection(writer, self.backend)

    @asynccontextmanager
    async def reading(self, *, snapshot: bool = False) -> AsyncIterator[Connection]:
        """A read connection of its own. SQLite reads one WAL snapshot per transaction;
        PostgreSQL one per statement unless ``snapshot`` (repeatable read), for reads
        that must agree across statements (exports, checks, copies)."""
        async with self.engine.connect() as raw:
            if self.backend.name == "postgresql":
                # read committed sees per statement what autocommit does, without the
                # BEGIN and ROLLBACK round trips; a snapshot needs repeatable read
                level = "REPEATABLE READ" if snapshot else "AUTOCOMMIT"
                raw = await raw.execution_options(isolation_level=level)
            async with raw.begin():
                yield Connection(raw, self.backend)

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[Record]:
        async with self.reading() as conn:
            return await conn.fetchall(sql, params)

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> Record | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def table_names(self) -> set[str]:
        async with self.engine.connect() as raw:
            return set(await raw.run_sync(lambda c: inspect(c).get_table_names()))

    async def applied_migrations(self) -> list[str]:
        """The Alembic revisions the store is at (one head; empty before the first)."""
        async with self.engine.connect() as raw:
            return list(await raw.run_sync(_current_heads))

    async def migrate(self) -> list[str]:
        """Apply pending migrations under the backend's migration lock; the revisions
        applied now. Several processes may call this at once on one fresh store: the
        first applies, the others wait for the lock, re-check and find nothing to do."""
        from storage.migrations.runner import upgrade

        try:
            async with self.engine.connect() as raw:
                writer = await raw.execution_options(zhaiyao_write=True, zhaiyao_migrate=True)
                async with writer.begin():
                    await self.backend.lock_migrations(writer)
                    return list(await writer.run_sync(upgrade))
        except StorageError:
            raise
        except Exception as exc:
            raise MigrationError(f"migration failed: {exc}") from exc

    async def close(self) -> None:
        from storage.workers import close_worker  # this process's claims end with it

        await close_worker(self)
        await self.engine.dispose()


def _current_heads(sync_conn: Any) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    heads: tuple[str, ...] = MigrationContext.configure(sync_conn).get_current_heads()
    return heads


async def connect(target: str | Path | None = None, *, migrate: bool = True) -> Database:
    """Open the store at ``target``: a ``sqlite:///…`` or ``postgresql://…`` URL, or a
    SQLite file path (created if needed, with WAL, foreign keys and a busy timeout)."""
    url = database_url(target)
    backend = backend_for(url)
    db = Database(backend.engine(url), backend, url)
    if migrate:
        try:
            await db.migrate()
        except BaseException:
            await db.close()
            raise
    return db
