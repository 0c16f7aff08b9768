"""One SQLite connection (aiosqlite), its pragmas, transactions and numbered migrations.

Migrations are ``storage/migrations/NNNN_name.sql`` files applied in number order, each in
its own transaction, and recorded in ``schema_migrations`` (datasette's internal-database
pattern). Every feature adds its own numbered file; nothing edits an applied one.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from storage.errors import MigrationError

BUSY_TIMEOUT_MS = 5000
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def utc_stamp(moment: datetime) -> str:
    """A moment as the stored rows write it (UTC, ``Z``), so text order is time order;
    a naive moment is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class Migration:
    number: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """The packaged migrations, in number order (numbers must be unique)."""
    found: list[Migration] = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.number)
    numbers = [m.number for m in found]
    if len(set(numbers)) != len(numbers):
        raise MigrationError(f"duplicate migration numbers: {numbers}")
    return found


class Database:
    """The single aiosqlite connection every repository shares.

    Reads run directly; writes go through :meth:`transaction`, which serialises writers
    with an ``asyncio.Lock`` and uses ``BEGIN IMMEDIATE`` so a crash mid-write rolls back.
    """

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.rollback()
                raise
            else:
                await self.conn.commit()

    async def fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self.conn.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self.conn.execute(sql, tuple(params)) as cur:
            return await cur.fetchone()

    async def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def applied_migrations(self) -> list[int]:
        rows = await self.fetchall("SELECT number FROM schema_migrations ORDER BY number")
        return [r[0] for r in rows]

    async def migrate(self) -> list[int]:
        """Apply pending migrations; return the numbers applied now."""
        await self.conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"
        )
        await self.conn.commit()
        done = set(await self.applied_migrations())
        applied: list[int] = []
        for migration in load_migrations():
            if migration.number in done:
                continue
            try:
                async with self.transaction() as conn:
                    for statement in _split_sql(migration.sql):
                        await conn.execute(statement)
                    await conn.execute(
                        "INSERT INTO schema_migrations(number, name) VALUES (?, ?)",
                        (migration.number, migration.name),
                    )
            except Exception as exc:
                raise MigrationError(
                    f"migration {migration.number:04d}_{migration.name} failed: {exc}"
                ) from exc
            applied.append(migration.number)
        return applied

    async def close(self) -> None:
        await self.conn.close()


def _split_sql(script: str) -> list[str]:
    """Statements of a migration file (``sqlite3.complete_statement`` handles triggers)."""
    import sqlite3

    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if not buffer and line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


async def connect(path: str | Path, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the SQLite file with WAL, foreign keys and a busy timeout."""
    path = str(path)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA foreign_keys=ON")
    await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA synchronous=NORMAL")
    db = Database(conn, path)
    if migrate:
        await db.migrate()
    return db
