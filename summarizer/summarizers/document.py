"""An article prepared once for every summarizer: candidates, their terms and vectors.

``prepare()`` runs the filters (datelines trimmed, credits/captions/fragments out)
and turns each candidate into terms: Chinese character bigrams and Latin words.
Bigrams rather than jieba words because segmenting a 2,000-character article costs
15-20 ms, the whole summary budget; bigram overlap is the usual stand-in for word
overlap in Chinese IR. IDF comes from jieba's table where the bigram is a word there,
else its median, so centrality, redundancy and keyword features share one vector.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from summarizer.keywords import STOPWORDS, load_idf
from summarizer.model import Entity, Sentence
from summarizer.sentences import split_sentences
from summarizer.summarizers.filters import candidates as eligible

Vector = dict[str, float]
TOP_KEYWORDS = 10
# Only the first this-many candidates are considered: a summary of a news article does
# not come from its 300th sentence, and it keeps 1 MB inputs (and TextRank's n² graph)
# cheap.
MAX_CANDIDATES = 300
# Function characters: a bigram containing one is rarely a content term.
STOP_CHARS = frozenset(
    "的了是在和与及等也就都而并对为以于之其这那有被将把从中上下个一不我你他她它们着又还或但该此已所会可能要到说让向给由则因年月日"
)
_RUN = re.compile(r"[\u3400-\u9fff]+|[A-Za-z][A-Za-z0-9'\-]*|\d+(?:\.\d+)?")


def terms(text: str) -> list[str]:
    """Chinese character bigrams (no function characters) and lower-cased Latin words."""
    out: list[str] = []
    for m in _RUN.finditer(text):
        run = m.group()
        if run[0] >= "\u3400":
            out.extend(
                run[i : i + 2]
                for i in range(len(run) - 1)
                if run[i] not in STOP_CHARS and run[i + 1] not in STOP_CHARS
            )
        elif len(run) > 1 and run.lower() not in STOPWORDS:
            out.append(run.lower())
    return out


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
    cands = eligible(sents, MAX_CANDIDATES)
    idf, median_idf = load_idf()
    counts = [Counter(terms(s.text)) for s in cands]
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    vectors = tuple(
        _normalise({w: n * idf.get(w, median_idf) for w, n in c.items()}) for c in counts
    )
    centroid = _normalise({w: n * idf.get(w, median_idf) for w, n in total.items()})
    title_words = frozenset(terms(title or ""))
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
    top = heapq.nsmallest(TOP_KEYWORDS, scored, key=lambda w: (-scored[w], w))
    weights = {w: scored[w] for w in top}
    ceiling = max(weights.values(), default=1.0)
    for word in given:  # keywords from the pipeline count fully, as their bigrams
        for term in terms(word):
            weights[term] = max(weights.get(term, 0.0), ceiling)
    return weights


def _normalise(v: Vector) -> Vector:
    norm = math.sqrt(sum(x * x for x in v.values()))
    return {k: x / norm for k, x in v.items()} if norm else {}


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(k, 0.0) for k, x in a.items())
