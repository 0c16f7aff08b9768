"""Managing stores: ``zhaiyao db migrate | check | copy``.

``copy`` moves a whole store (e.g. SQLite to a new PostgreSQL database) table by table in
foreign-key order, a batch per transaction, in primary-key order; it starts each table
after the largest key the target already holds and upserts (``ON CONFLICT``), so a copy
killed half-way is finished by running it again. Times are converted on the way (SQLite
text to ``timestamptz``). The full-text index is not copied (its form differs
per backend): the target's is rebuilt from the copied articles at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import DateTime, Integer, MetaData, Table

from storage.articles import ArticleRepository
from storage.db import Database, connect, read_time
from storage.indexing import Reanalyse

# Not copied: the version table (the target is migrated itself) and each backend's own
# full-text tables (rebuilt on the target).
# (rate buckets and link claims are the running workers' state, not the store's)
_NOT_COPIED = frozenset(
    {"alembic_version", "article_terms", "article_search", "rate_buckets", "url_claims"}
) | {f"article_fts{part}" for part in ("", "_data", "_idx", "_docsize", "_config", "_content")}
BATCH = 500

Progress = Callable[[str, int, int], None]  # (table, rows done, rows in all)


@dataclass(frozen=True, slots=True)
class CopyResult:
    rows: dict[str, int]  # per table, in the target after the copy
    indexed: int  # articles the target's full-text index holds


async def migrate(url: str) -> list[str]:
    """Apply pending migrations to the store at ``url``; the revisions applied."""
    db = await connect(url, migrate=False)
    try:
        return await db.migrate()
    finally:
        await db.close()


async def check(db: Database) -> list[str]:
    """What is wrong with the store (empty when nothing): the migration level, the
    engine's own integrity checks, foreign keys, and the article indexes agreeing with
    the articles (one root per family indexed, every article banded, counts in step)."""
    from storage.migrations.runner import head

    heads = await db.applied_migrations()
    if heads != [head()]:
        return [f"migrations at {heads or 'none'}, not {head()}: run zhaiyao db migrate"]
    problems = []
    async with db.reading(snapshot=True) as conn:
        problems += await db.backend.integrity(conn)
        roots = await _count(conn, "SELECT count(*) FROM articles WHERE duplicate_of IS NULL")
        for sql, what in _CONSISTENCY:
            found = await _count(conn, sql)
            if found:
                problems.append(f"{found} {what}")
        stats = await _count(conn, "SELECT value FROM index_stats WHERE name = 'indexed_docs'")
        indexed = await db.backend.fulltext.indexed(conn)
    if not roots == stats == indexed:
        problems.append(
            f"{roots} stories, but the index counts {stats} and the full-text index holds"
            f" {indexed}: run zhaiyao reindex"
        )
    return problems


_CONSISTENCY = (
    (
        "SELECT count(*) FROM articles AS a JOIN articles AS r ON r.id = a.duplicate_of"
        " WHERE r.duplicate_of IS NOT NULL",
        "copies linked to another copy instead of their family's first copy",
    ),
    (
        "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL AND duplicate_of NOT IN"
        " (SELECT id FROM articles)",
        "copies whose first copy is missing",
    ),
    (
        "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM article_bands)",
        "articles without near-duplicate bands",
    ),
    (
        "SELECT count(*) FROM article_bands WHERE article_id NOT IN (SELECT id FROM articles)",
        "near-duplicate bands of missing articles",
    ),
    ("SELECT count(*) FROM term_df WHERE df <= 0", "word frequencies at or below zero"),
    (
        "SELECT count(*) FROM requests WHERE article_id IS NOT NULL AND article_id NOT IN"
        " (SELECT id FROM articles)",
        "requests pointing at missing articles",
    ),
)


async def _count(conn: Any, sql: str) -> int:
    rows = await conn.fetchall(sql)
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


async def copy(
    source_url: str,
    target_url: str,
    reanalyse: Reanalyse,
    *,
    progress: Progress | None = None,
    batch: int = BATCH,
) -> CopyResult:
    """Copy every row of the store at ``source_url`` into ``target_url`` (migrated first);
    safe to re-run after an interruption (see the module docstring). The target's
    full-text index is rebuilt from ``reanalyse``'s index words."""
    source = await connect(source_url, migrate=False)
    target = await connect(target_url)
    try:
        tables = await _tables(target)
        present = await source.table_names()
        rows: dict[str, int] = {}
        for table in tables:
            if table.name in present:
                rows[table.name] = await _copy_table(source, target, table, progress, batch)
        indexed = await ArticleRepository(target).rebuild_fulltext(reanalyse)
        return CopyResult(rows, indexed)
    finally:
        await source.close()
        await target.close()


async def _tables(db: Database) -> list[Table]:
    """The target's tables in foreign-key order (parents first)."""
    meta = MetaData()
    async with db.engine.connect() as raw:
        await raw.run_sync(lambda c: meta.reflect(c))
    return [t for t in meta.sorted_tables if t.name not in _NOT_COPIED]


async def _copy_table(
    source: Database, target: Database, table: Table, progress: Progress | None, batch: int
) -> int:
    key = [c.name for c in table.primary_key.columns]
    columns = [c.name for c in table.columns]
    times = {i for i, c in enumerate(table.columns) if isinstance(c.type, DateTime)}
    order = ", ".join(key)
    total = int(await source.scalar(f"SELECT count(*) FROM {table.name}"))
    # Resume after the largest key copied; keys that are not numbers may have been seeded
    # by the migrations (index_stats), so those small tables are copied again in full.
    numbered = all(isinstance(c.type, Integer) for c in table.primary_key.columns)
    last = await target.fetchone(f"SELECT {order} FROM {table.name} ORDER BY {order} DESC")
    after = None if last is None or not numbered else tuple(last)
    select = f"SELECT {', '.join(columns)} FROM {table.name}"
    rest = [c for c in columns if c not in key]
    # rows the migrations seeded (index_stats) take the source's values
    conflict = (
        f"({order}) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in rest)}"
        if rest
        else "DO NOTHING"
    )
    insert = (
        f"INSERT INTO {table.name} ({', '.join(columns)})"
        f" VALUES ({', '.join('?' * len(columns))}) ON CONFLICT {conflict}"
    )
    done = int(await target.scalar(f"SELECT count(*) FROM {table.name}"))
    while True:
        where = "" if after is None else f" WHERE ({order}) > ({', '.join('?' * len(key))})"
        found = await source.fetchall(
            f"{select}{where} ORDER BY {order} LIMIT {batch}", after or ()
        )
        if not found:
            break
        values = [
            tuple(read_time(v) if i in times and isinstance(v, str) else v for i, v in enumerate(r))
            for r in found
        ]
        async with target.transaction() as conn:
            await conn.executemany(insert, values)
            if numbered:
                await target.backend.after_copy(conn, table.name, key)
        after = tuple(found[-1][columns.index(k)] for k in key)
        done += len(found)
        if progress is not None:
            progress(table.name, min(done, total), total)
    return int(await target.scalar(f"SELECT count(*) FROM {table.name}"))


__all__: Sequence[str] = ("BATCH", "CopyResult", "check", "copy", "migrate")
