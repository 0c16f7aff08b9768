"""Lead: the first eligible sentences in order, as many as the budgets allow.

The baseline every news summarizer must beat. Unlike the benchmark's Lead-by-budget
it never cuts a sentence; a first sentence longer than the budget is still returned
(the selection module's rule: one sentence is better than none).
"""

from __future__ import annotations

from summarizer.model import Sentence
from summarizer.summarizers.document import Document
from summarizer.summarizers.selection import select


class LeadSummarizer:
    name = "lead"

    def select(self, doc: Document, *, max_sentences: int, max_chars: int | None) -> list[Sentence]:
        n = len(doc.candidates)
        chosen: list[Sentence] = []
        used = 0
        for s in doc.candidates:
            if len(chosen) >= max_sentences or (
                max_chars is not None and used + len(s.text) > max_chars
            ):
                break
            chosen.append(s)
            used += len(s.text)
        if chosen or n == 0 or max_sentences <= 0:
            return chosen
        # nothing fits: fall back by position, the shared rule of selection.select
        return select(doc, [float(n - i) for i in range(n)], max_sentences=1, max_chars=max_chars)
