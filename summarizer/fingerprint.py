"""Near-duplicate fingerprints: MinHash over normalised character shingles.

A republished wire story differs from its first copy by a header, a footer, a changed
dateline or a few edited characters; its set of character 5-grams barely changes. MinHash
(Broder, "On the resemblance and containment of documents", 1997) estimates the Jaccard
similarity of two shingle sets from ``num_perm`` minima; banding the signature (Leskovec,
Rajaraman & Ullman, *Mining of Massive Datasets*, ch. 3.4) turns "similar" into "shares a
band hash", which a database index can look up.

Everything is numpy-vectorised: a 3,000-character article is fingerprinted in about a
millisecond. Hash parameters come from a fixed seed, so signatures are stable across
processes and releases (they are stored in the database).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

SHINGLE = 5
NUM_PERM = 128  # storage bands 126 of them (42 bands x 3 rows, storage.dedup)
_SEED = 0x5A4A_5941  # "ZJYA": fixed forever, signatures are persisted
_MAX32 = np.uint64(0xFFFF_FFFF)
_NOT_WORD = re.compile(r"[\W_]+")

_rng = np.random.default_rng(_SEED)
# multiply-shift hashing (Dietzfelbinger et al.): odd 64-bit multipliers, keep the top 32 bits
_MUL = _rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_ADD = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_BLOCK = 256
_POW = np.array([pow(1_000_003, SHINGLE - 1 - i, 2**64) for i in range(SHINGLE)], np.uint64)


def normalise(text: str) -> str:
    """NFKC (folds full/half width), lower case, punctuation and white space removed."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    """The set of character ``k``-grams of the normalised text (exact, for verification)."""
    norm = normalise(text)
    if len(norm) <= k:
        return {norm} if norm else set()
    return {norm[i : i + k] for i in range(len(norm) - k + 1)}


def _shingle_hashes(norm: str) -> npt.NDArray[np.uint64]:
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < SHINGLE:
        codes = np.concatenate([codes, np.zeros(SHINGLE - len(codes), np.uint64)])
    windows = np.lib.stride_tricks.sliding_window_view(codes, SHINGLE)
    h = (windows * _POW).sum(axis=1, dtype=np.uint64)
    # splitmix64 finaliser: spreads the polynomial hash over all 64 bits
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return np.unique(h)


def minhash_signature(text: str, num_perm: int = NUM_PERM) -> tuple[int, ...]:
    """``num_perm`` 32-bit minima over the text's character 5-gram hashes.

    An empty text (after normalisation) gets the all-maximum signature, which matches
    nothing but another empty text.
    """
    if not 0 < num_perm <= NUM_PERM:
        raise ValueError(f"num_perm must be in 1..{NUM_PERM}")
    norm = normalise(text)
    if not norm:
        return (int(_MAX32),) * num_perm
    h = _shingle_hashes(norm)
    mul, add = _MUL[:num_perm], _ADD[:num_perm]
    low = np.full(num_perm, _MAX32, np.uint64)
    # A few hundred shingles at a time: the (shingles, num_perm) products stay in the
    # CPU cache (all at once, a long article's took ~8x the time).
    block = np.empty((_BLOCK, num_perm), np.uint64)
    with np.errstate(over="ignore"):
        for lo in range(0, len(h), _BLOCK):
            part = block[: len(h[lo : lo + _BLOCK])]
            np.multiply(h[lo : lo + _BLOCK, None], mul, out=part)
            part += add
            part >>= np.uint64(32)
            np.minimum(low, part.min(axis=0), out=low)
    return tuple(int(x) for x in low)


def containment(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / min(|a|, |b|): how much of the smaller text the larger one repeats."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two shingle sets."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


# A candidate is the same piece when the exact 5-gram sets agree this much. Republished
# copies (header/footer/dateline changes, a trimmed ending, a few edited characters) sit
# far above; distinct reports of the same event rarely reach either rule.
DUP_JACCARD = 0.5
DUP_CONTAINMENT = 0.8  # of the shorter text in the longer ...
DUP_MIN_LENGTH_RATIO = 0.3  # ... when the shorter is not a mere fragment of the longer


def is_same_piece(a: set[str], b: set[str]) -> bool:
    """Exact verification of an LSH candidate on character 5-gram sets (Broder 1997)."""
    if not a or not b:
        return False
    if jaccard(a, b) >= DUP_JACCARD:
        return True
    ratio = min(len(a), len(b)) / max(len(a), len(b))
    return ratio >= DUP_MIN_LENGTH_RATIO and containment(a, b) >= DUP_CONTAINMENT


@dataclass(frozen=True)
class ShingleCheck:
    """An analysed text's copy test (``summarizer.model.CopyCheck``): its 5-gram set,
    built on first use, against a stored text's."""

    text: str

    @cached_property
    def shingles(self) -> set[str]:
        return shingles(self.text)

    def same_piece(self, text: str) -> bool:
        return is_same_piece(self.shingles, shingles(text))
