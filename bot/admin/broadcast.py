"""Sending a confirmed broadcast: resumable, with live progress, through the one send path.

Each message goes through :func:`bot.telegram.send.send` like every other the bot sends:
``RetryAfter`` waited out, dropped connections retried, a timeout retried only when the
request never left (a send that may have arrived is not repeated), plain text when Telegram
refuses the HTML. The pace is the bot's rate limiter (:mod:`bot.telegram.ratelimit`: 30
messages a second for the whole deployment), the one rate-limiting mechanism.

Each recipient is claimed in the database before the send and marked after it, so a
restart resumes from the pending rows and never messages anyone twice (see
``storage.admin.broadcasts`` for the crash case). A graceful stop (``keep_going`` turns
False, e.g. the Application is stopping) lets the send in flight finish and be recorded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from telegram import Bot
from telegram.error import Forbidden, TelegramError, TimedOut

from bot.telegram.send import send
from storage.admin.broadcasts import Broadcast, BroadcastStore, DeliveryCounts

log = logging.getLogger(__name__)

#: How often the progress message is edited (seconds); edits count against the limits too.
PROGRESS_EVERY = 3.0

Outcome = Literal["sent", "blocked", "failed"]
ProgressCallback = Callable[[Broadcast, DeliveryCounts, bool], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RunResult:
    broadcast_id: int
    counts: DeliveryCounts
    finished: bool  # False: stopped early (shutdown or cancel); pending rows remain


class BroadcastRunner:
    def __init__(
        self,
        store: BroadcastStore,
        bot: Bot,
        *,
        progress: ProgressCallback | None = None,
        progress_every: float = PROGRESS_EVERY,
    ) -> None:
        self.store = store
        self.bot = bot
        self.progress = progress
        self.progress_every = progress_every

    async def run(
        self, broadcast_id: int, *, keep_going: Callable[[], bool] = lambda: True
    ) -> RunResult:
        await self.store.recover_interrupted(broadcast_id)
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
                outcome, error = await self._deliver(broadcast.text, recipient)
                await self.store.mark(broadcast_id, recipient, outcome, error)
                if time.monotonic() - last_progress >= self.progress_every:
                    last_progress = time.monotonic()
                    await self._report(broadcast_id, final=False)
        final = await self.store.get(broadcast_id)
        counts = await self._report(broadcast_id, final=final.state != "sending")
        return RunResult(broadcast_id, counts, final.state == "done")

    async def _deliver(self, text: str, chat_id: int) -> tuple[Outcome, str | None]:
        try:
            await send(self.bot, chat_id, text)  # one message: the command caps the length
        except Forbidden as exc:
            return "blocked", exc.message
        except TimedOut as exc:
            # The request may have reached Telegram: not sent again, no risk of a duplicate.
            return "failed", f"timed out, delivery unknown: {exc.message}"
        except TelegramError as exc:
            return "failed", exc.message
        return "sent", None

    async def _report(self, broadcast_id: int, *, final: bool) -> DeliveryCounts:
        counts = await self.store.counts(broadcast_id)
        if self.progress is not None:
            try:
                await self.progress(await self.store.get(broadcast_id), counts, final)
            except Exception:  # progress is cosmetic; the delivery rows are the truth
                log.warning("broadcast %s: progress update failed", broadcast_id, exc_info=True)
        return counts
