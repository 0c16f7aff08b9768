from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import Database
from storage.errors import NotFound
from storage.outbox import Outbox
from storage.subscriptions import DigestLog, SubscriptionRepository
from storage.workers import Worker

T0 = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)


async def test_ensure_defaults_and_settings(db: Database) -> None:
    subs = SubscriptionRepository(db)
    sub = await subs.ensure(-100, "group", title="新闻群", configured_by=7)
    assert (sub.schedule, sub.tz, sub.language, sub.entities, sub.state) == (
        "off",
        "Asia/Shanghai",
        "zh",
        True,
        "active",
    )
    sub = await subs.update_settings(-100, stories=5, entities=False, tz="Europe/Berlin")
    assert (sub.stories, sub.entities, sub.tz) == (5, False, "Europe/Berlin")
    with pytest.raises(ValueError):
        await subs.update_settings(-100, state="gone")  # not a user setting
    with pytest.raises(NotFound):
        await subs.get(-999)


async def test_schedule_and_gone_chats_leave_the_schedule(db: Database) -> None:
    subs = SubscriptionRepository(db)
    await subs.ensure(-1, "group")
    await subs.ensure(-2, "channel")
    await subs.set_schedule(-1, "daily 08:00", T0)
    await subs.set_schedule(-2, "every 6h", T0)
    assert [s.chat_id for s in await subs.scheduled()] == [-2, -1]
    await subs.set_state(-2, "gone")
    assert [s.chat_id for s in await subs.scheduled()] == [-1]
    revived = await subs.ensure(-2, "channel")  # re-added to the chat: active again
    assert revived.state == "active" and revived.schedule == "every 6h"


async def test_story_log_is_per_chat_and_windowed(db: Database) -> None:
    subs = SubscriptionRepository(db)
    assert await subs.record_story(-1, 10, at=T0 + timedelta(hours=1))
    assert not await subs.record_story(-1, 10, at=T0 + timedelta(hours=2))  # once per chat
    await subs.record_story(-1, 11, via="feed", at=T0 + timedelta(hours=3))
    await subs.record_story(-2, 12, at=T0 + timedelta(hours=1))
    window = await subs.stories_between(-1, T0 + timedelta(hours=1), T0 + timedelta(hours=5))
    assert [(s.article_id, s.via) for s in window] == [(11, "feed")]
    everything = await subs.stories_between(-1, None, T0 + timedelta(days=1))
    assert [s.article_id for s in everything] == [10, 11]


async def test_digest_recorded_once_per_slot_and_delivered_per_message(db: Database) -> None:
    log, outbox = DigestLog(db), Outbox(db)
    async with Worker(db) as worker:
        digest = await log.record(
            -1, "2026-11-28T00:00", None, T0, 3, ["<b>一</b>", "二"], worker=worker
        )
        again = await log.record(-1, "2026-11-28T00:00", None, T0, 9, ["other"], worker=worker)
        assert again.id == digest.id and [m.html for m in again.messages] == ["<b>一</b>", "二"]
        for message_id in (501, 502):
            entry = await outbox.claim(worker, digest_id=digest.id)
            assert entry is not None and await outbox.begin(entry, worker)
            assert not await log.complete_if_sent(digest.id)  # a message is still owed
            await outbox.sent(entry, worker, message_id)
            if message_id == 501:
                assert [m.seq for m in (await log.get(digest.id)).pending] == [1]
                assert [d.id for d in await log.unfinished()] == [digest.id]
        assert await log.complete_if_sent(digest.id)
    assert await log.unfinished() == []
    done = await log.get(digest.id)
    assert done.completed and [m.message_id for m in done.messages] == [501, 502]
    assert await log.count(-1) == 1


async def test_move_chat_carries_everything_to_the_supergroup(db: Database) -> None:
    from storage.feeds import FeedRepository

    subs, feeds, log = SubscriptionRepository(db), FeedRepository(db), DigestLog(db)
    await subs.ensure(-1, "group")
    await subs.set_schedule(-1, "daily 08:00", T0)
    await subs.record_story(-1, 10, at=T0)
    await feeds.add(-1, "https://a.example/rss", now=T0)
    async with Worker(db) as worker:
        await log.record(-1, "s1", None, T0, 0, ["x"], worker=worker)
    await subs.move_chat(-1, -1001)
    assert (await subs.get(-1001)).schedule == "daily 08:00"
    assert await subs.find(-1) is None
    assert [s.article_id for s in await subs.stories_between(-1001, None, T0)] == [10]
    assert [f.url for f in await feeds.for_chat(-1001)] == ["https://a.example/rss"]
    assert await log.exists(-1001, "s1") and await log.count(-1) == 0
    assert [e.key for e in await Outbox(db).for_chat(-1001)] == [
        f"digest:{(await log.for_slot(-1001, 's1')).id}:0"
    ]  # what the digest owes goes with it
