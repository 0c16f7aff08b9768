"""Build, record and deliver a chat's digest exactly once per scheduled slot, with any
number of workers.

A worker claims the slot in the database (``DigestLog.claim``: one row per (chat, slot)),
composes it, and records all its rendered messages in the outbox *before* the first send;
the outbox (``bot.telegram.outbox``) sends each once, whichever worker gets to it. Running
a slot again only sends what is still owed, so a restart or a second worker neither skips
nor double-posts. A chat that blocked or removed the bot is paused instead of retried
forever. What happens when a worker dies at each point:

- before the claim: nothing was recorded; the slot runs when any worker next fires it;
- after the claim, while composing: the claim is a dead worker's; the resume tick (or a
  restart) of any worker takes it over and composes again;
- after recording, before a message is sent: the message is still owed and is sent once;
- during the Bot API call: the message is *ambiguous* (Telegram may have it) — never sent
  again, reported to the admin chat;
- after Telegram accepted it: it is ``sent``, nothing more happens.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from telegram import Bot

from bot.digests.compose import ComposedDigest, DigestOptions, compose
from bot.telegram.outbox import OutboxSender
from storage.articles import StoredArticle
from storage.errors import NotFound
from storage.subscriptions import Digest, DigestLog, Subscription, SubscriptionRepository, utcnow
from storage.workers import Worker
from summarizer.model import ListedStory
from summarizer.summarize import char_budget

log = logging.getLogger(__name__)

CANDIDATES = 200  # stories read per digest at most (the newest)


class ArticleSource(Protocol):
    async def get(self, article_id: int) -> StoredArticle: ...
    async def duplicates(self, article_id: int) -> Sequence[StoredArticle]: ...
    async def similarities(self, article_ids: Sequence[int]) -> list[list[float]]: ...


# (text, max_chars) -> one sentence; the bot wires summarizer.summarize(max_sentences=1).
OneSentence = Callable[[str, int], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class Delivery:
    digest_id: int
    # busy: another live worker is composing it; waiting: some messages are still owed
    # (429 or Telegram failing), a later drain sends them
    status: Literal["delivered", "paused", "gone", "empty", "busy", "waiting"]
    sent: int


class DigestService:
    def __init__(
        self,
        subscriptions: SubscriptionRepository,
        digests: DigestLog,
        articles: ArticleSource,
        one_sentence: OneSentence,
        sender: OutboxSender | None = None,  # None: compose only (benchmarks)
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.subscriptions = subscriptions
        self.digests = digests
        self.articles = articles
        self.one_sentence = one_sentence
        self._sender = sender
        self.clock = clock
        self._chat_locks: dict[int, asyncio.Lock] = {}

    @property
    def sender(self) -> OutboxSender:
        if self._sender is None:
            raise RuntimeError("this DigestService composes only (no outbox sender)")
        return self._sender

    @property
    def worker(self) -> Worker:
        return self.sender.worker

    async def run_slot(
        self, bot: Bot, chat_id: int, slot: str, *, skip_empty: bool = False
    ) -> Delivery:
        """Claim the slot unless it is claimed, compose and record it, then send what is
        owed; a slot another live worker is composing is left to it (``busy``).

        ``skip_empty``: a scheduled slot with no new stories records and sends nothing (no
        daily "nothing new" noise); the next digest then covers the longer period."""
        async with self._chat_locks.setdefault(chat_id, asyncio.Lock()):
            claim = await self.digests.claim(chat_id, slot, self.worker, now=self.clock())
            if claim.state == "busy":
                return Delivery(claim.digest_id, "busy", 0)
            if claim.state == "mine":
                try:
                    sub = await self.subscriptions.get(chat_id)
                    until = self.clock()
                    composed = await self.compose_for(sub, until)
                    if skip_empty and not composed.entries:
                        await self.digests.release(claim.digest_id, self.worker)
                        return Delivery(0, "empty", 0)
                    recorded = await self.digests.record_claimed(
                        claim.digest_id,
                        self.worker,
                        sub.last_digest_at,
                        until,
                        len(composed.entries),
                        composed.messages,
                    )
                except BaseException:
                    await asyncio.shield(self.digests.release(claim.digest_id, self.worker))
                    raise
                if not recorded:  # taken over meanwhile: the new holder sends it
                    return Delivery(claim.digest_id, "busy", 0)
            return await self.deliver(bot, await self.digests.get(claim.digest_id))

    async def compose_for(self, sub: Subscription, until: datetime) -> ComposedDigest:
        """The chat's digest of the stories that reached it since its last one."""
        shared = await self.subscriptions.stories_between(sub.chat_id, sub.last_digest_at, until)
        stories = []
        for entry in shared[-CANDIDATES:]:
            story = await self._story(entry.article_id, entry.shared_at, sub.summary_chars)
            if story is not None:
                stories.append(story)
        options = DigestOptions(sub.language, sub.stories, sub.entities, sub.tz)
        similarity = await self.articles.similarities([s.family for s in stories])
        return compose(
            stories,
            period_start=sub.last_digest_at,
            period_end=until,
            options=options,
            similarity=similarity,
        )

    async def _story(self, article_id: int, seen: datetime, chars: int) -> ListedStory | None:
        try:
            stored = await self.articles.get(article_id)
            family = await self.articles.duplicates(article_id)
        except NotFound:
            return None  # purged since it was shared
        article = stored.article
        chars = char_budget(chars, article.lang)
        sentence = await self.one_sentence(article.text, chars)
        if not sentence and stored.summary:
            sentence = stored.summary[0]
        if len(sentence) > chars:
            sentence = sentence[: chars - 1] + "…"
        return ListedStory(
            article_id=stored.id,
            duplicate_of=stored.duplicate_of,
            title=article.title,
            url=article.url,
            source=article.source,
            published_at=article.published_at,
            seen_at=seen,
            sentence=sentence,
            keywords=stored.keywords,
            entities=stored.entities,
            outlets=1 + len(family),  # stored copies: one per outlet URL
        )

    async def deliver(self, bot: Bot, digest: Digest) -> Delivery:
        """Send what the digest still owes (through the outbox, in order)."""
        drained = await self.sender.drain(bot, digest_id=digest.id)
        if drained.status == "delivered":
            await self.digests.complete_if_sent(digest.id)
        return Delivery(digest.id, drained.status, drained.sent)
