"""Bot-level resource limits (issue 18): a huge paste, a feed of 100,000 items and an OPML
file of 10,000 feeds are each answered in bounded time with a clear message in the user's
language. The bounds are in the README's settings table."""

from __future__ import annotations

import time

import pytest

from bot.app import close_services, open_services
from bot.articles.service import Pasted, Upload
from bot.feeds.poller import MAX_FEED_ITEMS, MAX_OPML_FEEDS, FeedItem, FeedPoller
from bot.settings import Settings
from storage.feeds import Feed, FeedRepository
from storage.subscriptions import SubscriptionRepository
from summarizer.errors import TooLarge
from summarizer.fetch import FetchPolicy
from tests.helpers.fake_bot_api import FakeBotAPI
from tests.helpers.pages import PageServer

TWENTY_MB = 20 * 1024 * 1024


async def test_a_twenty_megabyte_paste_is_refused_before_any_reading(
    bot_settings: Settings,
) -> None:
    services = await open_services(bot_settings)
    try:
        started = time.monotonic()
        with pytest.raises(TooLarge):
            await services.news.read(Pasted("新闻" * (TWENTY_MB // 6)))
        with pytest.raises(TooLarge):
            await services.news.read(Upload(b"<p>" * (TWENTY_MB // 3)))
        assert time.monotonic() - started < 10  # refused, not read
    finally:
        await close_services(services)


@pytest.mark.parametrize(("lang", "expected"), [("zh", "网页内容过大"), ("en", "too large")])
async def test_a_twenty_megabyte_file_gets_a_clear_answer_without_a_download(
    running_bot: FakeBotAPI, lang: str, expected: str
) -> None:
    chat = 1801 if lang == "zh" else 1802
    if lang == "en":
        running_bot.send_text(chat, "/lang en")
        await running_bot.wait_for_final(chat)
    before = len(running_bot.sent(chat))
    running_bot.send_document(chat, b"x" * TWENTY_MB, "paste.txt")
    answer = (await running_bot.wait_for_final(chat, before + 1, timeout=30))[-1]
    assert expected in answer.text
    assert running_bot.calls_to("getFile") == []


async def test_a_feed_of_100000_items_is_read_in_bounded_time(
    bot_settings: Settings, page_server: PageServer
) -> None:
    entries = "".join(f"<item><guid>g{i}</guid></item>" for i in range(100_000))  # 2.8 MB
    rss = f'<?xml version="1.0"?><rss version="2.0"><channel>{entries}</channel></rss>'
    url = page_server.add("/huge.xml", rss.encode(), content_type="application/rss+xml")
    services = await open_services(bot_settings)
    taken: list[str] = []

    async def ingest(feed: Feed, item: FeedItem) -> int:
        taken.append(item.guid)
        return 1

    try:
        feeds = FeedRepository(services.db)
        feed, _ = await feeds.add(-1803, url)
        policy = FetchPolicy(allow_private=True, timeout=20.0)
        poller = FeedPoller(feeds, SubscriptionRepository(services.db), ingest, policy)
        started = time.monotonic()
        result = await poller.poll(feed.id)
        elapsed = time.monotonic() - started
        assert result.status == "new", result.error
        assert result.items == MAX_FEED_ITEMS
        assert taken == ["g4", "g3", "g2", "g1", "g0"]  # the newest few of a new feed
        assert await feeds.seen_count(feed.id) == MAX_FEED_ITEMS
        assert elapsed < 60  # measured ~3 s here; before the cut, feedparser alone took 57 s
    finally:
        await close_services(services)


@pytest.mark.parametrize(("lang", "expected"), [("zh", "导入了 100 个"), ("en", "Imported 100")])
async def test_an_opml_file_of_10000_feeds_imports_the_first_hundred(
    running_bot: FakeBotAPI, lang: str, expected: str
) -> None:
    chat = 1804 if lang == "zh" else 1805
    if lang == "en":
        running_bot.send_text(chat, "/lang en")
        await running_bot.wait_for_final(chat)
    outlines = "".join(
        f'<outline text="f{i}" xmlUrl="https://e{i}.cn/rss"/>' for i in range(10_000)
    )
    opml = f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>'
    before = len(running_bot.sent(chat))
    running_bot.send_document(chat, opml.encode(), "feeds.opml", mime_type="text/x-opml")
    answer = (await running_bot.wait_for_final(chat, before + 1, timeout=60))[-1]
    assert answer.text.startswith(expected) and str(MAX_OPML_FEEDS) in answer.text
