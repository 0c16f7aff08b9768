"""The write side of the full-text index: FTS5 rows and the store's document frequencies.

Only family roots are indexed, so search and related stories show a story once.
``term_df`` counts the indexed articles holding each term and ``index_stats`` counts the
indexed articles, so a term vector is weighted with the store's own IDF when it is
written. The index forms themselves are in :mod:`storage.indexing`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import aiosqlite

from storage.indexing import Segmented, TermVector, term_vector

_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


class IndexBatch:
    """Document frequencies as of a write transaction's start, and the increments it makes.

    A batch's vectors are weighted with the frequencies it started from; :meth:`flush`
    writes its increments once.
    """

    def __init__(self, df: dict[int, int], docs: int) -> None:
        self.df, self.docs = df, docs
        self.added: Counter[int] = Counter()
        self.added_docs = 0

    @classmethod
    async def load(cls, conn: aiosqlite.Connection, term_ids: Sequence[int]) -> IndexBatch:
        return cls(*await document_frequencies(conn, term_ids))

    def vector(self, seg: Segmented) -> TermVector:
        return term_vector(seg, self.df, self.docs)

    async def index(self, conn: aiosqlite.Connection, article_id: int, seg: Segmented) -> None:
        """Add a family root to the full-text index; its frequencies count at :meth:`flush`."""
        await conn.execute(
            "INSERT INTO article_fts (rowid, title, body) VALUES (?, ?, ?)",
            (article_id, seg.fts_title, seg.fts_body),
        )
        self.added.update(seg.term_ids)
        self.added_docs += 1

    async def flush(self, conn: aiosqlite.Connection) -> None:
        if not self.added_docs:
            return
        await conn.executemany(
            "INSERT INTO term_df (id, df) VALUES (?, ?)"
            " ON CONFLICT (id) DO UPDATE SET df = df + excluded.df",
            sorted(self.added.items()),
        )
        await conn.execute(
            "UPDATE index_stats SET value = value + ? WHERE name = 'indexed_docs'",
            (self.added_docs,),
        )
        self.added.clear()
        self.added_docs = 0


async def document_frequencies(
    conn: aiosqlite.Connection, ids: Sequence[int]
) -> tuple[dict[int, int], int]:
    """``term_df`` for ``ids`` (absent terms left out) and the number of indexed articles."""
    df: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = tuple(ids[start : start + _CHUNK])
        async with conn.execute(
            f"SELECT id, df FROM term_df WHERE id IN ({','.join('?' * len(chunk))})", chunk
        ) as cur:
            df.update((r[0], r[1]) for r in await cur.fetchall())
    async with conn.execute("SELECT value FROM index_stats WHERE name = 'indexed_docs'") as cur:
        row = await cur.fetchone()
    return df, int(row[0]) if row else 0


async def current_vector(conn: aiosqlite.Connection, seg: Segmented) -> TermVector:
    """The article's term vector weighted with the store's frequencies as they are now."""
    df, docs = await document_frequencies(conn, seg.term_ids)
    return term_vector(seg, df, docs)


async def index_root(conn: aiosqlite.Connection, article_id: int, seg: Segmented) -> None:
    """Add one family root to the full-text index and the document frequencies."""
    batch = IndexBatch({}, 0)
    await batch.index(conn, article_id, seg)
    await batch.flush(conn)


async def unindex_root(conn: aiosqlite.Connection, article_id: int, seg: Segmented) -> None:
    # contentless FTS5 deletes by re-sending the indexed text (the segmenter is deterministic)
    await conn.execute(
        "INSERT INTO article_fts (article_fts, rowid, title, body) VALUES ('delete', ?, ?, ?)",
        (article_id, seg.fts_title, seg.fts_body),
    )
    await conn.executemany(
        "UPDATE term_df SET df = df - 1 WHERE id = ?", [(i,) for i in seg.term_ids]
    )
    await conn.execute("DELETE FROM term_df WHERE df <= 0")
    await conn.execute("UPDATE index_stats SET value = value - 1 WHERE name = 'indexed_docs'")
