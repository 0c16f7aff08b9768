"""Zhaiyao's NLP side: fetch, extract, clean, split, summarize, entities, fingerprints.

No Telegram and no database here. The public API (stable; benchmarks call exactly this)::

    extract_article(html, url=None) -> Article
    clean_text(text) -> Article
    summarize(text, *, max_sentences=3, max_chars=None) -> list[str]
    find_entities(text) -> list[Entity]
    analyze(article) -> Analysis

Names are resolved lazily (PEP 562) so importing one stage does not import them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from summarizer.model import Analysis, Article, Entity, EntityCount, Sentence

if TYPE_CHECKING:
    from summarizer.analyze import analyze
    from summarizer.clean import clean_text
    from summarizer.entities import find_entities
    from summarizer.extract import extract_article
    from summarizer.summarize import summarize

_LAZY = {
    "analyze": "summarizer.analyze",
    "clean_text": "summarizer.clean",
    "find_entities": "summarizer.entities",
    "extract_article": "summarizer.extract",
    "summarize": "summarizer.summarize",
}

__all__ = [
    "Analysis",
    "Article",
    "Entity",
    "EntityCount",
    "Sentence",
    "analyze",
    "clean_text",
    "extract_article",
    "find_entities",
    "summarize",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
