"""Anchors for bench/related.py, measured in the same run over the same jieba words.

BM25 (k1 1.2, b .75) and TF-IDF cosine (sublinear tf, smooth idf) over whole-corpus sparse
matrices, TF-IDF times a publication-date prior, and an SQLite FTS5 OR-query of the
query's 16 heaviest TF-IDF words ranked by FTS5's BM25. All rank every other document.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp

Doc = dict[str, Any]
Ranking = dict[str, list[str]]
DEPTH = 100


def _tokens(doc: Doc, segment: Callable[[str], str]) -> list[str]:
    words = segment(doc.get("title") or "").split() + segment(doc["text"]).split()
    return [w for w in words if any(ch.isalnum() for ch in w)]


def _matrix(token_lists: list[list[str]]) -> tuple[sp.csr_matrix, dict[str, int]]:
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, toks in enumerate(token_lists):
        for w, c in Counter(toks).items():
            rows.append(i)
            cols.append(vocab.setdefault(w, len(vocab)))
            vals.append(c)
    shape = (len(token_lists), len(vocab))
    return sp.csr_matrix((np.array(vals, float), (rows, cols)), shape=shape), vocab


def _top(scores: np.ndarray, exclude: int, ids: list[str]) -> list[str]:
    scores = scores.copy()
    scores[exclude] = -np.inf
    top = np.argpartition(-scores, DEPTH)[:DEPTH]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [ids[j] for j in top]


def anchor_rankings(
    docs: list[Doc], queries: list[Doc], segment: Callable[[str], str]
) -> Iterator[tuple[str, Ranking]]:
    ids = [d["id"] for d in docs]
    pos = {d: i for i, d in enumerate(ids)}
    qidx = np.array([pos[q["qid"]] for q in queries])
    token_lists = [_tokens(d, segment) for d in docs]
    tf, vocab = _matrix(token_lists)
    n = tf.shape[0]
    df = np.asarray((tf > 0).sum(axis=0)).ravel()

    # BM25: query = the query document's distinct words
    idf_bm25 = np.log(1 + (n - df + 0.5) / (df + 0.5))
    lengths = np.asarray(tf.sum(axis=1)).ravel()
    k1, b = 1.2, 0.75
    coo = tf.tocoo()
    denom = coo.data + k1 * (1 - b + b * lengths[coo.row] / lengths.mean())
    bm = sp.csr_matrix(
        (coo.data * (k1 + 1) / denom * idf_bm25[coo.col], (coo.row, coo.col)), tf.shape
    )
    qbin = (tf[qidx] > 0).astype(float)
    scores = (qbin @ bm.T).toarray()
    yield (
        "BM25 (jieba words)",
        {q["qid"]: _top(scores[i], qidx[i], ids) for i, q in enumerate(queries)},
    )

    idf = np.log((n + 1) / (df + 1)) + 1
    w = tf.copy()
    w.data = 1 + np.log(w.data)
    w = sp.csr_matrix(w.multiply(idf[None, :]))
    norms = np.sqrt(np.asarray(w.multiply(w).sum(axis=1)).ravel())
    w = sp.diags(1 / np.maximum(norms, 1e-12)) @ w
    cos = (w[qidx] @ w.T).toarray()
    yield "TF-IDF cosine", {q["qid"]: _top(cos[i], qidx[i], ids) for i, q in enumerate(queries)}

    days = np.array(
        [np.datetime64(d["date"], "D").astype(float) if d.get("date") else np.nan for d in docs]
    )
    apart = np.nan_to_num(np.abs(days[qidx][:, None] - days[None, :]), nan=365.0)
    prior = 0.5 + 0.5 * np.exp(-apart / 30.0)
    dated = cos * prior
    yield (
        "TF-IDF × date prior",
        {q["qid"]: _top(dated[i], qidx[i], ids) for i, q in enumerate(queries)},
    )

    inv = {j: t for t, j in vocab.items()}
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(body, tokenize='unicode61')")
    conn.executemany(
        "INSERT INTO f(rowid, body) VALUES (?, ?)",
        ((i, " ".join(t)) for i, t in enumerate(token_lists)),
    )
    fts: Ranking = {}
    for i, q in enumerate(queries):
        row = w[qidx[i]]
        heaviest = [inv[j] for j in row.indices[np.argsort(-row.data)][:16]]
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in heaviest)
        hits = conn.execute(
            "SELECT rowid FROM f WHERE f MATCH ? ORDER BY rank LIMIT ?", (match, DEPTH + 1)
        ).fetchall()
        fts[q["qid"]] = [ids[r] for (r,) in hits if r != qidx[i]][:DEPTH]
    conn.close()
    yield "FTS5 top-16-keyword query", fts
