"""What the storage indexes hold for one article, and the arithmetic of related stories.

The words come with the article's analysis (``Analysis.index_terms``): storage counts and
weighs them, it never segments text. Two stages, as search engines do: the backend's
full-text index over jieba search-mode words (FTS5 on SQLite, word postings on
PostgreSQL) finds a few hundred candidates, then a better scorer re-ranks them: the
TF-IDF cosine of stored term vectors (title words weighted up) times a publication-date
prior. IDF is the store's own, kept in ``term_df``; each article keeps its term
frequencies and its vector norm as of indexing, so a lookup needs the document
frequencies of the query's words only (``zhaiyao reindex`` refreshes the norms after a
large import).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from summarizer.model import Article, IndexTerms, term_id

# What the caller's analysis gives for a stored article, when storage must rebuild its
# index entries (reindex, purge, a copy between backends): its index words and its
# MinHash signature, as ``summarizer.analyze`` builds them for a new article.
Reanalyse = Callable[[Article], tuple[IndexTerms, tuple[int, ...]]]
Vector = tuple[npt.NDArray[np.uint32], npt.NDArray[np.float32]]

TERMS_PER_ARTICLE = 80  # vector length kept per article (heaviest TF-IDF terms)
QUERY_POOL = 32  # heaviest words stored as text, to build the candidate query from
QUERY_TERMS = 20  # FTS5 OR-query size for candidates
TITLE_WEIGHT = 8.0  # a title word counts as this many body occurrences
DATE_FLOOR = 0.6  # date prior: FLOOR + (1 - FLOOR) * exp(-|days apart| / DATE_SCALE_DAYS)
DATE_SCALE_DAYS = 15.0
UNDATED_DAYS = 365.0  # treated as this far apart when a date is missing


def idf(df: float, docs: float) -> float:
    """Smoothed inverse document frequency (scikit-learn's ``smooth_idf`` form)."""
    return math.log((docs + 1) / (df + 1)) + 1.0


def _is_term(word: str) -> bool:
    # lone ASCII letters/digits and punctuation carry little topic signal; a single CJK
    # character often does (jieba leaves nouns such as 猪, 枪, 矿 and unknown names' parts
    # as one character), and IDF weighs down the common ones (的, 了): kept
    return any(ch.isalnum() for ch in word) and (len(word) > 1 or not word.isascii())


@dataclass(frozen=True, slots=True)
class Segmented:
    """An article's index words: the FTS5 columns and the weighted term frequencies."""

    fts_title: str
    fts_body: str
    tf: dict[str, float]  # sublinear tf, title words counted TITLE_WEIGHT times
    ids: dict[str, int]  # word -> term_id(word)

    @property
    def term_ids(self) -> list[int]:
        return sorted(set(self.ids.values()))


def segment_article(terms: IndexTerms) -> Segmented:
    """An article's index words (as its analysis gives them) counted for the index."""
    fts_title, fts_body = terms.title, terms.body
    counts: dict[str, float] = dict(Counter(fts_body.split()))
    for w in fts_title.split():
        counts[w] = counts.get(w, 0.0) + TITLE_WEIGHT
    tf = {w: 1.0 + math.log(c) for w, c in counts.items() if _is_term(w)}
    return Segmented(fts_title, fts_body, tf, {w: term_id(w) for w in tf})


@dataclass(frozen=True, slots=True)
class TermVector:
    """The stored form: top terms by TF-IDF, their tf weights, the TF-IDF norm, top words."""

    ids: npt.NDArray[np.uint32]  # sorted
    tf: npt.NDArray[np.float32]
    norm: float
    words: tuple[str, ...]  # heaviest first, at most QUERY_POOL

    def blob(self) -> bytes:
        return self.ids.tobytes() + self.tf.tobytes()


def term_vector(seg: Segmented, df: Mapping[int, float], docs: float) -> TermVector:
    word_ids = seg.ids
    weighted = sorted(
        ((tf * idf(df.get(word_ids[w], 0), docs), w) for w, tf in seg.tf.items()), reverse=True
    )[:TERMS_PER_ARTICLE]
    by_id: dict[int, float] = {}
    for _, word in weighted:
        tid = word_ids[word]
        by_id[tid] = max(by_id.get(tid, 0.0), seg.tf[word])
    ids = np.array(sorted(by_id), dtype=np.uint32)
    tf = np.array([by_id[int(i)] for i in ids], dtype=np.float32)
    norm = math.sqrt(sum(w * w for w, _ in weighted)) or 1.0
    return TermVector(ids, tf, norm, tuple(w for _, w in weighted[:QUERY_POOL]))


def parse_vector(blob: bytes) -> Vector:
    half = len(blob) // 2
    return np.frombuffer(blob[:half], np.uint32), np.frombuffer(blob[half:], np.float32)


def weighted_query(vec: Vector, df: Mapping[int, float], docs: float) -> Vector:
    """The query's TF-IDF² weights (one idf for each side of the dot product), unit norm."""
    ids, tf = vec
    w = np.array([idf(df.get(int(i), 0), docs) for i in ids], dtype=np.float64)
    q = tf.astype(np.float64) * w
    norm = float(np.linalg.norm(q)) or 1.0
    return ids, (q * w / norm).astype(np.float32)


def cosine(query: Vector, candidate: Vector, candidate_norm: float) -> float:
    """TF-IDF cosine: ``query`` from :func:`weighted_query`, candidate tf + stored norm."""
    _, iq, ic = np.intersect1d(query[0], candidate[0], assume_unique=True, return_indices=True)
    return float(np.dot(query[1][iq], candidate[1][ic])) / candidate_norm


def feedback_query(
    vec: Vector,
    feedback: list[tuple[Vector, float]],
    df: Mapping[int, float],
    docs: float,
    weight: float,
) -> Vector:
    """Rocchio pseudo-relevance feedback (Rocchio 1971; Manning et al., IR book ch. 9):
    the unit TF-IDF query plus ``weight`` times the mean unit vector of the best first-pass
    stories, in the form :func:`weighted_query` returns."""
    ids = vec[0]
    for (f_ids, _), _norm in feedback:
        ids = np.union1d(ids, f_ids)
    idf_w = np.array([idf(df.get(int(i), 0), docs) for i in ids], dtype=np.float64)
    q = np.zeros(len(ids))
    at = np.searchsorted(ids, vec[0])
    q[at] = vec[1] * idf_w[at]
    q /= float(np.linalg.norm(q)) or 1.0
    for (f_ids, f_tf), norm in feedback:
        at = np.searchsorted(ids, f_ids)
        q[at] += weight / len(feedback) * f_tf * idf_w[at] / norm
    q /= float(np.linalg.norm(q)) or 1.0
    return ids.astype(np.uint32), (q * idf_w).astype(np.float32)


def batch_cosine(query: Vector, candidates: list[Vector]) -> npt.NDArray[np.float64]:
    """Dot products of ``query`` (from :func:`weighted_query`) with each candidate's tf
    vector, all at once (divide by the candidates' stored norms to get cosines)."""
    if not candidates:
        return np.zeros(0)
    q_ids, q_w = query
    ids = np.concatenate([c[0] for c in candidates])
    tf = np.concatenate([c[1] for c in candidates]).astype(np.float64)
    owner = np.repeat(np.arange(len(candidates)), [len(c[0]) for c in candidates])
    if not len(q_ids):
        return np.zeros(len(candidates))
    at = np.minimum(np.searchsorted(q_ids, ids), len(q_ids) - 1)
    hit = q_ids[at] == ids
    contrib = np.where(hit, q_w[at] * tf, 0.0)
    return np.bincount(owner, weights=contrib, minlength=len(candidates)).astype(np.float64)


def date_prior(day_a: float, day_b: float | None) -> float:
    """Stories close in time are more likely to be the same story (1.0 on the same day)."""
    apart = UNDATED_DAYS if day_b is None else abs(day_a - day_b)
    return DATE_FLOOR + (1.0 - DATE_FLOOR) * math.exp(-apart / DATE_SCALE_DAYS)
