"""``zhaiyao summarize`` without ``--store``: extraction, ``analyze`` and nothing else.

No database is opened (no SQLAlchemy, no migrations, no full-text index), so the card
has no id and no related stories; ``--store`` goes through the bot's ``NewsService``
instead. The same limits as the bot's apply: the fetch policy from the settings for a
link, and ``ZHAIYAO_FETCH_MAX_BYTES`` for a file or stdin, checked before any model loads.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from summarizer.errors import TooLarge

if TYPE_CHECKING:
    from bot.settings import Settings
    from summarizer.model import Analysis, Article

# The card's summary budget: ``summary_chars`` is for the default 3 sentences, and scales
# with ``-n`` (as the bot's NewsService does for its cards).
CARD_SENTENCES = 3
MIN_SUMMARY_CHARS = 40


def summary_chars(settings: Settings, sentences: int) -> int:
    return max(settings.summary_chars * sentences // CARD_SENTENCES, MIN_SUMMARY_CHARS)


def check_size(payload: str | bytes, settings: Settings) -> None:
    """A file or stdin obeys the cap on fetched pages (before anything is parsed)."""
    size = len(payload.encode()) if isinstance(payload, str) else len(payload)
    if size > settings.fetch_max_bytes:
        raise TooLarge(f"{size} bytes over {settings.fetch_max_bytes}")


async def _fetch(url: str, settings: Settings) -> tuple[str, str]:
    from summarizer.fetch import FetchPolicy, GuardedClient, fetch_page

    policy = FetchPolicy.from_settings(settings)
    async with GuardedClient(policy) as client:
        page = await fetch_page(url, policy, client=client)
    return page.text, page.url


def read_article(kind: str, payload: str | bytes, settings: Settings) -> Article:
    """The clean article of a link (fetched), an HTML page or pasted text."""
    if kind == "url":
        html, url = asyncio.run(_fetch(str(payload), settings))
        from summarizer.extract import extract_article

        return extract_article(html, url=url)
    check_size(payload, settings)
    if kind == "html":
        from summarizer.extract import extract_article

        return extract_article(payload)
    from summarizer.clean import clean_text

    return clean_text(str(payload))


def analyze_unstored(
    kind: str, payload: str | bytes, settings: Settings, *, sentences: int
) -> Analysis:
    """Read and analyse one article; the NER backend of the settings loads on first use."""
    from summarizer.analyze import analyze
    from summarizer.entities import use_ner
    from summarizer.summarize import char_budget

    use_ner(settings.ner_backend, settings.ner_model)  # chosen now, loaded on first use
    article = read_article(kind, payload, settings)
    budget = char_budget(summary_chars(settings, sentences), article.lang)
    return analyze(article, max_sentences=sentences, max_chars=budget)
