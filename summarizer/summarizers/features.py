"""Sentence features for the learned scorer, each roughly in [0, 1].

Position (news is lead-heavy), centrality (cosine to the article's TF-IDF centroid,
as in centroid-based summarisation, Radev et al. 2004), title overlap, keyword and
entity/number density, length against the budget and alone, paragraph position, quote,
attribution and colon cues, and two cues for sentences that do not stand alone
(questions, openings that point back to an earlier sentence).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from itertools import accumulate

from summarizer.model import Sentence
from summarizer.summarizers.document import Document, cosine
from summarizer.summarizers.filters import content_length

FEATURES = (
    "bias",
    "first",
    "lead",
    "relative_position",
    "paragraph_start",
    "centrality",
    "title_overlap",
    "keywords",
    "entities_numbers",
    "length_fit",
    "length_over",
    "question",
    "back_reference",
    "second",
    "paragraph_lead",
    "quote",
    "attribution",
    "colon",
    "length",
)
# Budget assumed for the length features when the caller gives none (a bot card).
DEFAULT_BUDGET = 150

_QUESTION = re.compile(r"[？?][”」』]?$")
_BACK_REFERENCE = re.compile(
    r"^(?:但|而|因此|所以|此外|另外|同时|对此|不过|然而|此前|其中|这|那|该|他|她|它"
    r"|(?:However|But|And|This|That|These|It|He|She|They)\b)"
)
_QUOTE = re.compile(r"[“「『\"]")
_ATTRIBUTION = re.compile(r"表示|说|称|指出|认为|介绍|强调|透露|获悉|了解到|\b(?:said|says|told)\b")
_COLON = re.compile(r"[：:]")
# Sentence length in characters at which the "length" feature saturates.
LONG_SENTENCE = 200
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def feature_matrix(doc: Document, budget: int | None) -> list[list[float]]:
    n = len(doc.candidates)
    total_keyword = sum(doc.keyword_weights.values()) or 1.0
    budget_chars = budget or DEFAULT_BUDGET
    paragraphs = sorted({s.paragraph for s in doc.candidates})
    paragraph_rank = {p: k for k, p in enumerate(paragraphs)}
    spans = _SpanIndex(doc.entity_spans)
    rows = []
    for i, s in enumerate(doc.candidates):
        vector = doc.vectors[i]
        words = vector.keys()
        title = len(doc.title_words & words) / len(doc.title_words) if doc.title_words else 0.0
        keyword = sum(doc.keyword_weights.get(w, 0.0) for w in words) / total_keyword
        ratio = len(s.text) / budget_chars
        rows.append(
            [
                1.0,
                1.0 if i == 0 else 0.0,
                1.0 / (1.0 + i),
                i / (n - 1) if n > 1 else 0.0,
                1.0 if doc.first_in_paragraph[i] else 0.0,
                cosine(vector, doc.centroid),
                title,
                min(keyword, 1.0),
                _entity_number_density(spans, s),
                min(ratio, 1.0),
                min(max(ratio - 1.0, 0.0), 2.0) / 2.0,
                1.0 if _QUESTION.search(s.text) else 0.0,
                1.0 if _BACK_REFERENCE.match(s.text) else 0.0,
                1.0 if i == 1 else 0.0,
                1.0 / (1.0 + paragraph_rank[s.paragraph]),
                1.0 if _QUOTE.search(s.text) else 0.0,
                1.0 if _ATTRIBUTION.search(s.text) else 0.0,
                1.0 if _COLON.search(s.text) else 0.0,
                min(len(s.text) / LONG_SENTENCE, 1.0),
            ]
        )
    return rows


class _SpanIndex:
    """Entity spans sorted by start, with the furthest end reached so far: the spans
    overlapping a sentence are found without a pass over all of them (a long article
    has ~300 candidate sentences and ~1,000 entities)."""

    def __init__(self, spans: tuple[tuple[int, int], ...]) -> None:
        self.spans = sorted(spans)
        self.starts = [start for start, _ in self.spans]
        self.reach = list(accumulate((end for _, end in self.spans), max))

    def covered(self, start: int, end: int) -> int:
        """Characters of [start, end) inside each span, summed over the spans."""
        total = 0
        k = bisect_left(self.starts, end) - 1  # spans from k down start before ``end``
        while k >= 0 and self.reach[k] > start:
            lo, hi = max(self.spans[k][0], start), min(self.spans[k][1], end)
            if lo < hi:
                total += hi - lo
            k -= 1
        return total


def _entity_number_density(spans: _SpanIndex, s: Sentence) -> float:
    covered = sum(len(m.group()) for m in _NUMBER.finditer(s.text))
    covered += spans.covered(s.start, s.end)
    length = content_length(s.text) or 1
    return min(1.0, math.sqrt(covered / length))
