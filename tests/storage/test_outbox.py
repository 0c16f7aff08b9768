"""The outbox and digest slot claims with several workers, on both backends: two stores
opened on one database (two connection pools, as two processes have) and a worker each.
A worker "dies" by closing it: on PostgreSQL its session, and with it its advisory lock,
ends, as when its process is killed (tests/faults/test_kill_digest.py kills real ones)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from storage import Database, connect
from storage.outbox import DEAD_DURING_SEND, Outbox
from storage.subscriptions import DigestLog, SubscriptionRepository
from storage.workers import Worker

T0 = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


@pytest.fixture
async def other(db: Database) -> AsyncIterator[Database]:
    """A second store on the same database, as a second worker process has."""
    second = await connect(db.url, migrate=False)
    try:
        yield second
    finally:
        await second.close()


async def owe(db: Database, chat_id: int, *keys: str, at: datetime = T0) -> None:
    for key in keys:
        assert await Outbox(db).add(chat_id, key, f"<b>{key}</b>", now=at)


async def test_a_key_is_owed_once_and_each_chat_is_sent_in_order(db: Database) -> None:
    outbox = Outbox(db)
    await owe(db, -1, "a1", "a2")
    await owe(db, -2, "b1")
    assert not await outbox.add(-1, "a1", "again", now=T0)  # one message per key
    async with Worker(db) as worker:
        first = await outbox.claim(worker, now=T0)
        second = await outbox.claim(worker, now=T0)
        assert first is not None and second is not None
        assert (first.key, second.key) == ("a1", "b1")  # a2 waits for a1
        assert await outbox.claim(worker, now=T0) is None
        assert await outbox.begin(first, worker)
        await outbox.sent(first, worker, 11)
        third = await outbox.claim(worker, now=T0)
        assert third is not None and third.key == "a2"
        done = await outbox.get(first.id)
        assert done is not None and (done.state, done.message_id, done.attempts) == ("sent", 11, 1)


async def test_paused_chats_are_skipped_and_429_waits_until_not_before(db: Database) -> None:
    outbox, subs = Outbox(db), SubscriptionRepository(db)
    await subs.ensure(-1, "group")
    await subs.set_state(-1, "paused")
    await owe(db, -1, "paused")
    await owe(db, -2, "limited")
    async with Worker(db) as worker:
        entry = await outbox.claim(worker, now=T0)
        assert entry is not None and entry.key == "limited"
        assert await outbox.begin(entry, worker)
        await outbox.retry(entry, worker, T0 + timedelta(seconds=30), "429: flood")
        assert await outbox.claim(worker, now=T0 + timedelta(seconds=29)) is None
        assert await outbox.next_due() == T0 + timedelta(seconds=30)
        again = await outbox.claim(worker, now=T0 + timedelta(seconds=30))
        assert again is not None and again.key == "limited" and again.state == "pending"
        assert again.error == "429: flood" and again.attempts == 1


async def test_two_workers_claiming_at_once_never_get_the_same_row(
    db: Database, other: Database
) -> None:
    chats = range(-1, -41, -1)
    for chat in chats:
        await owe(db, chat, f"m{chat}")
    async with Worker(db) as a, Worker(other) as b:

        async def claim_all(store: Database, worker: Worker) -> list[str]:
            got = []
            while (entry := await Outbox(store).claim(worker, now=T0)) is not None:
                assert await Outbox(store).begin(entry, worker)
                got.append(entry.key)
            return got

        mine, theirs = await asyncio.gather(claim_all(db, a), claim_all(other, b))
    assert sorted(mine + theirs) == sorted(f"m{chat}" for chat in chats)
    assert not set(mine) & set(theirs)


async def test_a_dead_workers_claim_is_taken_over_but_its_send_is_only_reported(
    db: Database, other: Database
) -> None:
    await owe(db, -1, "claimed")
    await owe(db, -2, "in-flight")
    outbox, theirs = Outbox(db), Outbox(other)
    dying = await Worker(other).start()
    claimed = await theirs.claim(dying, now=T0)
    in_flight = await theirs.claim(dying, now=T0)
    assert claimed is not None and in_flight is not None and in_flight.key == "in-flight"
    assert await theirs.begin(in_flight, dying)  # Telegram has it when the worker dies
    async with Worker(db) as worker:
        assert await outbox.claim(worker, now=T0) is None  # both held by a live worker
        assert await outbox.reap(worker) == []
        await dying.close()  # killed
        [reaped] = await outbox.reap(worker)
        assert (reaped.key, reaped.state, reaped.error) == (
            "in-flight",
            "ambiguous",
            DEAD_DURING_SEND,
        )
        taken = await outbox.claim(worker, now=T0)
        assert taken is not None and taken.key == "claimed"  # not sent yet: sent once
        assert await outbox.claim(worker, now=T0) is None  # the ambiguous one: never again
        [report] = await outbox.claim_reports()
        assert report.key == "in-flight" and await Outbox(other).claim_reports() == []
        assert not await theirs.begin(claimed, dying)  # the dead worker's claim is gone


async def test_one_worker_composes_a_slot_and_a_dead_ones_claim_is_taken_over(
    db: Database, other: Database
) -> None:
    mine, theirs = DigestLog(db), DigestLog(other)
    await SubscriptionRepository(db).ensure(-5, "group")
    async with Worker(db) as a:
        b = await Worker(other).start()
        at_once = await asyncio.gather(mine.claim(-5, "race", a), theirs.claim(-5, "race", b))
        assert sorted(c.state for c in at_once) == ["busy", "mine"]

        held = await theirs.claim(-5, "s", b)
        assert held.state == "mine"
        assert (await mine.claim(-5, "s", a)).state == "busy"  # b is alive and composing
        assert await mine.orphaned(a) == []
        await b.close()  # killed while composing
        assert (-5, "s") in await mine.orphaned(a)
        taken = await mine.claim(-5, "s", a)
        assert (taken.state, taken.digest_id) == ("mine", held.digest_id)
        assert not await theirs.record_claimed(held.digest_id, b, None, T0, 1, ["late"])
        assert await mine.record_claimed(held.digest_id, a, None, T0, 1, ["x"])
        assert (await mine.claim(-5, "s", a)).state == "recorded"
    recorded = await mine.for_slot(-5, "s")
    assert [m.html for m in recorded.messages] == ["x"]


async def test_each_due_feed_is_claimed_by_one_worker_for_a_lease(
    db: Database, other: Database
) -> None:
    from storage.feeds import FeedRepository

    mine, theirs = FeedRepository(db), FeedRepository(other)
    for i in range(30):
        await mine.add(-1 - i, f"https://feeds.example/{i}", now=T0)
    lease = timedelta(minutes=15)
    a, b = await asyncio.gather(mine.claim_due(lease, T0), theirs.claim_due(lease, T0))
    assert sorted(f.id for f in a + b) == sorted(f.id for f in await mine.due(T0 + lease))
    assert len(a + b) == 30 and not {f.id for f in a} & {f.id for f in b}
    assert await mine.claim_due(lease, T0 + lease - timedelta(seconds=1)) == []
    again = await theirs.claim_due(lease, T0 + lease)  # its worker died: polled again
    assert len(again) == 30


async def test_a_feed_item_is_taken_once_with_its_post(db: Database, other: Database) -> None:
    from storage.feeds import FeedRepository, post_key

    feeds = FeedRepository(db)
    feed, _ = await feeds.add(-7, "https://feeds.example/rss", now=T0)
    takes = await asyncio.gather(
        *(
            FeedRepository(store).take_item(feed, "guid-1", 42, posts=["<b>卡片</b>", "2"])
            for store in (db, other, db, other)
        )
    )
    assert sorted(takes) == [False, False, False, True]
    owed = await Outbox(db).for_chat(-7)
    assert [(e.key, e.html) for e in owed] == [
        (f"{post_key(feed.id, 'guid-1')}:0", "<b>卡片</b>"),
        (f"{post_key(feed.id, 'guid-1')}:1", "2"),
    ]
    stories = await SubscriptionRepository(db).stories_between(-7, None, T0 + timedelta(days=400))
    assert [(s.article_id, s.via) for s in stories] == [(42, "feed")]
    assert await feeds.unseen(feed.id, ["guid-1", "guid-2"]) == ["guid-2"]
