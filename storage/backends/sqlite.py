"""SQLite: one file, WAL, foreign keys, a busy timeout; times as ``…Z`` text.

Writers open ``BEGIN IMMEDIATE`` (the write lock up front: two writers never deadlock
upgrading a read lock); readers a plain deferred ``BEGIN``, so each read is one WAL
snapshot. A migration is one ``BEGIN IMMEDIATE`` transaction, which is the lock: a second
process waits (up to ``MIGRATION_WAIT_MS``), then re-reads the version inside it.

Workers (``storage.workers``): a SQLite store has one bot process, so the workers alive are
the ones this process started; a claim left by any other (an earlier, killed run) is a dead
worker's. ``BEGIN IMMEDIATE`` makes every claim exclusive (no ``SKIP LOCKED`` needed).
"""

from __future__ import annotations

import json
import os
from array import array
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import Connection as SyncConnection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, StaticPool

if TYPE_CHECKING:
    from storage.db import Connection, Database
    from storage.indexing import Segmented

BUSY_TIMEOUT_MS = 5000
MIGRATION_WAIT_MS = 120_000  # another process may be migrating a large store
READ_POOL = 4
_LIVE_WORKERS: set[int] = set()  # worker keys this process started and has not closed


class SQLiteBackend:
    name = "sqlite"
    skip_locked = ""

    @property
    def fulltext(self) -> FTS5:
        return FTS5()

    def path(self, url: str) -> str:
        return url.split(":///", 1)[1] if ":///" in url else ":memory:"

    def engine(self, url: str) -> AsyncEngine:
        path = self.path(url)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        pool: dict[str, Any] = (
            {"poolclass": StaticPool}
            if path == ":memory:"
            # LIFO: without concurrency one connection (and its page cache) serves
            else {"poolclass": AsyncAdaptedQueuePool, "pool_size": READ_POOL, "pool_use_lifo": True}
        )
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}", **pool)
        event.listen(engine.sync_engine, "connect", _on_connect)
        event.listen(engine.sync_engine, "begin", _on_begin)
        return engine

    def placeholders(self, sql: str) -> str:
        return sql  # sqlite3 speaks qmark

    def adapt(self, params: Sequence[Any]) -> tuple[Any, ...]:
        from storage.db import utc_stamp

        return tuple(utc_stamp(p) if isinstance(p, datetime) else p for p in params)

    async def database_bytes(self, db: Database) -> int:
        pages = int(await db.scalar("PRAGMA page_count") or 0)
        size = pages * int(await db.scalar("PRAGMA page_size") or 0)
        wal = f"{db.path}-wal"
        if db.path != ":memory:" and os.path.exists(wal):
            size += os.path.getsize(wal)
        return size

    async def integrity(self, conn: Connection) -> list[str]:
        problems = [f"sqlite: {r[0]}" for r in await conn.fetchall("PRAGMA quick_check")]
        problems = [p for p in problems if p != "sqlite: ok"]
        for table, rowid, parent, _fk in await conn.fetchall("PRAGMA foreign_key_check"):
            problems.append(f"{table} row {rowid}: missing {parent} row (foreign key)")
        try:
            await conn.execute("INSERT INTO article_fts (article_fts) VALUES ('integrity-check')")
        except Exception as exc:  # FTS5 reports corruption as an error
            problems.append(f"full-text index: {exc}")
        return problems

    async def after_copy(self, conn: Connection, table: str, key: Sequence[str]) -> None:
        return None  # SQLite's rowids follow the largest stored id

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
        return f"{column} IN ({','.join('?' * len(values))})", tuple(values)

    def vector_frequencies(self, vector: str) -> str:
        return (
            "(SELECT json_group_array(json_array(d.id, d.df)) FROM term_df AS d WHERE d.id IN"
            f" (SELECT value FROM json_each(zhaiyao_vector_ids({vector}))))"
        )

    async def lock_migrations(self, conn: AsyncConnection) -> None:
        # BEGIN IMMEDIATE (see _on_begin) is the lock; back to the usual wait for the rest
        await conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    async def hold_worker(self, db: Database, key: int) -> None:
        _LIVE_WORKERS.add(int(key))

    async def release_worker(self, key: int, held: AsyncConnection | None) -> None:
        _LIVE_WORKERS.discard(int(key))

    def dead_worker(self, column: str) -> str:
        live = ", ".join(str(k) for k in sorted(_LIVE_WORKERS)) or "NULL"
        return f"coalesce({column} NOT IN ({live}), 1)"


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # transactions are begun by _on_begin, not the driver
    dbapi_conn.create_function("now", 0, _now)  # what PostgreSQL's now() gives, as text
    dbapi_conn.create_function("zhaiyao_vector_ids", 1, _vector_ids, deterministic=True)
    cursor = dbapi_conn.cursor()
    for pragma in (
        "journal_mode=WAL",
        "foreign_keys=ON",
        f"busy_timeout={BUSY_TIMEOUT_MS}",
        "synchronous=NORMAL",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _now() -> str:
    from storage.db import utc_stamp

    return utc_stamp(datetime.now(UTC))


def _vector_ids(blob: bytes | None) -> str:
    """The word ids of a stored term vector as a JSON list (``vector_frequencies``)."""
    if not blob:
        return "[]"
    return json.dumps(array("I", blob[: len(blob) // 2]).tolist())


def _on_begin(conn: SyncConnection) -> None:
    options = conn.get_execution_options()
    if options.get("zhaiyao_migrate"):
        conn.exec_driver_sql(f"PRAGMA busy_timeout={MIGRATION_WAIT_MS}")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("zhaiyao_write") else "BEGIN")


def fts_phrase(word: str) -> str:
    """One word as an FTS5 string literal: never operator syntax, whatever it contains."""
    return '"' + word.replace('"', '""') + '"'


class FTS5:
    """A contentless FTS5 table (``article_fts``, rowid = article id) over jieba words,
    unicode61 tokenizer; BM25 with the title weighted 3:1 for search. Related-story
    candidates read each word's doclist nearest the article's rowid (FTS5 walks a doclist
    in rowid order and stops at the LIMIT), so a lookup costs the same at any size."""

    async def add(self, conn: Connection, entries: Sequence[tuple[int, Segmented]]) -> None:
        await conn.executemany(
            "INSERT INTO article_fts (rowid, title, body) VALUES (?, ?, ?)",
            [(article_id, seg.fts_title, seg.fts_body) for article_id, seg in entries],
        )

    async def remove(self, conn: Connection, article_id: int, seg: Segmented) -> None:
        # contentless FTS5 deletes by re-sending the indexed text
        await conn.execute(
            "INSERT INTO article_fts (article_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)",
            (article_id, seg.fts_title, seg.fts_body),
        )

    async def clear(self, conn: Connection) -> None:
        await conn.execute("INSERT INTO article_fts (article_fts) VALUES ('delete-all')")

    async def matching(self, conn: Connection, word: str) -> list[int]:
        rows = await conn.fetchall(
            "SELECT rowid FROM article_fts WHERE article_fts MATCH ? ORDER BY rowid",
            (fts_phrase(word),),
        )
        return [r[0] for r in rows]

    async def search(
        self, conn: Connection, words: Sequence[str], *, every: bool, limit: int
    ) -> list[int]:
        query = (" AND " if every else " OR ").join(fts_phrase(w) for w in words)
        rows = await conn.fetchall(
            "SELECT rowid FROM article_fts WHERE article_fts MATCH ?"
            " ORDER BY bm25(article_fts, 3.0, 1.0), rowid DESC LIMIT ?",
            (query, limit),
        )
        return [r[0] for r in rows]

    def nearby(
        self, heaviest: Sequence[tuple[float, str]], root: int, *, postings: int, limit: int
    ) -> tuple[str, list[Any]]:
        parts, params = [], []
        for weight, word in heaviest:
            for op, order in (("<", "DESC"), (">", "ASC")):
                parts.append(
                    "SELECT rowid AS rid, ? AS w FROM (SELECT rowid FROM article_fts WHERE"
                    f" article_fts MATCH ? AND rowid {op} ? ORDER BY rowid {order} LIMIT ?)"
                )
                params += [weight, fts_phrase(word), root, postings]
        sql = (
            f"WITH votes AS ({' UNION ALL '.join(parts)})"
            " SELECT rid, sum(w) AS s FROM votes GROUP BY rid ORDER BY s DESC, rid DESC LIMIT ?"
        )
        return sql, [*params, limit]

    async def indexed(self, conn: Connection) -> int:
        return int((await conn.fetchall("SELECT count(*) FROM article_fts"))[0][0])

    async def optimize(self, conn: Connection) -> None:
        # FTS5 adds a segment per write transaction and merges them a few at a time, so a
        # grown index has dozens; every related-story candidate read (a doclist walk per
        # word) visits each. Merged into one (12 segments at 100k articles), lookups went
        # p50 23 -> 16-20 ms (bench/RESULTS.md, issue 20, seventh session).
        await conn.execute("INSERT INTO article_fts (article_fts) VALUES ('optimize')")
