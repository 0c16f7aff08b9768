"""Republished copies: which stored story a new text is a copy of.

The article's MinHash signature is cut into LSH bands (``article_bands``); articles that
share a band are candidates, a MinHash estimate drops the plainly different ones cheaply,
and an exact character 5-gram check decides. A copy is linked by ``duplicate_of`` to its
family's root, the first copy stored (Broder, "On the resemblance and containment of
documents", 1997, for the two rules).
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.db import Connection
from summarizer.fingerprint import containment, jaccard, jaccard_estimate, shingles

# A candidate is the same piece when the exact 5-gram sets agree this much. Republished
# copies (header/footer/dateline changes, a trimmed ending, a few edited characters) sit
# far above; distinct reports of the same event rarely reach either rule.
DUP_JACCARD = 0.5
DUP_CONTAINMENT = 0.8  # of the shorter text in the longer ...
DUP_MIN_LENGTH_RATIO = 0.3  # ... when the shorter is not a mere fragment of the longer
# Below this MinHash estimate no pair can pass either rule above (J >= .8 x .3 = .24 at the
# least, and the estimate's error at 128 minima is about .04), so the text is not read.
PREFILTER_JACCARD = 0.15


def is_same_piece(a: set[str], b: set[str]) -> bool:
    """Exact verification of an LSH candidate on character 5-gram sets."""
    if not a or not b:
        return False
    if jaccard(a, b) >= DUP_JACCARD:
        return True
    ratio = min(len(a), len(b)) / max(len(a), len(b))
    return ratio >= DUP_MIN_LENGTH_RATIO and containment(a, b) >= DUP_CONTAINMENT


async def find_first_copy(
    conn: Connection, keys: Sequence[int], signature: Sequence[int], text: str
) -> int | None:
    """The family root of the oldest stored copy of ``text``: LSH band candidates, a MinHash
    estimate to drop the plainly different cheaply, then the exact shingle check."""
    where, params = conn.backend.any_of("key", keys)
    async with conn.execute(
        "SELECT id, duplicate_of, fingerprint FROM articles WHERE id IN"
        f" (SELECT article_id FROM article_bands WHERE {where}) ORDER BY id",
        params,
    ) as cur:
        rows = list(await cur.fetchall())
    estimates: dict[bytes, bool] = {}  # identical fingerprints are judged once
    for row in rows:
        fp = row["fingerprint"]
        if fp not in estimates:
            estimates[fp] = jaccard_estimate(signature, parse_signature(fp)) >= PREFILTER_JACCARD
    candidates = [row for row in rows if estimates[row["fingerprint"]]]
    if not candidates:
        return None
    firsts = {row["fingerprint"]: row["id"] for row in reversed(candidates)}
    texts = await _texts(conn, sorted(set(firsts.values())))
    mine = shingles(text)
    same = {fp: is_same_piece(mine, shingles(texts[i])) for fp, i in firsts.items()}
    roots = [row["duplicate_of"] or row["id"] for row in candidates if same[row["fingerprint"]]]
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
