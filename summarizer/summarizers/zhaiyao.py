"""The default summarizer: learned sentence scores, then a selection that fills the budget.

Weights live in ``summarizer/data/summary_weights.json``, written by
``python -m summarizer.summarizers.train`` from training data (its README says which),
one vector per kind of text over ``features.FEATURES``:

* ``short`` posts (under ``SHORT_TEXT`` content characters, summarised in at most
  ``SHORT_BUDGET``): a conditional logit picks the sentence to start from, and the post
  is read from there to the budget (``clauses.continue_from``);
* ``report`` for financial/company texts (at least ``REPORT_DENSITY`` finance terms per
  1,000 characters; not lead-heavy) and ``news`` (the rest): ridge estimates of each
  sentence's share in a reference, turned into the best expected-F1 set of whole
  sentences (``selection.best_subset``), then the characters left filled with a clean
  clause prefix (``clauses.fill``).

Loaded on first use, not at import.
"""

from __future__ import annotations

import json
import re
import threading
from importlib import resources

from summarizer.model import Sentence
from summarizer.summarizers.clauses import continue_from, fill, fit_piece
from summarizer.summarizers.document import Document
from summarizer.summarizers.features import FEATURES, feature_matrix
from summarizer.summarizers.filters import content_length
from summarizer.summarizers.selection import best_subset

SHORT_TEXT = 200
SHORT_BUDGET = 60
REPORT_DENSITY = 8.0
# Sell-side report / earnings vocabulary; 同比 is left out, economic news uses it too.
_FINANCE = re.compile(
    r"投资建议|盈利预测|风险提示|评级|EPS|目标价|归母|净利|营收|营业收入|毛利率|估值|PE|买入|增持|业绩|公司|亿元"
)
WEIGHTS_FILE = "summary_weights.json"

_lock = threading.Lock()
_weights: dict[str, list[float]] | None = None


def load_weights() -> dict[str, list[float]]:
    global _weights
    if _weights is None:
        with _lock:
            if _weights is None:
                raw = (resources.files("summarizer") / "data" / WEIGHTS_FILE).read_text("utf-8")
                data = json.loads(raw)
                if data["features"] != list(FEATURES):
                    raise ValueError(
                        f"{WEIGHTS_FILE} was fit for other features: {data['features']}"
                    )
                _weights = {k: [float(x) for x in v] for k, v in data["weights"].items()}
    return _weights


def model_for(doc: Document, max_chars: int | None) -> str:
    """Which scorer this article gets: "short", "report" or "news".

    "short" was fit on Weibo posts summarised in a headline of ~20 characters; a
    short text with a roomy budget (a bot card) is scored like news instead.
    """
    tiny_budget = max_chars is not None and max_chars <= SHORT_BUDGET
    if content_length(doc.text) < SHORT_TEXT and tiny_budget:
        return "short"
    density = 1000 * len(_FINANCE.findall(doc.text)) / max(len(doc.text), 1)
    return "report" if density >= REPORT_DENSITY else "news"


def linear_scores(doc: Document, weights: list[float], budget: int | None) -> list[float]:
    return [
        sum(w * x for w, x in zip(weights, row, strict=True)) for row in feature_matrix(doc, budget)
    ]


class ZhaiyaoSummarizer:
    name = "zhaiyao"

    def __init__(self, weights: dict[str, list[float]] | None = None) -> None:
        self._own = weights  # for cross-validation; None means the shipped weights

    def select(self, doc: Document, *, max_sentences: int, max_chars: int | None) -> list[Sentence]:
        if not doc.candidates:
            return []
        kind = model_for(doc, max_chars)
        precision = linear_scores(doc, (self._own or load_weights())[kind], max_chars)
        if kind == "short":
            start = max(range(len(precision)), key=lambda i: (precision[i], -i))
            return continue_from(doc, start, max_sentences=max_sentences, max_chars=max_chars)
        chosen = best_subset(doc, precision, max_sentences=max_sentences, max_chars=max_chars)
        if len(chosen) == 1:  # nothing fitted: a clean prefix rather than an overrun
            chosen = [fit_piece(chosen[0], max_chars)]
        return fill(doc, chosen, precision, max_sentences=max_sentences, max_chars=max_chars)
