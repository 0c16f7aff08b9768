"""Turn sentence scores into a summary under the budgets, with redundancy control.

Maximal Marginal Relevance (Carbonell & Goldstein, SIGIR 1998): repeatedly take the
sentence with the best ``score - REDUNDANCY * max similarity to those taken`` that
still fits the character budget; a sentence too similar to one already taken
(cosine ≥ DUPLICATE) is never taken. Output is in document order.

The budget rule (``max_chars``: total characters of the chosen sentences):
sentences are never cut, so when no candidate fits at all the summary is still one
sentence — the best-scored candidate no longer than ``OVERSHOOT`` × max_chars, or,
failing that, the shortest of the ``FALLBACK_POOL`` best-scored ones. ``max_chars``
is therefore exceeded only when the article has no sentence that short.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from summarizer.model import Sentence
from summarizer.summarizers.document import Document

REDUNDANCY = 0.5
DUPLICATE = 0.6
OVERSHOOT = 4.0
FALLBACK_POOL = 3
# best_subset searches every combination of this many best candidates (C(12, 3) = 220).
SEARCH_POOL = 12
# Reference length assumed by best_subset when the caller sets no character budget.
DEFAULT_BUDGET = 150


def select(
    doc: Document,
    scores: Sequence[float],
    *,
    max_sentences: int,
    max_chars: int | None,
    redundancy: float = REDUNDANCY,
) -> list[Sentence]:
    n = len(doc.candidates)
    if n == 0 or max_sentences <= 0:
        return []
    scale = _scale(scores)
    lengths = [len(s.text) for s in doc.candidates]
    chosen: list[int] = []
    used = 0
    while len(chosen) < max_sentences:
        best, best_value = -1, float("-inf")
        for i in range(n):
            if i in chosen or (max_chars is not None and used + lengths[i] > max_chars):
                continue
            overlap = max((doc.similarity(i, j) for j in chosen), default=0.0)
            if overlap >= DUPLICATE:
                continue
            value = scale[i] - redundancy * overlap
            if value > best_value + 1e-12:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        used += lengths[best]
    if not chosen:
        chosen = [_fallback(scale, lengths, max_chars)]
    return [doc.candidates[i] for i in sorted(chosen)]


def _fallback(scale: list[float], lengths: list[int], max_chars: int | None) -> int:
    ranked = sorted(range(len(scale)), key=lambda i: (-scale[i], i))
    limit = OVERSHOOT * (max_chars or 0)
    for i in ranked:
        if lengths[i] <= limit:
            return i
    return min(ranked[:FALLBACK_POOL], key=lambda i: (lengths[i], i))


def _scale(scores: Sequence[float]) -> list[float]:
    """Min-max to [0, 1] so that the redundancy penalty means the same in every article."""
    lo, hi = min(scores), max(scores)
    if hi - lo < 1e-12:
        return [1.0] * len(scores)
    return [(x - lo) / (hi - lo) for x in scores]


def best_subset(
    doc: Document,
    precision: Sequence[float],
    *,
    max_sentences: int,
    max_chars: int | None,
    redundancy: float = REDUNDANCY,
) -> list[Sentence]:
    """The set of sentences with the best expected ROUGE F1 that fits the budgets.

    ``precision[i]`` estimates the share of sentence i's characters that a reference
    summary would contain. With overlap O = sum(p_i * len_i) and a reference about
    as long as the budget B, F1 is about 2·O / (sum(len_i) + B): a sentence is added
    only if it is precise enough to pay for its length, so the budget is filled with
    good sentences rather than with anything that fits. Redundant sentences count
    with precision discounted by their similarity to the others in the set.
    """
    n = len(doc.candidates)
    if n == 0 or max_sentences <= 0:
        return []
    lengths = [len(s.text) for s in doc.candidates]
    budget = max_chars if max_chars is not None else DEFAULT_BUDGET
    pool = sorted(sorted(range(n), key=lambda i: (-precision[i], i))[:SEARCH_POOL])
    if max_chars is not None:
        pool = [i for i in pool if lengths[i] <= max_chars]
    sim = {(i, j): doc.similarity(i, j) for a, i in enumerate(pool) for j in pool[:a]}
    gain = {i: max(precision[i], 0.0) * lengths[i] for i in pool}
    best: tuple[int, ...] = ()
    best_value = 0.0
    for k in range(1, min(max_sentences, len(pool)) + 1):
        for combo in combinations(pool, k):
            total = sum(lengths[i] for i in combo)
            if max_chars is not None and total > max_chars:
                continue
            value = _expected_f1(combo, gain, sim, total + budget, redundancy)
            if value > best_value + 1e-12:
                best, best_value = combo, value
    if not best:
        best = (_fallback(_scale(precision), lengths, max_chars),)
    return [doc.candidates[i] for i in sorted(best)]


def _expected_f1(
    combo: tuple[int, ...],
    gain: dict[int, float],
    sim: dict[tuple[int, int], float],
    denominator: int,
    redundancy: float,
) -> float:
    overlap = 0.0
    for pos, i in enumerate(combo):
        similar = max((sim[(i, j)] for j in combo[:pos]), default=0.0)
        if similar >= DUPLICATE:
            return 0.0
        overlap += gain[i] * (1.0 - redundancy * similar)
    return 2.0 * overlap / denominator
