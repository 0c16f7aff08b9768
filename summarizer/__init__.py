"""Zhaiyao's NLP side: fetch, extract, clean, split, summarize, entities, fingerprints.

No Telegram and no database here. The public API (stable; benchmarks call exactly this)::

    extract_article(html, url=None) -> Article
    clean_text(text) -> Article
    summarize(text, *, max_sentences=3, max_chars=None) -> list[str]
    find_entities(text) -> list[Entity]
    analyze(article) -> Analysis
"""

from __future__ import annotations

# Imported eagerly (no side effects: jieba and the NER model load on first use) so that the
# package attributes `analyze` and `summarize` are the functions, not the submodules of the
# same name.
from summarizer.analyze import analyze
from summarizer.clean import clean_text
from summarizer.entities import find_entities
from summarizer.extract import extract_article
from summarizer.model import Analysis, Article, Entity, EntityCount, Sentence
from summarizer.summarize import summarize

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
