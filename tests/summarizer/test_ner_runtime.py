"""The numpy side of the NER network: the BIO-constrained Viterbi."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from summarizer.ner.runtime import allowed_transitions, viterbi

LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


Scores = NDArray[np.float64]


def _score(
    path: tuple[int, ...], emissions: Scores, trans: Scores, start: Scores, end: Scores
) -> float:
    steps = zip(itertools.pairwise(path), emissions[1:], strict=True)
    total = start[path[0]] + emissions[0, path[0]] + end[path[-1]]
    return float(total + sum(trans[a, b] + row[b] for (a, b), row in steps))


def _best_score(emissions: Scores, trans: Scores, start: Scores, end: Scores) -> float:
    """The best score of any label sequence, by trying every one."""
    paths = itertools.product(range(len(start)), repeat=len(emissions))
    return max(_score(path, emissions, trans, start, end) for path in paths)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=6), st.integers(0, 2**32 - 1))
def test_viterbi_finds_the_best_path_of_each_row(lengths: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = len(LABELS)
    allowed = allowed_transitions(LABELS)
    # integer scores: ties between paths are common and must not change the score found
    trans = np.where(allowed[:-1], rng.integers(-3, 3, (n, n)), -1e6).astype(np.float64)
    start = np.where(allowed[-1], rng.integers(-3, 3, n), -1e6).astype(np.float64)
    end = rng.integers(-3, 3, n).astype(np.float64)
    emissions = rng.integers(-4, 4, (len(lengths), max(lengths), n)).astype(np.float64)
    paths = viterbi(emissions, lengths, trans, start, end)  # type: ignore[arg-type]
    assert [len(p) for p in paths] == lengths
    for row, (path, length) in enumerate(zip(paths, lengths, strict=True)):
        scores = emissions[row, :length]
        assert _score(tuple(path), scores, trans, start, end) == _best_score(
            scores, trans, start, end
        )
        assert allowed[-1, path[0]] and all(allowed[a, b] for a, b in itertools.pairwise(path))
