"""Sending a confirmed broadcast: paced, RetryAfter-aware, resumable, with live progress.

Each recipient is claimed in the database before the send and marked after it, so a
restart resumes from the pending rows and never messages anyone twice (see
``storage.admin.broadcasts`` for the crash case). A graceful stop (``keep_going`` turns
False, e.g. the Application is stopping) lets the send in flight finish and be recorded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.telegram.send import retry_after_seconds
from storage.admin.broadcasts import Broadcast, BroadcastStore, DeliveryCounts

log = logging.getLogger(__name__)

#: Telegram allows about 30 messages a second to different chats; stay under it.
MESSAGES_PER_SECOND = 25.0
#: How often the progress message is edited (seconds); edits count against the limits too.
PROGRESS_EVERY = 3.0
#: Connection failures (nothing reached Telegram) are retried this many times.
NETWORK_RETRIES = 3

Outcome = Literal["sent", "blocked", "failed"]
ProgressCallback = Callable[[Broadcast, DeliveryCounts, bool], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RunResult:
    broadcast_id: int
    counts: DeliveryCounts
    finished: bool  # False: stopped early (shutdown or cancel); pending rows remain


class _Pacer:
    """At most ``rate`` sends a second, and a global pause after a RetryAfter."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.next_at = 0.0

    async def wait(self) -> None:
        delay = self.next_at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        self.next_at = max(self.next_at, time.monotonic()) + self.interval

    def pause(self, seconds: float) -> None:
        self.next_at = max(self.next_at, time.monotonic() + seconds)


class BroadcastRunner:
    def __init__(
        self,
        store: BroadcastStore,
        bot: Bot,
        *,
        rate: float = MESSAGES_PER_SECOND,
        progress: ProgressCallback | None = None,
        progress_every: float = PROGRESS_EVERY,
    ) -> None:
        self.store = store
        self.bot = bot
        self.rate = rate
        self.progress = progress
        self.progress_every = progress_every

    async def run(
        self, broadcast_id: int, *, keep_going: Callable[[], bool] = lambda: True
    ) -> RunResult:
        await self.store.recover_interrupted(broadcast_id)
        pacer = _Pacer(self.rate)
        last_progress = time.monotonic()
        while keep_going():
            broadcast = await self.store.get(broadcast_id)
            if broadcast.state != "sending":
                break  # cancelled (or already done) meanwhile
            batch = await self.store.pending(broadcast_id, limit=50)
            if not batch:
                await self.store.finish(broadcast_id)
                break
            for recipient in batch:
                if not keep_going():
                    break
                if not await self.store.claim(broadcast_id, recipient):
                    continue
                outcome, error = await self._deliver(broadcast.text, recipient, pacer)
                await self.store.mark(broadcast_id, recipient, outcome, error)
                if time.monotonic() - last_progress >= self.progress_every:
                    last_progress = time.monotonic()
                    await self._report(broadcast_id, final=False)
        final = await self.store.get(broadcast_id)
        counts = await self._report(broadcast_id, final=final.state != "sending")
        return RunResult(broadcast_id, counts, final.state == "done")

    async def _deliver(self, text: str, chat_id: int, pacer: _Pacer) -> tuple[Outcome, str | None]:
        network_failures = 0
        while True:
            await pacer.wait()
            try:
                await self.bot.send_message(chat_id, text)
                return "sent", None
            except RetryAfter as exc:
                # Telegram refused before delivering: pause everyone, then retry this one.
                seconds = retry_after_seconds(exc)
                log.info("broadcast: RetryAfter %.1fs", seconds)
                pacer.pause(seconds)
            except Forbidden as exc:
                return "blocked", exc.message
            except BadRequest as exc:
                return "failed", exc.message
            except TimedOut as exc:
                # The request may have reached Telegram: do not risk a duplicate.
                return "failed", f"timed out, delivery unknown: {exc.message}"
            except NetworkError as exc:
                network_failures += 1
                if network_failures > NETWORK_RETRIES:
                    return "failed", exc.message
                pacer.pause(2.0**network_failures)

    async def _report(self, broadcast_id: int, *, final: bool) -> DeliveryCounts:
        counts = await self.store.counts(broadcast_id)
        if self.progress is not None:
            try:
                await self.progress(await self.store.get(broadcast_id), counts, final)
            except Exception:  # progress is cosmetic; the delivery rows are the truth
                log.warning("broadcast %s: progress update failed", broadcast_id, exc_info=True)
        return counts
