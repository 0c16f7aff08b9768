"""What a message asks of the bot, whether it is addressed to us, and the per-user limit.

``article_request(message, bot_username, auto_mode)`` classifies a message into links to
read, a pasted article, or nothing. In groups the bot reads only messages addressed to it
(an @mention or a reply to one of its messages) unless the group turned auto mode on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from telegram import Message, MessageEntity

from bot.articles.service import find_urls
from storage.buckets import Buckets, MemoryBuckets

# Text without a link at least this long is read as a pasted article; shorter text gets
# a hint. A forwarded post is read whatever its length (forwarding is the request).
PASTE_MIN_CHARS = 150
RATE_WINDOW_S = 60.0


@dataclass(frozen=True, slots=True)
class ArticleRequest:
    kind: Literal["links", "text", "hint"]
    links: tuple[str, ...] = ()
    text: str = ""
    dropped_links: int = 0

    @property
    def cost(self) -> int:
        """Articles this request reads (what the rate limit counts)."""
        return len(self.links) if self.kind == "links" else int(self.kind == "text")


def is_group(message: Message) -> bool:
    return message.chat.type in ("group", "supergroup")


def addressed_to_bot(message: Message, bot_username: str, bot_id: int) -> bool:
    if not is_group(message):
        return True
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == bot_id:
        return True
    mention = f"@{bot_username}".lower()
    for entity, value in (message.parse_entities() or message.parse_caption_entities()).items():
        if entity.type == MessageEntity.MENTION and value.lower() == mention:
            return True
    return False


def article_request(
    message: Message, *, bot_username: str, bot_id: int, auto_mode: bool, max_links: int
) -> ArticleRequest | None:
    """``None``: not for us (a group chat we were not addressed in, or no text)."""
    text = message.text or message.caption or ""
    if not text.strip():
        return None
    if is_group(message) and not auto_mode and not addressed_to_bot(message, bot_username, bot_id):
        return None
    text = text.replace(f"@{bot_username}", "").strip()
    links = find_urls(text)
    forwarded = message.forward_origin is not None
    prose = text
    for link in links:
        prose = prose.replace(link, "")
    if links and len(prose.strip()) < PASTE_MIN_CHARS:
        return ArticleRequest(
            "links", tuple(links[:max_links]), dropped_links=max(0, len(links) - max_links)
        )
    if forwarded or len(text) >= PASTE_MIN_CHARS:
        return ArticleRequest("text", text=text)
    if is_group(message) and auto_mode and not addressed_to_bot(message, bot_username, bot_id):
        return None  # auto mode reads links and articles, not every chat line
    return ArticleRequest("hint")


class RateLimiter:
    """Articles per user a minute, for the whole deployment: a bucket of ``per_minute``
    refilled evenly over the minute, in the buckets the workers share
    (:mod:`storage.buckets`; this process's until :meth:`use` is called)."""

    def __init__(self, per_minute: int, buckets: Buckets | None = None) -> None:
        self.per_minute = per_minute
        self.buckets: Buckets = buckets or MemoryBuckets()

    def use(self, buckets: Buckets) -> None:
        self.buckets = buckets

    async def allow(self, user_id: int, cost: int = 1) -> bool:
        cost = max(cost, 1)
        if cost > self.per_minute:
            return False
        rate = self.per_minute / RATE_WINDOW_S
        return await self.buckets.take(f"user:{user_id}", rate, self.per_minute, cost) == 0

    async def should_warn(self, user_id: int) -> bool:
        """Say 'slow down' once per window, not on every refused message."""
        return await self.buckets.take(f"warned:{user_id}", 1 / RATE_WINDOW_S, 1) == 0
