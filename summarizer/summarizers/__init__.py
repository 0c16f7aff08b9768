"""The summarizer family: one small Protocol, a plain dict of instances keyed by name.

Every entry takes a prepared ``Document`` (candidates already filtered, datelines
trimmed) and returns candidate sentences in document order within the budgets; the
contract test in ``tests/summarizer/test_summarize_contract.py`` runs over all of them.
"""

from __future__ import annotations

from typing import Protocol

from summarizer.model import Sentence
from summarizer.summarizers.document import Document, prepare
from summarizer.summarizers.lead import LeadSummarizer
from summarizer.summarizers.textrank import TextRankSummarizer
from summarizer.summarizers.zhaiyao import ZhaiyaoSummarizer


class Summarizer(Protocol):
    name: str

    def select(
        self, doc: Document, *, max_sentences: int, max_chars: int | None
    ) -> list[Sentence]: ...


DEFAULT = "zhaiyao"
SUMMARIZERS: dict[str, Summarizer] = {
    "lead": LeadSummarizer(),
    "textrank": TextRankSummarizer(),
    "zhaiyao": ZhaiyaoSummarizer(),
}

__all__ = ["DEFAULT", "SUMMARIZERS", "Document", "Summarizer", "prepare"]
