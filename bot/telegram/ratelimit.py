"""Telegram's limits for the whole deployment: PTB's rate limiter hook over shared buckets.

:class:`SharedRateLimiter` replaces PTB's in-process ``AIORateLimiter``. Its buckets
(:mod:`storage.buckets`) live where every worker sees them — PostgreSQL, or Redis when
``ZHAIYAO_REDIS_URL`` is set — and in this process on SQLite (one bot process). Until the
store is open (:meth:`SharedRateLimiter.use`) it counts in memory.

- every call aimed at a chat: the bot-wide bucket, :data:`BOT_RATE` a second;
- every call aimed at a group or channel: that chat's bucket, :data:`GROUP_PER_MINUTE` a
  minute (Telegram's group limit; PTB's limiter applied the same);
- a new message to a private chat: that chat's bucket, about one a second;
- ``sendChatAction`` (typing…) is cosmetic: it never waits and never eats into what cards
  need — it goes out only while the bot-wide bucket is more than half full, else it is
  skipped (answered ``True`` without a call).

A 429 (``RetryAfter``) empties the chat's (or the bot's) bucket for ``retry_after`` seconds,
for every worker, and the call is retried after it, up to ``max_retries`` times, as PTB's
limiter did. ``rate_limit_args`` may say ``{"max_retries": 0}`` (the outbox wants the 429
back) and ``{"reserved": True}`` (budget already taken with :meth:`reserve`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.telegram.send import retry_after_seconds
from storage.buckets import Buckets, MemoryBuckets

log = logging.getLogger(__name__)

BOT_RATE = 30.0  # calls a second, the whole bot
GROUP_PER_MINUTE = 20.0  # messages a minute to one group or channel
PRIVATE_RATE, PRIVATE_BURST = 1.0, 10.0  # new messages to one private chat (short bursts pass)
COSMETIC = frozenset({"sendChatAction"})
NEW_MESSAGES = ("send", "copyMessage", "forwardMessage")  # endpoint prefixes
MAX_RETRIES = 5
MAX_SLEEP_S = 5.0  # a waiting call looks at the bucket again at least this often

JSON = bool | dict[str, Any] | list[dict[str, Any]]


class SharedRateLimiter(BaseRateLimiter[dict[str, Any]]):
    def __init__(self, buckets: Buckets | None = None, *, max_retries: int = MAX_RETRIES) -> None:
        self.buckets: Buckets = buckets or MemoryBuckets()
        self.max_retries = max_retries

    def use(self, buckets: Buckets) -> None:
        """Count in ``buckets`` from now on (the store the workers share)."""
        self.buckets = buckets

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        await self.buckets.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> JSON:
        options = rate_limit_args or {}
        chat_id = data.get("chat_id")
        if endpoint in COSMETIC:
            if await self.buckets.take("bot", BOT_RATE, BOT_RATE, floor=BOT_RATE / 2) > 0:
                log.debug("%s to %s skipped: the bot's budget is short", endpoint, chat_id)
                return True
        elif chat_id is not None and not options.get("reserved"):
            await self.reserve(chat_id, endpoint)
        retries = int(options.get("max_retries", self.max_retries))
        for attempt in range(retries + 1):
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as err:
                seconds = retry_after_seconds(err)
                key, rate, _burst = self._chat_bucket(chat_id, endpoint) or ("bot", BOT_RATE, 0)
                await self.buckets.hold(key, rate, seconds)
                if attempt == retries:
                    raise
                log.info("%s: 429, retrying after %.1f s", endpoint, seconds)
                await asyncio.sleep(seconds + 0.1)
        raise AssertionError("unreachable")

    async def reserve(self, chat_id: int | str | None, endpoint: str = "sendMessage") -> None:
        """Wait until the chat's and the bot's buckets allow one more call, and take it."""
        bucket = self._chat_bucket(chat_id, endpoint)
        if bucket is not None:
            await self._wait(*bucket)
        await self._wait("bot", BOT_RATE, BOT_RATE)

    async def _wait(self, key: str, rate: float, burst: float) -> None:
        while (wait := await self.buckets.take(key, rate, burst)) > 0:
            await asyncio.sleep(min(wait, MAX_SLEEP_S))

    @staticmethod
    def _chat_bucket(chat_id: int | str | None, endpoint: str) -> tuple[str, float, float] | None:
        if chat_id is None:
            return None
        try:
            number = int(chat_id)
        except (TypeError, ValueError):
            number = -1  # @channelname: a channel
        if number < 0:
            return f"chat:{chat_id}", GROUP_PER_MINUTE / 60, GROUP_PER_MINUTE
        if endpoint.startswith(NEW_MESSAGES):
            return f"chat:{chat_id}", PRIVATE_RATE, PRIVATE_BURST
        return None
