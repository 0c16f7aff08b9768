"""TextRank over sentences (Mihalcea & Tarau, EMNLP 2004) with MMR selection.

Sentence graph weighted by TF-IDF cosine, PageRank by power iteration; no position
prior, so it shows what centrality alone gives (the learned scorer uses it as one
feature among several).
"""

from __future__ import annotations

from summarizer.model import Sentence
from summarizer.summarizers.document import Document
from summarizer.summarizers.selection import select

DAMPING = 0.85
ITERATIONS = 50
TOLERANCE = 1e-6


def textrank_scores(doc: Document) -> list[float]:
    n = len(doc.candidates)
    if n <= 1:
        return [1.0] * n
    weights = [[doc.similarity(i, j) if i != j else 0.0 for j in range(n)] for i in range(n)]
    out = [sum(row) or 1.0 for row in weights]
    rank = [1.0 / n] * n
    for _ in range(ITERATIONS):
        new = [
            (1 - DAMPING) / n + DAMPING * sum(weights[j][i] / out[j] * rank[j] for j in range(n))
            for i in range(n)
        ]
        done = sum(abs(a - b) for a, b in zip(new, rank, strict=True)) < TOLERANCE
        rank = new
        if done:
            break
    return rank


class TextRankSummarizer:
    name = "textrank"

    def select(self, doc: Document, *, max_sentences: int, max_chars: int | None) -> list[Sentence]:
        return select(doc, textrank_scores(doc), max_sentences=max_sentences, max_chars=max_chars)
