"""What the storage indexes hold for one article, and how related stories are scored.

Two stages (as web search engines do): SQLite FTS5 over jieba search-mode words finds a
few hundred candidates with BM25 (its IDF is the store's own), then a better scorer
re-ranks them: the cosine of stored TF-IDF term vectors (title words weighted up) times a
publication-date prior. The term vectors use jieba's general-purpose IDF table, which
does not depend on what the store holds, so a stored vector never goes stale and the
ranker needs no corpus-wide statistics at query time (memory stays bounded at any size).
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from summarizer.tokenize import segment_for_index

Segmenter = Callable[[str], str]

TERMS_PER_ARTICLE = 80  # vector length kept per article (top TF-IDF terms)
QUERY_TERMS = 20  # FTS5 OR-query size for candidates
TITLE_WEIGHT = 2.0  # a title word counts as this many body occurrences
DATE_FLOOR = 0.5  # date prior: FLOOR + (1 - FLOOR) * exp(-|days apart| / DATE_SCALE_DAYS)
DATE_SCALE_DAYS = 30.0

_idf_table: tuple[dict[str, float], float] | None = None


def _idf() -> tuple[dict[str, float], float]:
    """jieba's bundled IDF table (general Chinese text) and the default for unknown words."""
    global _idf_table
    if _idf_table is None:
        from jieba.analyse import default_tfidf  # loads idf.txt once, on first use

        _idf_table = (default_tfidf.idf_freq, float(default_tfidf.median_idf))
    return _idf_table


@dataclass(frozen=True, slots=True)
class IndexedText:
    """The index forms of one article: FTS5 columns and its unit term vector."""

    fts_title: str
    fts_body: str
    term_ids: npt.NDArray[np.uint32]  # sorted, unique (CRC-32 of the word)
    weights: npt.NDArray[np.float32]  # aligned with term_ids, L2 norm 1
    query_terms: tuple[str, ...]  # the heaviest words, for the candidate query

    def vector_blob(self) -> bytes:
        return self.term_ids.tobytes() + self.weights.tobytes()


def term_id(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


def _is_term(word: str) -> bool:
    # single CJK characters and lone ASCII letters/digits carry little topic signal
    return len(word) > 1 and any(ch.isalnum() for ch in word)


def index_text(title: str, text: str, segment: Segmenter = segment_for_index) -> IndexedText:
    fts_title, fts_body = segment(title), segment(text)
    counts: dict[str, float] = dict(Counter(w for w in fts_body.split() if _is_term(w)))
    for w in fts_title.split():
        if _is_term(w):
            counts[w] = counts.get(w, 0.0) + TITLE_WEIGHT
    idf, default = _idf()
    scored = sorted(
        ((1.0 + math.log(c)) * idf.get(w, default), w) for w, c in counts.items() if c > 0
    )
    scored.reverse()
    top = scored[:TERMS_PER_ARTICLE]
    by_id: dict[int, float] = {}
    for weight, word in top:
        tid = term_id(word)
        by_id[tid] = by_id.get(tid, 0.0) + weight
    ids = np.array(sorted(by_id), dtype=np.uint32)
    weights = np.array([by_id[int(i)] for i in ids], dtype=np.float32)
    norm = float(np.linalg.norm(weights))
    if norm > 0:
        weights /= norm
    return IndexedText(
        fts_title=fts_title,
        fts_body=fts_body,
        term_ids=ids,
        weights=weights,
        query_terms=tuple(w for _, w in top[:QUERY_TERMS]),
    )


def parse_vector(blob: bytes | None) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.float32]]:
    if not blob:
        return np.zeros(0, np.uint32), np.zeros(0, np.float32)
    half = len(blob) // 2
    return np.frombuffer(blob[:half], np.uint32), np.frombuffer(blob[half:], np.float32)


def cosine(
    a: tuple[npt.NDArray[np.uint32], npt.NDArray[np.float32]],
    b: tuple[npt.NDArray[np.uint32], npt.NDArray[np.float32]],
) -> float:
    _, ia, ib = np.intersect1d(a[0], b[0], assume_unique=True, return_indices=True)
    return float(np.dot(a[1][ia], b[1][ib]))


def date_prior(day_a: float | None, day_b: float | None) -> float:
    """Stories close in time are more likely to be the same story (1.0 same day)."""
    if day_a is None or day_b is None:
        return DATE_FLOOR + (1.0 - DATE_FLOOR) * math.exp(-365.0 / DATE_SCALE_DAYS)
    return DATE_FLOOR + (1.0 - DATE_FLOOR) * math.exp(-abs(day_a - day_b) / DATE_SCALE_DAYS)


def fts_phrase(word: str) -> str:
    """One word as an FTS5 string literal: never operator syntax, whatever it contains."""
    return '"' + word.replace('"', '""') + '"'


def fts_any(words: Any) -> str:
    """An FTS5 query matching any of ``words`` (each quoted); empty string if none."""
    return " OR ".join(fts_phrase(w) for w in dict.fromkeys(words) if w.strip())
