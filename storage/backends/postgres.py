"""PostgreSQL through asyncpg: a connection pool, ``timestamptz`` times, and
``pg_advisory_xact_lock`` around migrations (held until the migrating transaction ends,
released by the server if the process dies).

Workers (``storage.workers``): each holds a session-level advisory lock on its key, on a
connection of its own, for as long as it lives; a claim whose worker's lock is gone from
``pg_locks`` belongs to a dead worker (the server drops the lock as soon as the killed
process's connection closes). Claims skip rows another transaction is claiming
(``FOR UPDATE SKIP LOCKED``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from summarizer.model import term_id

if TYPE_CHECKING:
    from storage.db import Connection, Database
    from storage.indexing import Segmented

MIGRATION_LOCK = 0x7A68_6169  # "zhai": the advisory lock key migrations hold
WORKER_LOCKS = 0x7A68  # "zh": first half of the two-key advisory lock a worker holds
POOL_SIZE = 5
_QMARK = re.compile(r"\?")


class PostgresBackend:
    name = "postgresql"
    skip_locked = " FOR UPDATE SKIP LOCKED"

    @property
    def fulltext(self) -> TermPostings:
        return TermPostings()

    def path(self, url: str) -> None:
        return None

    def engine(self, url: str) -> AsyncEngine:
        rest = url.split("://", 1)[1]
        return create_async_engine(
            f"postgresql+asyncpg://{rest}", pool_size=POOL_SIZE, pool_use_lifo=True
        )

    def placeholders(self, sql: str) -> str:
        return _numbered(sql)

    def adapt(self, params: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(params)

    async def database_bytes(self, db: Database) -> int:
        return int(await db.scalar("SELECT pg_database_size(current_database())"))

    async def integrity(self, conn: Connection) -> list[str]:
        # Foreign keys and checks are enforced as rows are written; what can still drift
        # is an index left invalid, or the two full-text structures disagreeing.
        problems = [
            f"index {r[0]} is invalid: REINDEX it"
            for r in await conn.fetchall(
                "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid"
            )
        ]
        rows = await conn.fetchall(
            "SELECT (SELECT count(DISTINCT article_id) FROM article_terms),"
            " (SELECT count(*) FROM article_search)"
        )
        if rows[0][0] != rows[0][1]:
            problems.append(f"postings for {rows[0][0]} articles, search rows for {rows[0][1]}")
        return problems

    async def after_copy(self, conn: Connection, table: str, key: Sequence[str]) -> None:
        if len(key) != 1:
            return
        await conn.execute(
            f"SELECT setval(seq::regclass, (SELECT max({key[0]}) FROM {table}))"
            " FROM (SELECT pg_get_serial_sequence(?, ?) AS seq) AS s WHERE seq IS NOT NULL",
            (table, key[0]),
        )

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
        return f"{column} = ANY(?)", (list(values),)

    def vector_frequencies(self, vector: str) -> str:
        # the blob's first half is little-endian uint32 word ids
        word = (
            f"get_byte({vector}, 4 * i)::bigint + 256 * get_byte({vector}, 4 * i + 1)"
            f" + 65536 * get_byte({vector}, 4 * i + 2)"
            f" + 16777216 * get_byte({vector}, 4 * i + 3)::bigint"
        )
        return (
            "(SELECT json_agg(json_build_array(d.id, d.df)) FROM term_df AS d"
            f" WHERE d.id = ANY(ARRAY(SELECT {word}"
            f" FROM generate_series(0, length({vector}) / 8 - 1) AS i)))"
        )

    async def lock_migrations(self, conn: AsyncConnection) -> None:
        await conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")

    async def hold_worker(self, db: Database, key: int) -> AsyncConnection:
        conn = await db.engine.connect()
        try:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql(f"SELECT pg_advisory_lock({WORKER_LOCKS}, {int(key)})")
        except BaseException:
            await conn.close()
            raise
        return conn

    async def release_worker(self, key: int, held: AsyncConnection | None) -> None:
        if held is None:
            return
        try:
            await held.exec_driver_sql(f"SELECT pg_advisory_unlock({WORKER_LOCKS}, {int(key)})")
        except Exception:  # the session is gone already, and the lock with it
            await held.invalidate()
        await held.close()

    def dead_worker(self, column: str) -> str:
        return (
            f"{column} NOT IN (SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory'"
            f" AND classid = {WORKER_LOCKS} AND objsubid = 2 AND granted AND database ="
            " (SELECT oid FROM pg_database WHERE datname = current_database()))"
        )


@lru_cache(maxsize=1024)
def _numbered(sql: str) -> str:
    """``?`` -> ``$1, $2, …`` (the repositories' SQL holds no ``?`` in literals)."""
    counter = iter(range(1, sql.count("?") + 1))
    return _QMARK.sub(lambda _m: f"${next(counter)}", sql)


def posting_term(word: str) -> int:
    """A word's key in ``article_terms``: case-folded as FTS5's unicode61 folds it."""
    return term_id(word.lower())


def posting_terms(seg: Segmented) -> set[int]:
    """An article's keys in ``article_terms``: one per distinct folded word."""
    return {posting_term(w) for w in {*seg.fts_title.split(), *seg.fts_body.split()}}


class TermPostings:
    """Two structures: ``article_terms`` (word key, article id) is a B-tree of postings, so
    related-story candidates read each word's postings nearest the article's id (an index
    range scan, as FTS5 walks a doclist) and rank exactly as on SQLite; ``article_search``
    holds a ``tsvector`` (title weight A, body B, the ``simple`` configuration over jieba's
    words) under a GIN index for search, ranked with ``ts_rank`` at 3:1 like BM25 there."""

    async def add(self, conn: Connection, entries: Sequence[tuple[int, Segmented]]) -> None:
        # one statement each over arrays (unnest), not a statement per row: a batch's
        # tens of thousands of postings are one round trip and one executor start
        postings = sorted({(t, i) for i, seg in entries for t in posting_terms(seg)})
        await conn.execute(
            "INSERT INTO article_terms (term, article_id)"
            " SELECT * FROM unnest(CAST(? AS bigint[]), CAST(? AS bigint[]))"
            " ON CONFLICT DO NOTHING",
            ([t for t, _ in postings], [i for _, i in postings]),
        )
        await conn.execute(
            "INSERT INTO article_search (article_id, doc) SELECT i,"
            " setweight(to_tsvector('simple', t), 'A') || to_tsvector('simple', b)"
            " FROM unnest(CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[])) AS e (i, t, b)"
            " ON CONFLICT (article_id) DO UPDATE SET doc = excluded.doc",
            (
                [i for i, _ in entries],
                [seg.fts_title for _, seg in entries],
                [seg.fts_body for _, seg in entries],
            ),
        )

    async def remove(self, conn: Connection, article_id: int, seg: Segmented) -> None:
        await conn.execute("DELETE FROM article_terms WHERE article_id = ?", (article_id,))
        await conn.execute("DELETE FROM article_search WHERE article_id = ?", (article_id,))

    async def clear(self, conn: Connection) -> None:
        await conn.execute("TRUNCATE article_terms, article_search")

    async def matching(self, conn: Connection, word: str) -> list[int]:
        rows = await conn.fetchall(
            "SELECT article_id FROM article_search"
            " WHERE doc @@ phraseto_tsquery('simple', ?) ORDER BY article_id",
            (word,),
        )
        return [r[0] for r in rows]

    async def search(
        self, conn: Connection, words: Sequence[str], *, every: bool, limit: int
    ) -> list[int]:
        joiner = " && " if every else " || "
        query = joiner.join("phraseto_tsquery('simple', ?)" for _ in words)
        rows = await conn.fetchall(
            f"SELECT article_id FROM article_search, (SELECT {query} AS q) AS w"
            " WHERE doc @@ w.q ORDER BY ts_rank('{0.1, 0, 0, 0.3}', doc, w.q) DESC,"
            " article_id DESC LIMIT ?",
            (*words, limit),
        )
        return [r[0] for r in rows]

    def nearby(
        self, heaviest: Sequence[tuple[float, str]], root: int, *, postings: int, limit: int
    ) -> tuple[str, list[Any]]:
        # One statement text for any number of words (the words are array parameters):
        # asyncpg prepares it once per connection, so a lookup neither re-parses nor
        # re-plans a 32-branch UNION; each (word, direction) is an index-only range scan.
        sql = (
            "SELECT p.rid, sum(q.w) AS s FROM unnest(CAST(? AS float8[]), CAST(? AS bigint[]))"
            " AS q (w, term) CROSS JOIN LATERAL ("
            "(SELECT article_id AS rid FROM article_terms AS t WHERE t.term = q.term"
            " AND t.article_id < ? ORDER BY t.article_id DESC LIMIT ?)"
            " UNION ALL (SELECT article_id FROM article_terms AS t WHERE t.term = q.term"
            " AND t.article_id > ? ORDER BY t.article_id LIMIT ?)) AS p"
            " GROUP BY p.rid ORDER BY s DESC, p.rid DESC LIMIT ?"
        )
        weights = [float(weight) for weight, _ in heaviest]
        terms = [posting_term(word) for _, word in heaviest]
        return sql, [weights, terms, root, postings, root, postings, limit]

    async def indexed(self, conn: Connection) -> int:
        return int((await conn.fetchall("SELECT count(*) FROM article_search"))[0][0])

    async def optimize(self, conn: Connection) -> None:
        return None  # B-trees and GIN need no merging (autovacuum keeps them)
