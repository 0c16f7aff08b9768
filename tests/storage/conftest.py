"""Storage fixtures: a real SQLite file per test, and analysed articles built by hand."""

from __future__ import annotations

from datetime import datetime

import pytest

from storage import Database
from storage.articles import ArticleRepository
from summarizer.fingerprint import minhash_signature
from summarizer.model import Analysis, Article, Entity, Sentence


def make_analysis(
    title: str,
    text: str,
    *,
    url: str | None = None,
    source: str | None = None,
    published_at: datetime | None = None,
    entities: tuple[tuple[str, str], ...] = (),
) -> Analysis:
    """An Analysis assembled directly (the NLP stages are not under test here)."""
    article = Article(title=title, text=text, url=url, source=source, published_at=published_at)
    first = text.split("。")[0] + "。"
    spans = []
    for name, type_ in entities:
        start = text.find(name)
        if start >= 0:
            spans.append(Entity(name, type_, start, start + len(name)))
    return Analysis(
        article=article,
        sentences=(Sentence(first, 0, len(first)),),
        summary=(Sentence(first, 0, len(first)),),
        entities=tuple(spans),
        keywords=(title[:4],),
        fingerprint=minhash_signature(text),
    )


@pytest.fixture
def repo(db: Database) -> ArticleRepository:
    return ArticleRepository(db)
