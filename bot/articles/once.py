"""A link read once however many workers are sent it at the same moment (issue 21).

:func:`read_once` wraps ``NewsService``'s read of a link in a claim on its normalised URL
(:mod:`storage.url_claims`): the first worker fetches, analyses and stores it; one that
finds the link claimed waits, then answers from the stored article (logged as a
``duplicate`` request, as a link read earlier is), so both users get the card.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from storage.url_claims import reading
from storage.workers import worker_for
from summarizer.model import Analysis, Entity, Sentence

if TYPE_CHECKING:
    from bot.articles.service import NewsService, Report


async def read_once(
    news: NewsService,
    url: str,
    read: Callable[[], Awaitable[Report]],
    *,
    user_id: int | None,
    chat_id: int | None,
) -> Report:
    db = news.articles.db
    async with reading(db, url, await worker_for(db)) as stored_id:
        if stored_id is None:
            return await read()
    started = time.perf_counter()
    report = await stored_report(news, stored_id)
    await news.requests.record(
        user_id,
        chat_id,
        "url",
        url,
        "duplicate",
        (time.perf_counter() - started) * 1000,
        article_id=stored_id,
    )
    return report


async def stored_report(news: NewsService, article_id: int) -> Report:
    """The Report of an article already stored (what the card needs, without re-reading)."""
    from bot.articles.service import RELATED_ON_CARD, Report

    stored = await news.articles.get(article_id)
    text = stored.article.text
    summary = tuple(
        Sentence(s, max(text.find(s), 0), max(text.find(s), 0) + len(s)) for s in stored.summary
    )
    entities = tuple(
        Entity(e.text, e.type, 0, len(e.text)) for e in stored.entities for _ in range(e.count)
    )
    analysis = Analysis(stored.article, summary, summary, entities, stored.keywords)
    family = await news.articles.duplicates(article_id)
    related = await news.articles.related(article_id, limit=RELATED_ON_CARD)
    return Report(
        article_id=article_id,
        analysis=analysis,
        duplicate_of=stored.duplicate_of,
        outlets=1 + len(family),
        related=tuple(related),
        created=False,
    )
