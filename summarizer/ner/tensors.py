"""Batch padding and BIO decoding shared by training and inference (numpy, no torch)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from summarizer.ner.features import CharFeatures

Ints = NDArray[np.int64]


def pad(rows: list[list[int]]) -> Ints:
    """Left-aligned rows padded with 0 into one (batch, longest) array."""
    out = np.zeros((len(rows), max(map(len, rows), default=0)), dtype=np.int64)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return out


def feature_arrays(feats: list[CharFeatures]) -> dict[str, Ints]:
    """A batch of chunks as the network's padded id arrays (0 = padding)."""
    return {
        "chars": pad([f.chars for f in feats]),
        "bigrams": pad([f.bigrams for f in feats]),
        "words": pad([f.words for f in feats]),
        "lexicon": pad([f.lexicon for f in feats]),
    }


def decode_bio(labels: list[str]) -> set[tuple[int, int, str]]:
    spans: set[tuple[int, int, str]] = set()
    start, typ = -1, ""
    for i, lab in enumerate([*labels, "O"]):
        if start >= 0 and not (lab.startswith("I-") and lab[2:] == typ):
            spans.add((start, i, typ))
            start = -1
        if lab.startswith("B-") or (lab.startswith("I-") and start < 0):
            start, typ = i, lab[2:]
    return spans
