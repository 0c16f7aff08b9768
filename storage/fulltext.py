"""The write side of the full-text index (the backend's) and the store's document frequencies.

Only family roots are indexed, so search and related stories show a story once.
``term_df`` counts the indexed articles holding each term and ``index_stats`` counts the
indexed articles, so a term vector is weighted with the store's own IDF when it is
written. A young store's counts say little (in a store of three articles 的 looks as
rare as 殡仪馆, and any two stories look related), so below ``PRIOR_DOCS`` articles the
missing ones are made up from jieba's IDF table: ``PRIOR_DOCS - docs`` pseudo-articles,
in which a word occurs as often as that table says (a Bayesian prior on document
frequency that fades out as the store fills; from ``PRIOR_DOCS`` on, the IDF is the
store's own). The index forms themselves are in :mod:`storage.indexing`.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from storage.db import Connection
from storage.indexing import Segmented, TermVector, term_id, term_vector

_CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit
PRIOR_DOCS = 2000  # pseudo-articles from jieba's IDF table while the store is smaller
# jieba's table has no English: its function words (jusText's English stoplist) count as
# common as 是 and 了 there, or two English stories would look alike through the, and, you.
ENGLISH_FUNCTION_SHARE = 0.2
# ... and the conversational ones that list (drawn from Wikipedia) lacks: you-forms and
# what the tokenizer leaves of contractions (don't -> don).
ENGLISH_EXTRA = (
    *("your", "yours", "yourself", "me", "my", "mine", "myself"),
    *("don", "doesn", "didn", "isn", "aren", "wasn", "ll", "ve"),
)

_prior_lock = threading.Lock()
_prior: tuple[npt.NDArray[np.uint32], npt.NDArray[np.float64], float] | None = None


def background_shares(ids: Sequence[int]) -> npt.NDArray[np.float64]:
    """Share of documents holding each term in jieba's IDF table (``exp(-idf)``; an
    English function word counts as ``ENGLISH_FUNCTION_SHARE``, any other word the table
    lacks as one of median IDF, i.e. rare)."""
    global _prior
    if _prior is None:
        with _prior_lock:
            if _prior is None:
                import justext

                from summarizer.keywords import load_idf

                table, median = load_idf()
                # Arrays, not a dict of 270,000 ids: ~30 MB less at the peak of a
                # process's first article. The last of colliding words wins, as in a dict.
                n = len(table)
                word_ids = np.fromiter(map(term_id, reversed(table)), dtype=np.uint32, count=n)
                values = (math.exp(-v) for v in reversed(table.values()))
                keys, first = np.unique(word_ids, return_index=True)
                shares = np.fromiter(values, dtype=np.float64, count=n)[first]
                english = np.unique(
                    [term_id(form) for word in (*justext.get_stoplist("English"), *ENGLISH_EXTRA)
                     for form in (word, word.capitalize())]
                ).astype(np.uint32)  # fmt: skip
                english = english[~np.isin(english, keys)]
                order = np.argsort(np.concatenate([keys, english]), kind="stable")
                keys = np.concatenate([keys, english])[order]
                shares = np.concatenate([shares, np.full(len(english), ENGLISH_FUNCTION_SHARE)])
                _prior = (keys, shares[order], math.exp(-median))
    keys, shares, unknown = _prior
    wanted = np.asarray(ids, dtype=np.uint32)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, shares[at], unknown)


class IndexBatch:
    """Document frequencies as of a write transaction's start, and the increments it makes.

    A batch's vectors are weighted with the frequencies it started from; :meth:`flush`
    writes its increments once.
    """

    def __init__(self, df: dict[int, float], docs: float) -> None:
        self.df, self.docs = df, docs
        self.added: Counter[int] = Counter()
        self.added_docs = 0

    @classmethod
    async def load(cls, conn: Connection, term_ids: Sequence[int]) -> IndexBatch:
        return cls(*await document_frequencies(conn, term_ids))

    def vector(self, seg: Segmented) -> TermVector:
        return term_vector(seg, self.df, self.docs)

    async def index(self, conn: Connection, article_id: int, seg: Segmented) -> None:
        """Add a family root to the full-text index; its frequencies count at :meth:`flush`."""
        await conn.backend.fulltext.add(conn, article_id, seg)
        self.added.update(seg.term_ids)
        self.added_docs += 1

    async def flush(self, conn: Connection) -> None:
        if not self.added_docs:
            return
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
    conn: Connection, ids: Sequence[int]
) -> tuple[dict[int, float], float]:
    """Document frequencies of ``ids`` and the number of articles they are out of: the
    store's ``term_df`` (absent terms left out) and indexed count, plus the prior's
    pseudo-articles while the store holds fewer than ``PRIOR_DOCS``."""
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
    pseudo = PRIOR_DOCS - docs
    if pseudo <= 0 or not ids:
        return df, docs
    prior = pseudo * background_shares(ids)
    return {i: df.get(i, 0) + float(p) for i, p in zip(ids, prior, strict=True)}, docs + pseudo


async def current_vector(conn: Connection, seg: Segmented) -> TermVector:
    """The article's term vector weighted with the store's frequencies as they are now."""
    df, docs = await document_frequencies(conn, seg.term_ids)
    return term_vector(seg, df, docs)


async def index_root(conn: Connection, article_id: int, seg: Segmented) -> None:
    """Add one family root to the full-text index and the document frequencies."""
    batch = IndexBatch({}, 0)
    await batch.index(conn, article_id, seg)
    await batch.flush(conn)


async def unindex_root(conn: Connection, article_id: int, seg: Segmented) -> None:
    await conn.backend.fulltext.remove(conn, article_id, seg)
    await conn.executemany(
        "UPDATE term_df SET df = df - 1 WHERE id = ?", [(i,) for i in seg.term_ids]
    )
    await conn.execute("DELETE FROM term_df WHERE df <= 0")
    await conn.execute("UPDATE index_stats SET value = value - 1 WHERE name = 'indexed_docs'")
