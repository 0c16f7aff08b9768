"""The write side of the full-text index (the backend's) and the store's document frequencies.

Only family roots are indexed, so search and related stories show a story once.
``term_df`` counts the indexed articles holding each term and ``index_stats`` counts the
indexed articles, so a term vector is weighted with the store's own IDF when it is
written. A young store's counts say little (in a store of three articles 的 looks as
rare as 殡仪馆, and any two stories look related), so below ``PRIOR_DOCS`` articles the
missing ones are made up from a prior the repository is given (:data:`TermPrior`; the
bot's is jieba's IDF table, ``summarizer.keywords.background_shares``):
``PRIOR_DOCS - docs`` pseudo-articles, in which a word occurs as often as the prior says
(a Bayesian prior on document frequency that fades out as the store fills; from
``PRIOR_DOCS`` on, the IDF is the store's own). The index forms themselves are in
:mod:`storage.indexing`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from storage.db import Connection
from storage.indexing import Segmented, TermVector, term_vector

_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit
PRIOR_DOCS = 2000  # pseudo-articles from the prior while the store is smaller
# The share of documents that hold each term id, in some large background collection.
TermPrior = Callable[[Sequence[int]], npt.NDArray[np.float64]]


class IndexBatch:
    """Document frequencies as of a write transaction's start, and the increments it makes.

    A batch's vectors are weighted with the frequencies it started from; :meth:`flush`
    writes its full-text entries and its increments once (a few statements per batch, not
    per article: on PostgreSQL each statement is a round trip).
    """

    def __init__(self, df: dict[int, float], docs: float) -> None:
        self.df, self.docs = df, docs
        self.added: Counter[int] = Counter()
        self.added_docs = 0
        self.entries: list[tuple[int, Segmented]] = []

    @classmethod
    async def load(
        cls, conn: Connection, term_ids: Sequence[int], prior: TermPrior | None
    ) -> IndexBatch:
        return cls(*await document_frequencies(conn, term_ids, prior))

    def vector(self, seg: Segmented) -> TermVector:
        return term_vector(seg, self.df, self.docs)

    def index(self, article_id: int, seg: Segmented) -> None:
        """Add a family root to the full-text index and the frequencies at :meth:`flush`
        (nothing in the transaction reads them before)."""
        self.entries.append((article_id, seg))
        self.added.update(seg.term_ids)
        self.added_docs += 1

    async def flush(self, conn: Connection) -> None:
        if not self.added_docs:
            return
        await conn.backend.fulltext.add(conn, self.entries)
        self.entries.clear()
        await conn.executemany(
            "INSERT INTO term_df (id, df) VALUES (?, ?)"
            " ON CONFLICT (id) DO UPDATE SET df = term_df.df + excluded.df",
            sorted(self.added.items()),
        )
        await conn.execute(
            "UPDATE index_stats SET value = value + ? WHERE name = 'indexed_docs'",
            (self.added_docs,),
        )
        self.added.clear()
        self.added_docs = 0


async def document_frequencies(
    conn: Connection, ids: Sequence[int], prior: TermPrior | None
) -> tuple[dict[int, float], float]:
    """Document frequencies of ``ids`` and the number of articles they are out of: the
    store's ``term_df`` (absent terms left out) and indexed count, plus the prior's
    pseudo-articles while the store holds fewer than ``PRIOR_DOCS`` (none without one)."""
    df: dict[int, float] = {}
    docs = 0
    for start in range(0, max(1, len(ids)), _CHUNK):
        where, params = conn.backend.any_of("id", ids[start : start + _CHUNK])
        # the indexed count rides along with the first chunk (-1: no term id is negative)
        count = " UNION ALL SELECT -1, value FROM index_stats WHERE name = 'indexed_docs'"
        rows = await conn.fetchall(
            f"SELECT id, df FROM term_df WHERE {where}{count if start == 0 else ''}", params
        )
        df.update((r[0], r[1]) for r in rows if r[0] >= 0)
        docs = next((int(r[1]) for r in rows if r[0] < 0), docs)
    return with_prior(df, docs, ids, prior)


def read_frequencies(
    docs: int | None, pairs: str | list[Any] | None, ids: Sequence[int], prior: TermPrior | None
) -> tuple[dict[int, float], float]:
    """What :func:`document_frequencies` returns for ``ids`` (a stored vector's words),
    from what a statement read with the article's row: the indexed count and the
    backend's :meth:`~storage.backends.base.Backend.vector_frequencies` JSON."""
    found = json.loads(pairs) if isinstance(pairs, str) else pairs or []
    df: dict[int, float] = {int(i): n for i, n in found}
    return with_prior(df, int(docs or 0), ids, prior)


def with_prior(
    df: dict[int, float], docs: int, ids: Sequence[int], prior: TermPrior | None
) -> tuple[dict[int, float], float]:
    """The store's counts plus the prior's pseudo-articles (see the module docstring)."""
    pseudo = PRIOR_DOCS - docs
    if prior is None or pseudo <= 0 or not ids:
        return df, docs
    made_up = pseudo * prior(ids)
    return {i: df.get(i, 0) + float(p) for i, p in zip(ids, made_up, strict=True)}, docs + pseudo


async def index_root(conn: Connection, article_id: int, seg: Segmented) -> None:
    """Add one family root to the full-text index and the document frequencies."""
    batch = IndexBatch({}, 0)
    batch.index(article_id, seg)
    await batch.flush(conn)


async def unindex_root(conn: Connection, article_id: int, seg: Segmented) -> None:
    await conn.backend.fulltext.remove(conn, article_id, seg)
    await conn.executemany(
        "UPDATE term_df SET df = df - 1 WHERE id = ?", [(i,) for i in seg.term_ids]
    )
    await conn.execute("DELETE FROM term_df WHERE df <= 0")
    await conn.execute("UPDATE index_stats SET value = value - 1 WHERE name = 'indexed_docs'")
