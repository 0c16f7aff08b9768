"""The default summarizer: sentence precision estimates, then the best-F1 subset.

Each candidate gets an estimate of how much of it a reference summary would share
(``selection.best_subset`` turns those into the set with the best expected ROUGE F1
under the budgets, with redundancy discounted). Weights live in
``summarizer/data/summary_weights.json`` (written by ``bench/summarize.py --fit``),
one vector per kind of text over
``features.FEATURES``: ``short`` posts (under ``SHORT_TEXT`` content characters,
summarised in at most ``SHORT_BUDGET``; one sentence, so its vector is a conditional
logit that ranks a post's sentences rather than a precision estimate),
``report`` for financial/company texts (sell-side research, earnings news: at least
``REPORT_DENSITY`` finance terms per 1,000 characters; they are not lead-heavy).
Loaded on first use, not at import.

``news`` (the rest) is not learned: with 33 dev articles, a fitted news vector lost
to this prior in cross-validation (R-1 39.4 vs 41.6), so news sentences are scored
``(1 + i) ** -LEAD_DECAY * (CENTRALITY_FLOOR + centrality)``: lead-heavy, but a
central later sentence can beat a peripheral early one. ``LEAD_DECAY`` and
``CENTRALITY_FLOOR`` were set by hand (0.5 of {0.3, 0.5, 1, 2} on the news dev set).
"""

from __future__ import annotations

import json
import re
import threading
from importlib import resources

from summarizer.model import Sentence
from summarizer.summarizers.document import Document, cosine
from summarizer.summarizers.features import FEATURES, feature_matrix
from summarizer.summarizers.filters import content_length
from summarizer.summarizers.selection import best_subset

SHORT_TEXT = 200
SHORT_BUDGET = 60
LEAD_DECAY = 0.5
CENTRALITY_FLOOR = 0.5
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


def news_prior(doc: Document) -> list[float]:
    return [
        (1 + i) ** -LEAD_DECAY * (CENTRALITY_FLOOR + cosine(v, doc.centroid))
        for i, v in enumerate(doc.vectors)
    ]


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
        if kind == "news":
            precision = news_prior(doc)
        else:
            weights = (self._own or load_weights())[kind]
            precision = linear_scores(doc, weights, max_chars)
        return best_subset(doc, precision, max_sentences=max_sentences, max_chars=max_chars)
