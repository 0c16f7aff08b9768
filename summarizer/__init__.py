"""Zhaiyao's NLP side: fetch, extract, clean, split, summarize, entities, fingerprints.

No Telegram and no database here. The public API (stable; benchmarks call exactly this)::

    extract_article(html, url=None) -> Article
    clean_text(text) -> Article
    summarize(text, *, max_sentences=3, max_chars=None) -> list[str]
    find_entities(text) -> list[Entity]
    analyze(article) -> Analysis

Nothing heavy loads at import. jieba's dictionary, its IDF table and the NER model load
once, on first use; :func:`warm_up` loads them all now (the bot's ``post_init``, so its
first user waits no longer than later ones).
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


def warm_up(ner_backend: str = "model", ner_model: str | None = None) -> None:
    """Load jieba (and rjieba), its IDF table and the chosen NER backend now instead of
    on first use."""
    from summarizer.entities import load_ner
    from summarizer.tokenize import load_jieba

    load_jieba()  # jieba's tables (IDF included) and the tokenizer
    load_ner(ner_backend, ner_model)


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
    "warm_up",
]
