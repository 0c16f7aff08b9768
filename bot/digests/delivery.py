"""Build, record and deliver a chat's digest exactly once per scheduled slot.

A digest is recorded (all its messages, rendered) in the database *before* the first send;
each message is marked delivered when Telegram accepts it. Running a slot again only sends
what is still undelivered, so a restart neither skips nor double-posts. Delivery sends
through ``bot.telegram.send`` (``RetryAfter`` waited out, network failures retried; the
bot's ``AIORateLimiter`` keeps to Telegram's 20 messages a minute per group or channel),
and pauses a chat that blocked or removed the bot instead of
retrying it forever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from telegram import Bot
from telegram.error import BadRequest, Forbidden

from bot.digests.compose import ComposedDigest, DigestOptions, compose
from bot.telegram.send import send
from storage.articles import StoredArticle
from storage.errors import NotFound
from storage.subscriptions import Digest, DigestLog, Subscription, SubscriptionRepository, utcnow
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
    status: Literal["delivered", "paused", "gone", "empty"]
    sent: int


class DigestService:
    def __init__(
        self,
        subscriptions: SubscriptionRepository,
        digests: DigestLog,
        articles: ArticleSource,
        one_sentence: OneSentence,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.subscriptions = subscriptions
        self.digests = digests
        self.articles = articles
        self.one_sentence = one_sentence
        self.clock = clock
        self._chat_locks: dict[int, asyncio.Lock] = {}

    async def run_slot(
        self, bot: Bot, chat_id: int, slot: str, *, skip_empty: bool = False
    ) -> Delivery:
        """Record the slot's digest unless it exists, then send what is undelivered.

        ``skip_empty``: a scheduled slot with no new stories records and sends nothing (no
        daily "nothing new" noise); the next digest then covers the longer period."""
        async with self._chat_locks.setdefault(chat_id, asyncio.Lock()):
            if await self.digests.exists(chat_id, slot):
                digest = await self.digests.for_slot(chat_id, slot)
            else:
                sub = await self.subscriptions.get(chat_id)
                until = self.clock()
                composed = await self.compose_for(sub, until)
                if skip_empty and not composed.entries:
                    return Delivery(0, "empty", 0)
                digest = await self.digests.record(
                    chat_id,
                    slot,
                    sub.last_digest_at,
                    until,
                    len(composed.entries),
                    composed.messages,
                )
            return await self.deliver(bot, digest)

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
        sent = 0
        for message in digest.pending:
            try:
                message_id = await self._send(bot, digest.chat_id, message.html)
            except Forbidden:
                log.info("chat %s blocked or removed the bot; digests paused", digest.chat_id)
                await self.subscriptions.set_state(digest.chat_id, "paused")
                return Delivery(digest.id, "paused", sent)
            except BadRequest as exc:
                if "chat not found" not in str(exc).lower():
                    raise
                await self.subscriptions.set_state(digest.chat_id, "gone")
                return Delivery(digest.id, "gone", sent)
            await self.digests.mark_delivered(digest.id, message.seq, message_id)
            sent += 1
        await self.digests.complete(digest.id)
        return Delivery(digest.id, "delivered", sent)

    async def _send(self, bot: Bot, chat_id: int, text: str) -> int:
        """One recorded message, through the bot's one send path (429s waited out,
        dropped connections retried, plain text when Telegram refuses our HTML)."""
        (sent, *_) = await send(bot, chat_id, text)  # pack() keeps it to one message
        return sent.message_id
