"""Digest and feed jobs on PTB's JobQueue, rebuilt from the database at start-up.

Each scheduled chat has one ``run_once`` job named ``digest:<chat_id>`` armed for the
persisted ``next_run_at``; when it fires it runs that slot (idempotently, see
``DigestService.run_slot``), computes the following slot and re-arms itself. Start-up first
finishes digests that were recorded but not fully sent, then arms every chat, so a slot that
passed while the bot was down runs at once — exactly once. The delay to each slot is computed
with an injectable clock, which is how tests reach 08:00 without waiting for it.

With several workers every one arms every chat: they all fire, one claims the slot, and
``next_run_at`` moves on once (compare-and-set). :meth:`DigestScheduler.resume` (at start,
then every :data:`RESUME_TICK`) is how a worker takes over what a dead one left: messages
left ``sending`` become ambiguous and are reported, slots left ``composing`` are composed
again, and every message still owed is sent; the feed tick also sends what is owed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, JobQueue

from bot.digests.delivery import Delivery, DigestService
from bot.digests.schedule import Schedule, parse_schedule
from bot.feeds.poller import FeedPoller, PollResult
from storage.subscriptions import Subscription, SubscriptionRepository, utcnow

log = logging.getLogger(__name__)

FEED_TICK = timedelta(minutes=1)  # how often due feeds are looked for
# APScheduler drops a run that starts more than a second late (a busy loop); a digest slot
# must run late rather than never.
NEVER_SKIP = {"misfire_grace_time": None, "coalesce": True}
RESUME_TICK = timedelta(minutes=1)  # how often what dead workers / failed sends left is taken up

AnyJobQueue = JobQueue[Any]


def slot_key(moment: datetime) -> str:
    return moment.astimezone(utcnow().tzinfo).strftime("%Y-%m-%dT%H:%MZ")


class DigestScheduler:
    def __init__(
        self,
        service: DigestService,
        subscriptions: SubscriptionRepository,
        poller: FeedPoller | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.service = service
        self.subscriptions = subscriptions
        self.poller = poller
        self.clock = clock
        self.job_queue: AnyJobQueue | None = None

    async def start(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Arm every scheduled chat, start the feed tick, and resume half-sent digests at
        once and then every :data:`RESUME_TICK` — as a job, so a digest waiting out a 429
        does not hold up start-up."""
        self.job_queue = app.job_queue
        await self.resync()
        if self.job_queue is None:
            await self.resume(app.bot)
            return
        self.job_queue.run_repeating(
            self._resume_tick,
            interval=RESUME_TICK,
            first=0.5,  # (PTB reads 0 as "not given": one interval)
            name="digest-resume",
            job_kwargs=NEVER_SKIP,
        )
        if self.poller is not None:
            self.job_queue.run_repeating(
                self._feed_tick, interval=FEED_TICK, first=1.0, name="feeds", job_kwargs=NEVER_SKIP
            )

    async def resume(self, bot: Bot) -> None:
        """Take up what dead workers and failed sends left: report messages a dead worker
        was sending, compose slots it was composing, send what recorded digests of active
        chats still owe; paused and gone chats are left alone rather than retried forever."""
        await self.service.sender.reap()
        for chat_id, slot in await self.service.digests.orphaned(self.service.worker):
            sub = await self.subscriptions.find(chat_id)
            if sub is None or sub.state != "active":
                continue
            try:
                await self.service.run_slot(bot, chat_id, slot, skip_empty=True)
            except TelegramError as exc:
                log.warning("digest slot %s for chat %s not resumed: %s", slot, chat_id, exc)
        for digest in await self.service.digests.unfinished():
            sub = await self.subscriptions.find(digest.chat_id)
            if sub is None or sub.state != "active":
                continue
            try:
                await self.service.deliver(bot, digest)
            except TelegramError as exc:  # Telegram is down: the next tick tries again
                log.warning("digest %s for chat %s not resumed: %s", digest.id, sub.chat_id, exc)
        await self.service.sender.drain(bot)  # the rest: instant feed posts

    async def resync(self) -> None:
        """(Re)arm a job for every active scheduled chat from what the database says."""
        for sub in await self.subscriptions.scheduled():
            await self._arm(sub)

    async def set_schedule(self, chat_id: int, schedule: Schedule) -> Subscription:
        sub = await self.subscriptions.get(chat_id)
        nxt = schedule.next_run(self.clock(), sub.tz)
        sub = await self.subscriptions.set_schedule(chat_id, schedule.spec, nxt)
        self.cancel(chat_id)
        if nxt is not None:
            await self._arm(sub)
        return sub

    async def retime(self, chat_id: int) -> Subscription:
        """Recompute the next slot after a time-zone change."""
        sub = await self.subscriptions.get(chat_id)
        return await self.set_schedule(chat_id, parse_schedule(sub.schedule))

    def cancel(self, chat_id: int) -> None:
        if self.job_queue is None:
            return
        for job in self.job_queue.get_jobs_by_name(f"digest:{chat_id}"):
            job.schedule_removal()

    async def run_now(self, bot: Bot, chat_id: int) -> Delivery:
        return await self.service.run_slot(bot, chat_id, f"now:{self.clock().isoformat()}")

    async def _arm(self, sub: Subscription) -> None:
        if self.job_queue is None or sub.next_run_at is None:
            return
        self.cancel(sub.chat_id)
        delay = max(0.0, (sub.next_run_at - self.clock()).total_seconds())
        self.job_queue.run_once(
            self._fire,
            when=delay,
            data=sub.chat_id,
            name=f"digest:{sub.chat_id}",
            job_kwargs=NEVER_SKIP,
        )

    async def _fire(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        assert context.job is not None
        chat_id = context.job.data
        assert isinstance(chat_id, int)
        sub = await self.subscriptions.find(chat_id)
        if sub is None or sub.state != "active" or sub.next_run_at is None:
            return
        slot = sub.next_run_at
        if slot > self.clock():
            await self._arm(sub)  # clock moved back or job fired early: wait for the slot
            return
        try:
            delivery = await self.service.run_slot(
                context.bot, chat_id, slot_key(slot), skip_empty=True
            )
            log.info("digest %s for chat %s: %s", delivery.digest_id, chat_id, delivery.status)
        finally:
            nxt = parse_schedule(sub.schedule).next_run(max(slot, self.clock()), sub.tz)
            await self.subscriptions.advance_next_run(chat_id, slot, nxt)
            fresh = await self.subscriptions.find(chat_id)
            if fresh is not None and fresh.state == "active":
                await self._arm(fresh)

    async def _resume_tick(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        await self.resume(context.bot)

    async def _feed_tick(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        await self.poll_feeds(context.bot)

    async def poll_feeds(self, bot: Bot) -> list[PollResult]:
        """Poll the due feeds this worker claims, then send the instant posts owed."""
        assert self.poller is not None
        results = await self.poller.poll_due()
        await self.service.sender.drain(bot)
        return results
