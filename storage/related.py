"""Related stories: FTS5 candidates, re-ranked by term-vector cosine and a date prior.

Stage 1 asks FTS5 (BM25, the store's own IDF) for the stories sharing the query article's
heaviest words; only family roots are indexed, so copies never come back. Stage 2 scores
each candidate by the cosine of the stored unit term vectors times a date prior (news about
one story clusters in time) and explains the match from shared entities. The work per
lookup is bounded by ``CANDIDATES`` rows, whatever the size of the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Database
from storage.errors import NotFound
from storage.indexing import (
    QUERY_TERMS,
    cosine,
    date_prior,
    fts_any,
    idf,
    parse_vector,
    term_id,
    weighted_query,
)

CANDIDATES = 200  # stage-1 depth: enough for recall, small enough for p95 < 50 ms
SAME_EVENT_COSINE = 0.5  # reason "same event": very similar words ...
SAME_EVENT_DAYS = 3.0  # ... published within a few days
_TYPE_LABEL = {"PER": "共同人物", "LOC": "共同地点", "ORG": "共同机构"}


@dataclass(frozen=True, slots=True)
class RelatedStory:
    article_id: int
    title: str
    url: str | None
    source: str | None
    published_at: datetime | None
    score: float
    reason: str


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


async def rank_related(db: Database, article_id: int, limit: int) -> list[RelatedStory]:
    row = await db.fetchone(
        "SELECT id, duplicate_of, story_day, terms, entities, query_terms FROM articles"
        " WHERE id = ?",
        (article_id,),
    )
    if row is None:
        raise NotFound("article", article_id)
    if limit <= 0:
        return []
    vec = parse_vector(row["terms"])
    df, docs = await _frequencies(db, [int(i) for i in vec[0]])
    query_vec = weighted_query(vec, df, docs)
    pool: list[str] = json.loads(row["query_terms"])
    weight = dict(zip((int(i) for i in vec[0]), (float(w) for w in vec[1]), strict=True))
    # heaviest by tf x idf with the store's current idf
    pool.sort(key=lambda w: -weight.get(term_id(w), 0.0) * idf(df.get(term_id(w), 0), docs))
    query = fts_any(pool[:QUERY_TERMS])
    if not query:
        return []
    root = row["duplicate_of"] or row["id"]
    candidates = await db.fetchall(
        "SELECT a.id, a.title, a.url, a.source, a.published_at, a.story_day, a.terms,"
        " a.term_norm, a.entities FROM articles AS a JOIN (SELECT rowid AS rid FROM"
        " article_fts WHERE article_fts MATCH ? ORDER BY bm25(article_fts, 4.0, 1.0)"
        " LIMIT ?) AS c ON a.id = c.rid WHERE a.id != ?",
        (query, CANDIDATES + 1, root),
    )
    scored: list[tuple[float, float, Any]] = []
    for cand in candidates:
        cos = cosine(query_vec, parse_vector(cand["terms"]), cand["term_norm"])
        scored.append((cos * date_prior(row["story_day"], cand["story_day"]), cos, cand))
    scored.sort(key=lambda item: (-item[0], item[2]["id"]))
    mine_ents = _entity_set(row["entities"])
    return [
        RelatedStory(
            article_id=cand["id"],
            title=cand["title"],
            url=cand["url"],
            source=cand["source"],
            published_at=(
                datetime.fromisoformat(cand["published_at"]) if cand["published_at"] else None
            ),
            score=round(score, 6),
            reason=explain(
                cos,
                abs(row["story_day"] - cand["story_day"]),
                mine_ents,
                _entity_set(cand["entities"]),
            ),
        )
        for score, cos, cand in scored[:limit]
    ]


async def _frequencies(db: Database, ids: list[int]) -> tuple[dict[int, int], int]:
    rows = await db.fetchall(
        f"SELECT id, df FROM term_df WHERE id IN ({','.join('?' * len(ids))})", ids
    )
    docs = await db.scalar("SELECT value FROM index_stats WHERE name = 'indexed_docs'")
    return {r[0]: r[1] for r in rows}, int(docs or 0)
