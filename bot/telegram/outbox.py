"""Sending what the outbox (:mod:`storage.outbox`) owes, from any number of workers.

:meth:`OutboxSender.drain` claims one row at a time (a chat's rows in order), waits for the
Bot API budget (:mod:`bot.telegram.ratelimit`) *before* committing ``sending``, makes one
``sendMessage`` call (plain text again if Telegram refuses our HTML), and records what
happened:

- accepted: ``sent`` with Telegram's message id;
- 429: ``pending`` again with ``not_before = now + retry_after`` (the limiter does not retry
  it: the row is ``sending`` meanwhile, and a worker killed while waiting would leave it
  ambiguous);
- a network failure Telegram answered, or a connection that never carried the request:
  ``pending`` again after a backoff; after :data:`ATTEMPTS` failures in one drain the rest
  is left to the next one (the resume tick, another worker, a restart);
- the chat blocked or removed the bot / does not exist: ``failed`` and the chat is paused or
  gone (its other rows wait, unsent, in case it comes back);
- a read timeout (the request may have arrived) and a worker that died in ``sending``
  (:meth:`OutboxSender.reap`): ``ambiguous``, never sent again, reported to the admin chat.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import httpx
from telegram import Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.telegram.ratelimit import SharedRateLimiter
from bot.telegram.send import html_to_plain, is_parse_error, retry_after_seconds
from storage.outbox import Outbox, OutboxEntry
from storage.subscriptions import utcnow
from storage.workers import Worker

log = logging.getLogger(__name__)

ATTEMPTS = 6  # failed sends in one drain before the rest is left to a later one
BACKOFF_S = 0.25
MAX_BACKOFF_S = 300.0
PATIENCE_S = 60.0  # a drain waits this long at most for a row's not_before
# rate_limit_args (bot.telegram.ratelimit): a 429 comes back to us, the budget is reserved
NO_RETRY = {"max_retries": 0, "reserved": True}
# httpx timeouts before the request left (as bot.telegram.send): safe to send again
NOT_SENT = (httpx.ConnectTimeout, httpx.PoolTimeout)

Outcome = Literal["sent", "retry", "failed", "paused", "gone", "ambiguous", "lost"]
# (chat id, new state) for a chat that blocked the bot (paused) or vanished (gone)
ChatGone = Callable[[int, Literal["paused", "gone"]], Awaitable[None]]
# ambiguous rows -> tell the admins (the caller knows where)
ReportAmbiguous = Callable[[Sequence[OutboxEntry]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Drained:
    sent: int
    status: Literal["delivered", "paused", "gone", "waiting"]


class OutboxSender:
    def __init__(
        self,
        outbox: Outbox,
        worker: Worker,
        *,
        chat_gone: ChatGone,
        report: ReportAmbiguous | None = None,
        clock: Callable[[], datetime] = utcnow,
        patience: float = PATIENCE_S,
    ) -> None:
        self.outbox = outbox
        self.worker = worker
        self.chat_gone = chat_gone
        self.report_ambiguous = report
        self.clock = clock
        self.patience = patience

    async def drain(self, bot: Any, *, digest_id: int | None = None) -> Drained:
        """Send what is owed (of one digest, or everything) until nothing is due within
        :attr:`patience`, or :data:`ATTEMPTS` sends failed."""
        sent = failures = 0
        status: Literal["delivered", "paused", "gone", "waiting"] = "delivered"
        while True:
            entry = await self.outbox.claim(self.worker, now=self.clock(), digest_id=digest_id)
            if entry is None:
                due = await self.outbox.next_due(digest_id)
                if due is None:
                    return Drained(sent, status)
                wait = (due - self.clock()).total_seconds()
                if wait > self.patience:
                    return Drained(sent, "waiting")
                await asyncio.sleep(max(wait, 0.05))
                continue
            outcome = await self.send(bot, entry)
            if outcome == "sent":
                sent += 1
            elif outcome in ("paused", "gone"):
                status = outcome
                if digest_id is not None:
                    return Drained(sent, status)
            elif outcome == "retry":
                failures += 1
                if failures >= ATTEMPTS:
                    return Drained(sent, "waiting")

    async def send(self, bot: Any, entry: OutboxEntry) -> Outcome:
        """One claimed row, one Bot API call (see the module docstring)."""
        try:
            await self._budget(bot, entry.chat_id)
        except BaseException:  # cancelled (shutting down): the row is anyone's again
            await asyncio.shield(self.outbox.release(entry, self.worker))
            raise
        if not await self.outbox.begin(entry, self.worker):
            return "lost"
        try:
            message = await self._call(bot, entry)
        except RetryAfter as err:
            delay = retry_after_seconds(err)
            await self.outbox.retry(entry, self.worker, self._after(delay), f"429: {err}")
            return "retry"
        except Forbidden as err:
            log.info("chat %s blocked or removed the bot: %s", entry.chat_id, err)
            await self.outbox.fail(entry, self.worker, f"Forbidden: {err}"[:300])
            await self.chat_gone(entry.chat_id, "paused")
            return "paused"
        except BadRequest as err:
            await self.outbox.fail(entry, self.worker, f"BadRequest: {err}"[:300])
            if "chat not found" in str(err).lower():
                await self.chat_gone(entry.chat_id, "gone")
                return "gone"
            log.warning("outbox %s refused by Telegram: %s", entry.key, err)
            return "failed"
        except TimedOut as err:
            if isinstance(err.__cause__, NOT_SENT):
                await self._retry_later(entry, err)
                return "retry"
            await self.outbox.ambiguous(entry, self.worker, f"ambiguous: timed out ({err})")
            await self.report()
            return "ambiguous"
        except NetworkError as err:  # answered with an error, or the connection dropped
            await self._retry_later(entry, err)
            return "retry"
        await self.outbox.sent(entry, self.worker, message.message_id)
        return "sent"

    async def reap(self) -> list[OutboxEntry]:
        """Rows dead workers left ``sending``: ambiguous, reported, never sent again."""
        found = await self.outbox.reap(self.worker)
        for entry in found:
            log.warning("outbox %s: %s (chat %s)", entry.key, entry.error, entry.chat_id)
        await self.report()
        return found

    async def report(self) -> None:
        """Tell the admins about every ambiguous row not reported yet (once each)."""
        entries = await self.outbox.claim_reports()
        if not entries:
            return
        if self.report_ambiguous is None:
            for entry in entries:
                log.warning("outbox %s ambiguous and not reported: no admin chat", entry.key)
            return
        try:
            await self.report_ambiguous(entries)
        except Exception:
            log.warning("ambiguous outbox rows not reported; will try again", exc_info=True)
            await self.outbox.unreport(entries)

    async def _call(self, bot: Any, entry: OutboxEntry) -> Message:
        limits = {"rate_limit_args": NO_RETRY} if self._limited(bot) else {}
        try:
            sent: Message = await bot.send_message(entry.chat_id, entry.html, **limits)
        except BadRequest as err:
            if not is_parse_error(err):
                raise
            log.warning("Telegram rejected our HTML (%s); sending plain text", err.message)
            sent = await bot.send_message(
                entry.chat_id, html_to_plain(entry.html), parse_mode=None, **limits
            )
        return sent

    @staticmethod
    def _limited(bot: Any) -> bool:
        return isinstance(getattr(bot, "rate_limiter", None), SharedRateLimiter)

    async def _budget(self, bot: Any, chat_id: int) -> None:
        if self._limited(bot):
            await bot.rate_limiter.reserve(chat_id, "sendMessage")

    async def _retry_later(self, entry: OutboxEntry, err: Exception) -> None:
        delay = min(BACKOFF_S * 2 ** max(entry.attempts, 0), MAX_BACKOFF_S)
        await self.outbox.retry(entry, self.worker, self._after(delay), f"{type(err).__name__}")

    def _after(self, seconds: float) -> datetime:
        return self.clock() + timedelta(seconds=seconds)
