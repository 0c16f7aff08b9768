from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storage import Database
from storage.errors import NotFound
from storage.feeds import FeedRepository
from storage.subscriptions import SubscriptionRepository

T0 = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)


async def test_add_is_idempotent_and_numbered_per_chat(db: Database) -> None:
    feeds = FeedRepository(db)
    a, created = await feeds.add(-1, "https://a.example/rss", now=T0)
    again, created_again = await feeds.add(-1, "https://a.example/rss", now=T0)
    assert created and not created_again and a.id == again.id
    await feeds.add(-1, "https://b.example/rss", now=T0)
    await feeds.add(-2, "https://a.example/rss", now=T0)
    assert [f.url for f in await feeds.for_chat(-1)] == [
        "https://a.example/rss",
        "https://b.example/rss",
    ]
    assert (await feeds.nth(-1, 2)).url == "https://b.example/rss"
    with pytest.raises(NotFound):
        await feeds.nth(-1, 3)
    await feeds.remove(a.id)
    assert [f.url for f in await feeds.for_chat(-1)] == ["https://b.example/rss"]


async def test_validators_backoff_and_due(db: Database) -> None:
    feeds = FeedRepository(db)
    feed, _ = await feeds.add(-1, "https://a.example/rss", now=T0)
    assert [f.id for f in await feeds.due(T0)] == [feed.id]
    await feeds.polled_ok(
        feed.id,
        etag='"v1"',
        last_modified="Sat, 28 Nov 2026 00:00:00 GMT",
        title="A 新闻",
        next_poll_at=T0 + timedelta(minutes=15),
        now=T0,
    )
    assert await feeds.due(T0 + timedelta(minutes=5)) == []
    stored = await feeds.get(feed.id)
    assert (stored.etag, stored.title, stored.failures) == ('"v1"', "A 新闻", 0)
    failed = await feeds.polled_failed(feed.id, "timeout", backoff=timedelta(hours=1), now=T0)
    assert failed.failures == 1 and failed.next_poll_at == T0 + timedelta(hours=1)
    assert failed.etag == '"v1"'  # validators survive a failure


async def test_feeds_of_gone_chats_are_not_due(db: Database) -> None:
    feeds, subs = FeedRepository(db), SubscriptionRepository(db)
    await subs.ensure(-1, "group")
    await feeds.add(-1, "https://a.example/rss", now=T0)
    await subs.set_state(-1, "gone")
    assert await feeds.due(T0) == []


async def test_seen_items_and_filters(db: Database) -> None:
    feeds = FeedRepository(db)
    feed, _ = await feeds.add(-1, "https://a.example/rss", now=T0)
    await feeds.mark_seen(feed.id, "g1", 5)
    assert await feeds.unseen(feed.id, ["g0", "g1", "g2", "g0"]) == ["g0", "g2"]
    assert await feeds.seen_count(feed.id) == 1
    feed = await feeds.set_filters(feed.id, ["经济"], ["体育"])
    assert (
        feed.accepts("中国经济增长") and not feed.accepts("经济与体育") and not feed.accepts("天气")
    )
    feed = await feeds.set_instant(feed.id, True)
    assert feed.instant
    await feeds.remove(feed.id)
    assert await feeds.seen_count(feed.id) == 0  # seen ids go with the feed
