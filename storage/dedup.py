"""Republished copies: which stored story a new text is a copy of.

The article's MinHash signature (its analysis's) is cut into LSH bands
(``article_bands``); articles that share a band are candidates, a MinHash estimate drops
the plainly different ones cheaply, and the analysis's exact character 5-gram check
(``Analysis.copy_check``) decides. A copy is linked by ``duplicate_of`` to its
family's root, the first copy stored (Broder, "On the resemblance and containment of
documents", 1997, for the two rules).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from storage.db import Connection
from summarizer.model import CopyCheck

BANDS = 42  # 42 bands x 3 rows (126 of the 128 minima): P(candidate) .94 at Jaccard .4,
ROWS = 3  # .996 at .5; republished copies sit far above, unrelated news far below
# Below this MinHash estimate no pair can pass the exact rules (summarizer.fingerprint:
# J >= .8 x .3 = .24 at the least, and the estimate's error at 128 minima is about .04),
# so the text is not read.
PREFILTER_JACCARD = 0.15
_CHUNK = 500  # keys per IN (...) list, well under SQLite's variable limit


def band_keys(signature: Iterable[int], bands: int = BANDS, rows: int = ROWS) -> list[int]:
    """One signed 64-bit key per LSH band (Leskovec, Rajaraman & Ullman, *Mining of Massive
    Datasets*, ch. 3.4): band number in the high bits, a 31-bit row hash low.

    Two signatures that agree on every row of some band share that band's key. The hash
    keeps 31 bits so the key fits SQLite's signed INTEGER; rare collisions only add a
    candidate, which exact verification then rejects.
    """
    sig = np.asarray(tuple(signature), np.uint64)
    if len(sig) < bands * rows:
        raise ValueError(f"signature length {len(sig)} < {bands} bands x {rows} rows")
    table = sig[: bands * rows].reshape(bands, rows)
    with np.errstate(over="ignore"):
        h = np.zeros(bands, np.uint64)
        for col in range(rows):
            h = (h ^ table[:, col]) * np.uint64(0x100000001B3)  # FNV-1a style fold
        h ^= h >> np.uint64(29)
    low = (h & np.uint64(0x7FFF_FFFF)).astype(np.int64)
    return [int(band) << 32 | int(v) for band, v in enumerate(low)]


def resemblance(a: Sequence[int], b: Sequence[int]) -> float:
    """Share of equal minima of two MinHash signatures (the Jaccard estimate)."""
    x, y = np.asarray(a, np.uint64), np.asarray(b, np.uint64)
    if len(x) != len(y) or not len(x):
        return 0.0
    return float(np.count_nonzero(x == y)) / len(x)


@dataclass(frozen=True, slots=True)
class Banded:
    """A stored article as band candidates are judged: id, family root, signature blob."""

    id: int
    duplicate_of: int | None
    fingerprint: bytes


class BandIndex:
    """The LSH band postings a write batch looks up: the stored ones for all the batch's
    keys read in one go (a statement per ``_CHUNK`` keys, not per article), and the
    batch's own added as they are saved (rows of its transaction, in memory)."""

    def __init__(self) -> None:
        self.postings: dict[int, dict[int, Banded]] = defaultdict(dict)

    @classmethod
    async def load(cls, conn: Connection, keys: Sequence[int]) -> BandIndex:
        index = cls()
        wanted = sorted(set(keys))
        for start in range(0, len(wanted), _CHUNK):
            where, params = conn.backend.any_of("b.key", wanted[start : start + _CHUNK])
            rows = await conn.fetchall(
                "SELECT b.key, a.id, a.duplicate_of, a.fingerprint FROM article_bands AS b"
                f" JOIN articles AS a ON a.id = b.article_id WHERE {where}",
                params,
            )
            for r in rows:
                index.postings[r[0]][r[1]] = Banded(r[1], r[2], bytes(r[3]))
        return index

    def sharing(self, keys: Sequence[int]) -> list[Banded]:
        """Articles sharing any of ``keys``, by id."""
        found: dict[int, Banded] = {}
        for key in keys:
            found.update(self.postings.get(key, {}))
        return [found[i] for i in sorted(found)]

    def add(self, keys: Sequence[int], article: Banded) -> None:
        for key in keys:
            self.postings[key][article.id] = article


async def find_first_copy(
    conn: Connection, rows: Sequence[Banded], signature: Sequence[int], check: CopyCheck
) -> int | None:
    """The family root of the oldest stored copy of the analysed text among ``rows`` (its
    LSH band candidates, by id): a MinHash estimate drops the plainly different cheaply,
    then the analysis's exact check (``check``) decides on the stored texts left."""
    estimates: dict[bytes, bool] = {}  # identical fingerprints are judged once
    for row in rows:
        fp = row.fingerprint
        if fp not in estimates:
            estimates[fp] = resemblance(signature, parse_signature(fp)) >= PREFILTER_JACCARD
    candidates = [row for row in rows if estimates[row.fingerprint]]
    if not candidates:
        return None
    firsts = {row.fingerprint: row.id for row in reversed(candidates)}
    texts = await _texts(conn, sorted(set(firsts.values())))
    same = {fp: check.same_piece(texts[i]) for fp, i in firsts.items()}
    roots = [row.duplicate_of or row.id for row in candidates if same[row.fingerprint]]
    return min(roots) if roots else None


async def family_outlets(conn: Connection, root: int) -> int:
    """Distinct outlets among a family's copies (a copy without a source counts alone)."""
    async with conn.execute(
        "SELECT count(DISTINCT coalesce(lower(source), '#' || id)) FROM articles"
        " WHERE id = ? OR duplicate_of = ?",
        (root, root),
    ) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 1


def signature_blob(signature: Sequence[int]) -> bytes:
    """A MinHash signature as stored in ``articles.fingerprint``: 4 bytes per minimum."""
    return b"".join(int(v).to_bytes(4, "little") for v in signature)


def parse_signature(blob: bytes) -> tuple[int, ...]:
    return tuple(int.from_bytes(blob[i : i + 4], "little") for i in range(0, len(blob), 4))


async def _texts(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    where, params = conn.backend.any_of("id", ids)
    async with conn.execute(f"SELECT id, text FROM articles WHERE {where}", params) as cur:
        return {r[0]: r[1] for r in await cur.fetchall()}
