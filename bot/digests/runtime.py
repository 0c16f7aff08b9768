"""The digest/feed services one running bot shares, built once in ``post_init``.

``DigestRuntime.build`` wires the repositories, the digest service, the feed poller and the
scheduler over the bot's database, article store and NewsService; handlers reach it with
``context.digests`` (typed, see bot/context.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.digests.delivery import ArticleSource, DigestService
from bot.digests.scheduler import DigestScheduler
from bot.feeds.poller import POLL_INTERVAL, FeedPoller, Ingest, OnFailing
from storage.db import Database
from storage.feeds import FeedRepository
from storage.subscriptions import DigestLog, SubscriptionRepository, utcnow
from summarizer.errors import SummarizerError
from summarizer.fetch import FetchPolicy


async def one_sentence(text: str, max_chars: int) -> str:
    """summarizer.summarize with one sentence, off the event loop; "" when it cannot."""
    from summarizer.summarize import summarize

    try:
        found = await asyncio.to_thread(summarize, text, max_sentences=1, max_chars=max_chars)
    except SummarizerError:
        return ""
    return found[0] if found else ""


@dataclass(slots=True)
class DigestRuntime:
    subscriptions: SubscriptionRepository
    feeds: FeedRepository
    digests: DigestLog
    service: DigestService
    poller: FeedPoller
    scheduler: DigestScheduler

    @classmethod
    def build(
        cls,
        db: Database,
        articles: ArticleSource,
        ingest: Ingest,
        policy: FetchPolicy,
        *,
        clock: Callable[[], datetime] = utcnow,
        summarize_one: Callable[[str, int], Awaitable[str]] = one_sentence,
        poll_interval: timedelta = POLL_INTERVAL,
        on_failing: OnFailing | None = None,
    ) -> DigestRuntime:
        subscriptions, feeds, digests = (
            SubscriptionRepository(db),
            FeedRepository(db),
            DigestLog(db),
        )
        service = DigestService(subscriptions, digests, articles, summarize_one, clock=clock)
        poller = FeedPoller(
            feeds,
            subscriptions,
            ingest,
            policy,
            interval=poll_interval,
            clock=clock,
            on_failing=on_failing,
        )
        scheduler = DigestScheduler(service, subscriptions, poller, clock=clock)
        return cls(subscriptions, feeds, digests, service, poller, scheduler)
