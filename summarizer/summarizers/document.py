"""An article prepared once for every summarizer: candidates, their words and vectors.

``prepare()`` runs the filters (datelines trimmed, credits/captions/fragments out),
segments each candidate with jieba once and builds TF-IDF vectors (jieba's IDF
table) so that centrality, redundancy and keyword features share one tokenisation.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from summarizer.keywords import content_words, load_idf
from summarizer.model import Entity, Sentence
from summarizer.sentences import split_sentences
from summarizer.summarizers.filters import candidates as eligible
from summarizer.tokenize import load_jieba

Vector = dict[str, float]
TOP_KEYWORDS = 10


@dataclass(frozen=True, slots=True)
class Document:
    """Candidates of one article (document order) and what the scorers need."""

    text: str
    candidates: tuple[Sentence, ...]
    vectors: tuple[Vector, ...]  # L2-normalised TF-IDF per candidate
    centroid: Vector  # L2-normalised TF-IDF of all candidates together
    title_words: frozenset[str]
    keyword_weights: dict[str, float]  # top keywords of the article -> TF-IDF weight
    entity_spans: tuple[tuple[int, int], ...]
    first_in_paragraph: tuple[bool, ...]

    def similarity(self, i: int, j: int) -> float:
        return cosine(self.vectors[i], self.vectors[j])


def prepare(
    text: str,
    sentences: Sequence[Sentence] | None = None,
    *,
    title: str | None = None,
    entities: Iterable[Entity] = (),
    keywords: Iterable[str] = (),
) -> Document:
    sents = list(split_sentences(text) if sentences is None else sentences)
    cands = eligible(sents)
    tokenizer = load_jieba()
    idf, median_idf = load_idf()
    words = [[w.lower() for w in content_words(tokenizer.lcut(s.text))] for s in cands]
    counts = [Counter(ws) for ws in words]
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    vectors = tuple(
        _normalise({w: n * idf.get(w, median_idf) for w, n in c.items()}) for c in counts
    )
    centroid = _normalise({w: n * idf.get(w, median_idf) for w, n in total.items()})
    title_words = frozenset(w.lower() for w in content_words(tokenizer.lcut(title or "")))
    weights = _keyword_weights(total, idf, median_idf, title_words, keywords)
    first_seen: set[int] = set()
    firsts = []
    for s in sents:
        if s.paragraph not in first_seen:
            first_seen.add(s.paragraph)
            firsts.append(s.end)
    para_firsts = set(firsts)
    return Document(
        text=text,
        candidates=tuple(cands),
        vectors=vectors,
        centroid=centroid,
        title_words=title_words,
        keyword_weights=weights,
        entity_spans=tuple((e.start, e.end) for e in entities),
        first_in_paragraph=tuple(c.end in para_firsts for c in cands),
    )


def _keyword_weights(
    total: Counter[str],
    idf: dict[str, float],
    median_idf: float,
    title_words: frozenset[str],
    given: Iterable[str],
) -> dict[str, float]:
    n = sum(total.values()) or 1
    scored = {
        w: (c / n) * idf.get(w, median_idf) * (2.0 if w in title_words else 1.0)
        for w, c in total.items()
    }
    top = sorted(scored, key=lambda w: (-scored[w], w))[:TOP_KEYWORDS]
    weights = {w: scored[w] for w in top}
    ceiling = max(weights.values(), default=1.0)
    for w in given:  # keywords from the pipeline (or entity names) count fully
        weights[w.lower()] = max(weights.get(w.lower(), 0.0), ceiling)
    return weights


def _normalise(v: Vector) -> Vector:
    norm = math.sqrt(sum(x * x for x in v.values()))
    return {k: x / norm for k, x in v.items()} if norm else {}


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(k, 0.0) for k, x in a.items())
