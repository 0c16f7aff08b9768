"""The feed poller against a loopback RSS server and a real SQLite file.

``ingest`` here records what the poller hands over and stores nothing else; the end-to-end
feed tests (test_feed_bot.py) wire the real NewsService."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.feeds.poller import (
    POLL_LEASE,
    FeedFormatError,
    FeedItem,
    FeedPoller,
    Ingested,
    backoff,
    parse_opml,
)
from storage import Database, connect
from storage.feeds import Feed, FeedRepository
from storage.outbox import Outbox
from storage.subscriptions import SubscriptionRepository
from summarizer.errors import NotAnArticle
from summarizer.fetch import FetchPolicy
from tests.helpers.feed_server import FeedServer, feed_server
from tests.helpers.postgres import fresh_database

CHAT = -1001


def items(start: int, stop: int) -> list[tuple[str, str, str]]:
    # Newest first, as feeds list them.
    return [
        (f"g{i}", f"新闻标题{i}", f"第{i}条新闻的正文。") for i in range(stop - 1, start - 1, -1)
    ]


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with feed_server() as srv:
        yield srv


class Recorder:
    def __init__(self) -> None:
        self.items: list[FeedItem] = []

    async def __call__(self, feed: Feed, item: FeedItem) -> int:
        if "不是文章" in item.title:
            raise NotAnArticle("no article here")
        self.items.append(item)
        return 1000 + len(self.items)


def poller(db: Database, ingest: Recorder, clock: Clock) -> FeedPoller:
    return FeedPoller(
        FeedRepository(db),
        SubscriptionRepository(db),
        ingest,
        FetchPolicy(allow_private=True, timeout=5.0),
        clock=clock,
    )


async def test_fifty_items_ten_new_then_unchanged(db: Database, server: FeedServer) -> None:
    clock, ingest = Clock(), Recorder()
    feed, _ = await FeedRepository(db).add(CHAT, server.feed_url, now=clock.now)
    server.publish(items(0, 40))
    first = await poller(db, ingest, clock).poll(feed.id)
    assert first.status == "new" and len(first.article_ids) == 5  # newest few of a new feed
    assert await FeedRepository(db).seen_count(feed.id) == 40

    ingest.items.clear()
    server.publish(items(0, 50))
    clock.now += timedelta(minutes=20)
    result = await poller(db, ingest, clock).poll(feed.id)
    assert result.status == "new" and result.items == 50 and len(result.article_ids) == 10
    assert [i.guid for i in ingest.items] == [f"g{i}" for i in range(40, 50)]  # oldest first
    assert ingest.items[0].link == f"{server.base_url}/a/g40"
    logged = await SubscriptionRepository(db).stories_between(CHAT, None, clock.now + timedelta(1))
    assert {s.article_id for s in logged} >= set(result.article_ids)
    assert all(s.via == "feed" for s in logged)

    ingest.items.clear()
    clock.now += timedelta(minutes=20)
    again = await poller(db, ingest, clock).poll(feed.id)
    assert again.status == "unchanged" and ingest.items == []
    assert server.requests[-1]["If-None-Match"] == f'"v{server.version}"'
    assert "If-Modified-Since" in server.requests[-1]


async def test_keyword_filters_and_unreadable_items(db: Database, server: FeedServer) -> None:
    clock, ingest = Clock(), Recorder()
    repo = FeedRepository(db)
    feed, _ = await repo.add(CHAT, server.feed_url, now=clock.now)
    await repo.set_filters(feed.id, ["经济"], ["体育"])
    server.publish(
        [
            ("a", "经济增长加快", "正文"),
            ("b", "经济与体育产业", "正文"),
            ("c", "天气预报", "正文"),
            ("d", "经济新闻不是文章", "正文"),
        ]
    )
    result = await poller(db, ingest, clock).poll(feed.id)
    assert [i.guid for i in ingest.items] == ["a"]
    assert result.skipped == 3 and await repo.seen_count(feed.id) == 4


async def test_failing_feed_backs_off(db: Database, server: FeedServer) -> None:
    clock, ingest = Clock(), Recorder()
    repo = FeedRepository(db)
    feed, _ = await repo.add(CHAT, server.feed_url, now=clock.now)
    server.fail_with = 500
    p = poller(db, ingest, clock)
    assert [r.status for r in await p.poll_due()] == ["failed"]
    assert await p.poll_due() == []  # not due again right away
    stored = await repo.get(feed.id)
    assert stored.failures == 1 and stored.next_poll_at == clock.now + backoff(1)
    clock.now = stored.next_poll_at
    await p.poll_due()
    assert (await repo.get(feed.id)).next_poll_at == clock.now + backoff(2)
    assert backoff(2) > backoff(1) and backoff(40) == timedelta(hours=24)


async def test_not_a_feed_is_a_failure(db: Database, server: FeedServer) -> None:
    clock, ingest = Clock(), Recorder()
    feed, _ = await FeedRepository(db).add(CHAT, f"{server.base_url}/a/missing", now=clock.now)
    result = await poller(db, ingest, clock).poll(feed.id)
    assert result.status == "failed"


def test_opml_import_keeps_http_feeds_once() -> None:
    opml = b"""<?xml version="1.0"?>
<opml version="2.0"><body>
  <outline text="News"><outline text="A" xmlUrl="https://a.example/rss"/></outline>
  <outline title="B" xmlUrl="https://b.example/atom"/>
  <outline title="dup" xmlUrl="https://b.example/atom"/>
  <outline title="bad" xmlUrl="file:///etc/passwd"/>
</body></opml>"""
    assert parse_opml(opml) == [("https://a.example/rss", "A"), ("https://b.example/atom", "B")]


def test_opml_with_external_entities_is_refused() -> None:
    opml = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="A &x;" xmlUrl="https://a.example/rss"/></body></opml>"""
    with pytest.raises(FeedFormatError):
        parse_opml(opml)
    with pytest.raises(FeedFormatError):
        parse_opml(b"not xml at all")


class Hostile(Recorder):
    """An ingest that fails untyped on one item, as a hostile link once did."""

    async def __call__(self, feed: Feed, item: FeedItem) -> int:
        if item.guid == "g1":
            raise ValueError("Invalid IPv4 address '-1'")  # not a SummarizerError
        return await super().__call__(feed, item)


async def test_a_hostile_feed_does_not_stop_the_others(db: Database, server: FeedServer) -> None:
    clock, ingest = Clock(), Hostile()
    repo = FeedRepository(db)
    hostile, _ = await repo.add(CHAT, "http://-1/", now=clock.now)
    healthy, _ = await repo.add(CHAT - 1, server.feed_url, now=clock.now)
    server.publish(items(0, 3))
    told: list[tuple[int, int]] = []

    async def on_failing(feed: Feed, result: object) -> None:
        told.append((feed.id, feed.failures))

    p = FeedPoller(
        repo,
        SubscriptionRepository(db),
        ingest,
        FetchPolicy(allow_private=True, timeout=5.0),
        clock=clock,
        on_failing=on_failing,
    )
    results = {r.feed_id: r for r in await p.poll_due()}
    assert results[hostile.id].status == "failed" and results[hostile.id].reason("en")
    # the healthy feed was read, and the item after the hostile one too
    assert results[healthy.id].status == "new" and [i.guid for i in ingest.items] == ["g0", "g2"]
    assert results[healthy.id].skipped == 1
    for _ in range(6):
        clock.now = (await repo.get(hostile.id)).next_poll_at
        await p.poll_due()
    stored = await repo.get(hostile.id)
    assert stored.failures == 7 and stored.next_poll_at - clock.now == backoff(7)
    assert told == [(hostile.id, 5)]  # told once, when it reached five failures in a row


@pytest.fixture(params=["sqlite", "postgresql"])
async def two_stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Database, Database]]:
    """Two stores on one database, as two worker processes have (each its own pool)."""
    async with AsyncExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'feeds.db'}"
        else:
            url = await stack.enter_async_context(fresh_database(migrated=True))
        first = await connect(url)
        stack.push_async_callback(first.close)
        second = await connect(url, migrate=False)
        stack.push_async_callback(second.close)
        yield first, second


class Posting(Recorder):
    """An instant feed's ingest: the item's card is what its chat is owed."""

    async def __call__(self, feed: Feed, item: FeedItem) -> Ingested:  # type: ignore[override]
        self.items.append(item)
        return Ingested(1000 + int(item.guid[1:]), (f"<b>{item.title}</b>",))


class Killed(BaseException):
    """The worker's process ends here (nothing after it runs)."""


class Dying(Posting):
    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after

    async def __call__(self, feed: Feed, item: FeedItem) -> Ingested:  # type: ignore[override]
        if len(self.items) == self.after:
            raise Killed
        return await super().__call__(feed, item)


async def owed_titles(db: Database, chat: int) -> list[str]:
    return sorted(e.html for e in await Outbox(db).for_chat(chat))


async def test_two_workers_polling_at_once_post_each_item_to_each_chat_once(
    two_stores: tuple[Database, Database], server: FeedServer
) -> None:
    a, b = two_stores
    clock, chats = Clock(), [-1, -2, -3, -4]
    feeds = []
    for chat in chats:  # four chats follow the same feed
        feed, _ = await FeedRepository(a).add(chat, server.feed_url, now=clock.now)
        feeds.append(await FeedRepository(a).set_instant(feed.id, True))
    server.publish(items(0, 5))
    first, second = Posting(), Posting()
    await asyncio.gather(poller(a, first, clock).poll_due(), poller(b, second, clock).poll_due())
    assert len(first.items) + len(second.items) == 20  # each chat's feed polled by one worker
    for chat in chats:
        assert await owed_titles(a, chat) == [f"<b>新闻标题{i}</b>" for i in range(5)]

    # A worker dies mid-post: two new items taken, the third never.
    server.publish(items(0, 10))
    clock.now += timedelta(minutes=20)
    with pytest.raises(Killed):
        await poller(a, Dying(after=2), clock).poll(feeds[0].id)
    survivor = Posting()
    assert await poller(b, survivor, clock).poll_due() != []
    assert feeds[0].id not in {f.id for f in await FeedRepository(b).due(clock.now)}
    clock.now += POLL_LEASE  # the dead worker's lease on the feed ends
    await poller(b, survivor, clock).poll_due()
    for chat in chats:  # every item once in every chat, the dead worker's two included
        assert await owed_titles(b, chat) == sorted(f"<b>新闻标题{i}</b>" for i in range(10))
    assert sorted(i.guid for i in survivor.items).count("g5") == 3  # not again in chat -1
