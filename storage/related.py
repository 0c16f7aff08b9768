"""Related stories: FTS5 candidates, re-ranked by term-vector cosine and a date prior.

Stage 1 reads, for each of the query article's heaviest words, the FTS5 postings nearest
in time (rowids just before and after the article's: rowid order is storage order, and
FTS5 walks a doclist in rowid order and stops at the LIMIT), and scores each posting's
article by the IDF-weighted words it shares. Ranking every match with BM25 instead costs
time in proportion to the store (tens of ms at 10k articles); this costs at most
``CANDIDATE_TERMS x 2 x POSTINGS_PER_TERM`` postings at any size. Only family roots are
indexed, so copies never come back. Stage 2 scores the best ``CANDIDATES`` by the TF-IDF
cosine of their stored term vectors times a date prior (news about one story clusters in
time) and explains each match from shared entities.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np

from storage.db import Connection, Record
from storage.errors import NotFound
from storage.fulltext import TermPrior, document_frequencies, read_frequencies
from storage.indexing import (
    Vector,
    batch_cosine,
    date_prior,
    feedback_query,
    idf,
    parse_vector,
    weighted_query,
)
from summarizer.model import ListedStory, term_id

CANDIDATES = 200  # stage-2 depth: enough for recall, small enough for p95 < 50 ms
CANDIDATE_TERMS = 16  # heaviest query words whose postings are read
POSTINGS_PER_TERM = 400  # per word and direction in time
FEEDBACK_DOCS = 3  # Rocchio feedback from the best first-pass stories (dev store, with
FEEDBACK_WEIGHT = 0.3  # single CJK terms and title weight 8: +.0005 nDCG@10, +.003 P@5)
# Below this plain cosine a candidate shares only common words (上海, 警方, 回应 ...): not
# shown as related. In young stores (bench/related.py --protocols young: 10 stories x 2
# articles) it lifts the share of listed stories from the same story from .25 to .67 (the
# rest mostly same-topic neighbours), keeping .96 of the same-story partners; on the dev
# store nDCG@10 and P@5 move by under .001.
MIN_SIMILARITY = 0.06
SAME_EVENT_COSINE = 0.5  # reason "same event": very similar words ...
SAME_EVENT_DAYS = 3.0  # ... published within a few days
_TYPE_LABEL = {"PER": "共同人物", "LOC": "共同地点", "ORG": "共同机构"}


def _entity_set(raw: str) -> dict[str, str]:
    return {text: type_ for text, type_, _count in json.loads(raw)}


def explain(
    cos: float,
    days_apart: float,
    mine: dict[str, str],
    theirs: dict[str, str],
) -> str:
    """A short reason a user can read: same event, or the people/places/orgs shared."""
    if cos >= SAME_EVENT_COSINE and days_apart <= SAME_EVENT_DAYS:
        return "同一事件"
    for type_ in ("PER", "LOC", "ORG"):
        shared = [t for t, k in mine.items() if k == type_ and theirs.get(t) == type_]
        if shared:
            return f"{_TYPE_LABEL[type_]}：{'、'.join(shared[:3])}"
    return "相关话题"


async def rank_related(
    db: Connection, article_id: int, limit: int, prior: TermPrior | None
) -> list[ListedStory]:
    row, vec, (df, docs) = await article_with_frequencies(db, article_id, prior)
    if limit <= 0:
        return []
    query_vec = weighted_query(vec, df, docs)
    pool: list[str] = json.loads(row["query_terms"])
    weight = dict(zip((int(i) for i in vec[0]), (float(w) for w in vec[1]), strict=True))
    heaviest = sorted(
        ((weight.get(term_id(w), 0.0) * idf(df.get(term_id(w), 0), docs), w) for w in pool),
        reverse=True,
    )[:CANDIDATE_TERMS]
    if not heaviest:
        return []
    root = row["duplicate_of"] or row["id"]
    candidates = await _candidates(db, heaviest, root)
    if not candidates:
        return []
    vectors = [parse_vector(c["terms"]) for c in candidates]
    norms = np.array([c["term_norm"] for c in candidates])
    day = row["story_day"]
    priors = np.array([date_prior(day, c["story_day"]) for c in candidates])
    cosines = similarity = batch_cosine(query_vec, vectors) / norms
    if FEEDBACK_DOCS and FEEDBACK_WEIGHT:
        best = np.argsort(-cosines * priors, kind="stable")[:FEEDBACK_DOCS]
        feedback = [(vectors[i], float(norms[i])) for i in best]
        extra = {int(t) for v, _ in feedback for t in v[0]} - set(df)
        if extra:
            more, _ = await document_frequencies(db, sorted(extra), prior)
            df = {**df, **more}
        expanded = feedback_query(vec, feedback, df, docs, FEEDBACK_WEIGHT)
        cosines = batch_cosine(expanded, vectors) / norms
    # Ranked with the feedback-expanded cosine; judged related on the plain one (the
    # expansion leans towards the first-pass best, which in a small store may be any story).
    scored: list[tuple[float, float, float, int, Any]] = [
        (float(cos * prior), float(cos), float(sim), cand["id"], cand)
        for cos, prior, sim, cand in zip(cosines, priors, similarity, candidates, strict=True)
        if sim >= MIN_SIMILARITY
    ]
    scored.sort(key=lambda item: (-item[0], item[3]))
    mine_ents = _entity_set(row["entities"])
    return [
        ListedStory(
            article_id=cand["id"],
            title=cand["title"],
            url=cand["url"],
            source=cand["source"],
            published_at=(
                datetime.fromisoformat(cand["published_at"]) if cand["published_at"] else None
            ),
            score=round(score, 6),
            similarity=round(sim, 6),
            reason=explain(
                cos,
                abs(day - cand["story_day"]),
                mine_ents,
                _entity_set(cand["entities"]),
            ),
        )
        for score, cos, sim, _id, cand in scored[:limit]
    ]


async def article_with_frequencies(
    db: Connection, article_id: int, prior: TermPrior | None
) -> tuple[Record, Vector, tuple[dict[int, float], float]]:
    """A lookup's article row, its term vector, and the document frequencies of the
    vector's words (as :func:`~storage.fulltext.document_frequencies` gives them), read in
    one statement: on PostgreSQL each statement is a round trip."""
    row = await db.fetchone(
        "SELECT a.id, a.duplicate_of, a.story_day, a.terms, a.entities, a.query_terms,"
        " (SELECT value FROM index_stats WHERE name = 'indexed_docs') AS docs,"
        f" {db.backend.vector_frequencies('a.terms')} AS df FROM articles AS a WHERE a.id = ?",
        (article_id,),
    )
    if row is None:
        raise NotFound("article", article_id)
    vec = parse_vector(row["terms"])
    return row, vec, read_frequencies(row["docs"], row["df"], [int(i) for i in vec[0]], prior)


async def pairwise_similarity(
    db: Connection, article_ids: Sequence[int], prior: TermPrior | None
) -> list[list[float]]:
    """Plain TF-IDF cosine between every two of the given stored articles (the measure
    ``MIN_SIMILARITY`` applies to), symmetric: a stored norm dates from its article's
    save, so the two directions differ slightly and are averaged. 0 where an article is
    missing."""
    where, params = db.backend.any_of("id", article_ids)
    rows = await db.fetchall(f"SELECT id, terms, term_norm FROM articles WHERE {where}", params)
    found = {r["id"]: (parse_vector(r["terms"]), float(r["term_norm"])) for r in rows}
    n = len(article_ids)
    out = [[0.0] * n for _ in range(n)]
    present = [i for i, a in enumerate(article_ids) if a in found]
    if len(present) < 2:
        return out
    vectors = [found[article_ids[i]][0] for i in present]
    norms = np.array([found[article_ids[i]][1] for i in present])
    ids = sorted({int(t) for v in vectors for t in v[0]})
    df, docs = await document_frequencies(db, ids, prior)
    for k, i in enumerate(present):
        cosines = batch_cosine(weighted_query(vectors[k], df, docs), vectors) / norms
        for m, j in enumerate(present):
            if i != j:
                out[i][j] += float(cosines[m]) / 2
                out[j][i] += float(cosines[m]) / 2
    return out


async def _candidates(db: Connection, heaviest: list[tuple[float, str]], root: int) -> list[Any]:
    """The articles sharing the most (IDF-weighted) heavy words among the postings nearest
    in time to ``root``, best first (the backend's full-text index finds them)."""
    best, params = db.backend.fulltext.nearby(
        heaviest, root, postings=POSTINGS_PER_TERM, limit=CANDIDATES
    )
    return await db.fetchall(
        f"WITH best AS ({best}) SELECT a.id, a.title, a.url, a.source, a.published_at,"
        " a.story_day, a.terms, a.term_norm, a.entities FROM best"
        " JOIN articles AS a ON a.id = best.rid ORDER BY best.s DESC, best.rid DESC",
        params,
    )
