"""Fit the summary scorers from data: ``python -m summarizer.summarizers.train``.

Labels are ROUGE-oracle signals computed with the reference in hand: for every
candidate sentence, the mean of the clipped character unigram and bigram precision (or
F1) of what would be shown, cut to the reference's length in ROUGE tokens as the
harness cuts it. Three scorers, one per kind of text (``zhaiyao.model_for``):

* ``short`` — ``train_short.jsonl`` (10k LCSTS posts, one-line human summaries): a
  conditional logit (McFadden 1974) over each post's sentences, the label the sentence
  from which the post, read on (``clauses.continue_from``), has the best F1; only the
  ranking within a post counts.
* ``news`` — ``weak_titles.jsonl`` (5.6k web news, headline as a weak target, the title
  hidden from the features since it is the target): ridge regression on precision
  relative to the article's best sentence, i.e. "which sentence carries the headline's
  content". (Short posts are not added: they are another kind of text, scored by
  ``short``.)
* ``report`` — the research reports of ``long_dev.jsonl`` (no other data of that genre
  exists here; its figures are 5-fold CV in ``bench/summarize.py``): ridge on relative
  precision.

No evaluation text of ``dev.jsonl`` or the news of ``long_dev.jsonl`` is read. numpy
only; the weights are plain JSON (``summarizer/data/summary_weights.json``).
"""

from __future__ import annotations

import argparse
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from summarizer.summarizers.document import prepare
from summarizer.summarizers.features import FEATURES, feature_matrix

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "summarization"
OUT = Path(__file__).resolve().parents[1] / "data" / "summary_weights.json"
RIDGE = 1.0  # L2 strength (not tuned; the old scorer's value)
CHOICE_STEPS = 300  # full-batch gradient steps of the conditional logit (converges)
CHOICE_RATE = 0.5
# Budget (characters) the news features assume when training on headlines: a bot card.
NEWS_BUDGET = 150
_ROUGE_TOKEN = re.compile(r"[a-z0-9]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
Record = dict[str, Any]
Rows = tuple[np.ndarray, np.ndarray]  # features (n × len(FEATURES)), targets (n)


def load(path: Path) -> list[Record]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def rouge_tokens(text: str) -> list[str]:
    """The harness's ROUGE tokens: CJK characters and lower-cased Latin/digit runs."""
    return _ROUGE_TOKEN.findall(unicodedata.normalize("NFKC", text).lower())


def rouge12(tokens: list[str], reference: list[str], *, f1: bool) -> float:
    """Mean of clipped unigram and bigram precision (or F1) of ``tokens`` against
    ``reference``."""
    out = 0.0
    for n in (1, 2):
        grams = Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        ref = Counter(tuple(reference[i : i + n]) for i in range(len(reference) - n + 1))
        overlap = sum((grams & ref).values())
        total = sum(grams.values()) + (sum(ref.values()) if f1 else 0)
        out += (2 if f1 else 1) * overlap / total if total else 0.0
    return out / 2


def article_rows(
    rec: Record,
    *,
    feature_budget: int | None,
    relative: bool,
    use_title: bool = True,
    f1: bool = False,
) -> Rows:
    """Features and targets of one article's candidates: ROUGE-1/2 precision, or F1
    (a short sentence shown whole misses most of the reference)."""
    ref = rouge_tokens(rec["summary"])
    doc = prepare(rec["text"], title=rec.get("title") if use_title else None)
    budget = feature_budget or len("".join(rec["summary"].split()))
    x = np.asarray(feature_matrix(doc, budget), dtype=float).reshape(-1, len(FEATURES))
    # With F1, the unit is what ``continue_from`` shows from the candidate on: the
    # candidate and those after it, to the reference's length.
    shown = [
        "".join(c.text for c in doc.candidates[i:]) if f1 else s.text
        for i, s in enumerate(doc.candidates)
    ]
    y = np.asarray([rouge12(rouge_tokens(t)[: len(ref)], ref, f1=f1) for t in shown])
    if relative and y.size and y.max() > 0:
        y = y / y.max()
    return x, y


def fit_ridge(groups: Iterable[Rows], ridge: float = RIDGE) -> list[float]:
    parts = [g for g in groups if g[0].size]
    x = np.vstack([g[0] for g in parts])
    y = np.concatenate([g[1] for g in parts])
    penalty = ridge * np.eye(x.shape[1])
    penalty[0, 0] = 0.0  # the bias is not shrunk
    return [float(v) for v in np.linalg.solve(x.T @ x + penalty, x.T @ y)]


def fit_choice(groups: Iterable[Rows], ridge: float = RIDGE) -> list[float]:
    """Conditional logit: a softmax over each article's sentences, its best-precision
    sentence the label; full-batch gradient ascent, L2 ``ridge`` (bias unshrunk)."""
    parts = [g for g in groups if g[0].shape[0] > 1 and g[1].max() > 0]
    x = np.vstack([g[0] for g in parts])
    sizes = np.asarray([g[0].shape[0] for g in parts])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    group = np.repeat(np.arange(len(parts)), sizes)
    target = np.zeros(x.shape[0])
    target[starts + np.asarray([int(np.argmax(g[1])) for g in parts])] = 1.0
    w = np.zeros(x.shape[1])
    for _ in range(CHOICE_STEPS):
        s = x @ w
        s -= np.maximum.reduceat(s, starts)[group]
        e = np.exp(s)
        p = e / np.add.reduceat(e, starts)[group]
        shrink = ridge * w
        shrink[0] = 0.0
        w += CHOICE_RATE * (x.T @ (target - p) - shrink) / len(parts)
    return [float(v) for v in w]


def short_rows(recs: list[Record]) -> Iterator[Rows]:
    for rec in recs:
        yield article_rows(rec, feature_budget=None, relative=False, f1=True)


def news_rows(recs: list[Record]) -> Iterator[Rows]:
    for rec in recs:
        weak = rec.get("reference_type") == "weak-title"
        yield article_rows(rec, feature_budget=NEWS_BUDGET, relative=True, use_title=not weak)


def report_rows(recs: list[Record]) -> Iterator[Rows]:
    for rec in recs:
        yield article_rows(rec, feature_budget=None, relative=True)


def fit_all(short: list[Record], news: list[Record], reports: list[Record]) -> dict[str, Any]:
    return {
        "short": fit_choice(short_rows(short)),
        "news": fit_ridge(news_rows(news)),
        "report": fit_ridge(report_rows(reports)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    short = load(args.data / "train_short.jsonl")
    weak = load(args.data / "weak_titles.jsonl")
    reports = [r for r in load(args.data / "long_dev.jsonl") if r["length_class"] == "long-report"]
    weights = fit_all(short, weak, reports)
    payload = {"features": list(FEATURES), "ridge": RIDGE, "weights": weights}
    args.out.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(payload["weights"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
