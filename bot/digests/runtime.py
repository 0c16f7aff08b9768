"""The digest/feed services one running bot shares, built once in ``post_init``.

``DigestRuntime.build`` wires the repositories, the digest service, the feed poller and the
scheduler over the bot's database, article store and NewsService; handlers reach it with
``context.digests`` (typed, see bot/context.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.digests.delivery import ArticleSource, DigestService
from bot.digests.scheduler import DigestScheduler
from bot.feeds.poller import POLL_INTERVAL, FeedPoller, Ingest, OnFailing
from bot.telegram.outbox import OutboxSender, ReportAmbiguous
from storage.db import Database
from storage.errors import NotFound
from storage.feeds import FeedRepository
from storage.outbox import Outbox
from storage.subscriptions import ChatState, DigestLog, SubscriptionRepository, utcnow
from storage.workers import Worker
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
    sender: OutboxSender

    @classmethod
    def build(
        cls,
        db: Database,
        articles: ArticleSource,
        ingest: Ingest,
        policy: FetchPolicy,
        worker: Worker,
        *,
        clock: Callable[[], datetime] = utcnow,
        summarize_one: Callable[[str, int], Awaitable[str]] = one_sentence,
        poll_interval: timedelta = POLL_INTERVAL,
        on_failing: OnFailing | None = None,
        report: ReportAmbiguous | None = None,
    ) -> DigestRuntime:
        subscriptions, feeds, digests = (
            SubscriptionRepository(db),
            FeedRepository(db),
            DigestLog(db),
        )

        async def chat_gone(chat_id: int, state: ChatState) -> None:
            with contextlib.suppress(NotFound):  # a chat without digest settings
                await subscriptions.set_state(chat_id, state)

        sender = OutboxSender(Outbox(db), worker, chat_gone=chat_gone, report=report, clock=clock)
        service = DigestService(
            subscriptions, digests, articles, summarize_one, sender, clock=clock
        )
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
        return cls(subscriptions, feeds, digests, service, poller, scheduler, sender)
