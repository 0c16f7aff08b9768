"""The default summarizer: a linear sentence scorer learned on the dev data, then MMR.

Weights live in ``summarizer/data/summary_weights.json`` (written by
``bench/summarize.py --fit``), one vector per kind of text over
``features.FEATURES``: ``short`` posts (under ``SHORT_TEXT`` content characters),
``report`` for financial/company texts (sell-side research, earnings news: at least
``REPORT_DENSITY`` finance terms per 1,000 characters; they are not lead-heavy) and
``news`` for the rest. Loaded on first use, not at import.
"""

from __future__ import annotations

import json
import re
import threading
from importlib import resources

from summarizer.model import Sentence
from summarizer.summarizers.document import Document
from summarizer.summarizers.features import FEATURES, feature_matrix
from summarizer.summarizers.filters import content_length
from summarizer.summarizers.selection import best_subset

SHORT_TEXT = 200
REPORT_DENSITY = 8.0
_FINANCE = re.compile(
    r"投资建议|盈利预测|风险提示|评级|EPS|目标价|归母净利|净利润|营收|营业收入|同比|毛利率|估值|PE|买入|增持|业绩|公司"
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


def model_for(doc: Document) -> str:
    """Which weight vector scores this article: "short", "report" or "news"."""
    if content_length(doc.text) < SHORT_TEXT:
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
        weights = (self._own or load_weights())[model_for(doc)]
        precision = linear_scores(doc, weights, max_chars)
        return best_subset(doc, precision, max_sentences=max_sentences, max_chars=max_chars)
