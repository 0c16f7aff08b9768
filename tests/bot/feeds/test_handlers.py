"""End to end: /feed on the real Application, a loopback RSS server, the real NewsService
(each new item's page fetched and analysed), the fake Bot API."""

from __future__ import annotations

from bot.app import build_application
from bot.context import BotApp
from bot.digests.runtime import DigestRuntime
from bot.settings import Settings
from tests.helpers.digests import Clock, feed_items
from tests.helpers.fake_bot_api import FakeBotAPI
from tests.helpers.feed_server import feed_server

GROUP, ADMIN, MEMBER = -900, 901, 902


def app_with(settings: Settings, clock: Clock) -> BotApp:
    app = build_application(settings)
    app.bot_data.clock = clock
    return app


async def test_fifty_items_ten_new_give_ten_stories_then_nothing(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    clock, api = Clock(), fake_bot_api
    api.set_chat_member(GROUP, ADMIN, "administrator")
    async with feed_server() as feeds, api.polling(app_with(bot_settings, clock)) as app:
        runtime: DigestRuntime = app.bot_data.digests
        articles = app.bot_data.services.articles
        feeds.publish(feed_items(40))
        api.send_text(GROUP, f"/feed add {feeds.feed_url}", user_id=ADMIN)
        added = await api.wait_for_message(GROUP, timeout=90)
        assert "测试新闻源" in added.text and "读到 40 条" in added.text
        stored_before = await articles.count()
        logged_before = await runtime.subscriptions.stories_between(GROUP, None, clock.now)

        feeds.publish(feed_items(50))
        clock.advance(minutes=20)
        [result] = await runtime.scheduler.poll_feeds(app.bot)
        assert result.items == 50 and len(result.article_ids) == 10
        assert await articles.count() == stored_before + 10
        assert sorted(feeds.page_hits[-10:]) == sorted(f"item-{i}" for i in range(40, 50))
        logged = await runtime.subscriptions.stories_between(GROUP, None, clock.now)
        assert len(logged) == len(logged_before) + 10

        hits = len(feeds.page_hits)
        clock.advance(minutes=20)
        [unchanged] = await runtime.poller.poll_due()
        assert unchanged.status == "unchanged" and unchanged.article_ids == ()
        assert feeds.requests[-1].get("If-None-Match") == f'"v{feeds.version}"'
        assert feeds.requests[-1].get("If-Modified-Since")
        assert len(feeds.page_hits) == hits and await articles.count() == stored_before + 10

        # The feed's stories reach the chat's digest.
        api.send_text(GROUP, "/digest now", user_id=ADMIN)
        digest = await api.wait_for(
            lambda: [m for m in api.sent(GROUP) if m.text.startswith("📰")], timeout=60
        )
        assert "10 条新闻" in digest[0].text  # 15 stories, the default count is 10


async def test_feed_commands_filters_instant_and_admin_only(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    clock, api = Clock(), fake_bot_api
    api.set_chat_member(GROUP, ADMIN, "administrator")
    async with feed_server() as feeds, api.polling(app_with(bot_settings, clock)) as app:
        runtime: DigestRuntime = app.bot_data.digests
        feeds.publish(feed_items(36))
        api.send_text(GROUP, f"/feed add {feeds.feed_url}", user_id=MEMBER)
        assert "只有群管理员" in (await api.wait_for_message(GROUP)).text
        api.send_text(GROUP, f"/feed add {feeds.feed_url}", user_id=ADMIN)
        await api.wait_for_messages(GROUP, 2, timeout=90)
        api.send_text(GROUP, "/feed filter 1 +成都 -暴雪", user_id=ADMIN)
        await api.wait_for_messages(GROUP, 3)
        api.send_text(GROUP, "/feed instant 1 on", user_id=ADMIN)
        await api.wait_for_messages(GROUP, 4)
        api.send_text(GROUP, "/feed list", user_id=MEMBER)
        listing = (await api.wait_for_messages(GROUP, 5))[-1]
        assert listing.text.startswith("1. 测试新闻源") and "+成都" in listing.text
        assert "-暴雪" in listing.text and "instant" in listing.text

        # Item 50 is about 成都 (kept, posted at once as a card); item 51 about 杭州 (filtered).
        feeds.publish(feed_items(52))
        clock.advance(minutes=20)
        before = len(api.sent(GROUP))
        [result] = await runtime.scheduler.poll_feeds(app.bot)
        assert len(result.article_ids) == 1 and result.skipped >= 1
        cards = api.sent(GROUP)[before:]
        assert len(cards) == 1 and cards[0].text.startswith("成都")

        api.send_text(GROUP, "/feed remove 1", user_id=ADMIN)
        await api.wait_for_messages(GROUP, before + 2)
        assert await runtime.feeds.for_chat(GROUP) == []


async def test_opml_document_imports_feeds(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    opml = (
        b'<?xml version="1.0"?><opml version="2.0"><body>'
        b'<outline text="A" xmlUrl="https://a.example/rss"/>'
        b'<outline text="B" xmlUrl="https://b.example/atom"/></body></opml>'
    )
    user = 950
    async with fake_bot_api.polling(app_with(bot_settings, Clock())) as app:
        fake_bot_api.send_document(user, opml, "feeds.opml", mime_type="text/x-opml")
        reply = await fake_bot_api.wait_for_message(user)
        runtime: DigestRuntime = app.bot_data.digests
        assert "导入了 2 个订阅源" in reply.text
        assert [f.url for f in await runtime.feeds.for_chat(user)] == [
            "https://a.example/rss",
            "https://b.example/atom",
        ]


async def test_channel_feeds_are_managed_from_a_private_chat(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    api, channel, owner, stranger = fake_bot_api, -100960, 961, 962
    api.set_chat(channel, type="channel", title="频道")
    api.set_chat_member(channel, owner, "administrator")
    async with feed_server() as feeds, api.polling(app_with(bot_settings, Clock())) as app:
        runtime: DigestRuntime = app.bot_data.digests
        feeds.publish(feed_items(36))
        api.send_text(stranger, f"/feed add {feeds.feed_url} {channel}")
        assert "没有找到" in (await api.wait_for_message(stranger)).text
        api.send_text(owner, f"/feed add {feeds.feed_url} {channel}")
        await api.wait_for_message(owner, timeout=90)
        assert [f.url for f in await runtime.feeds.for_chat(channel)] == [feeds.feed_url]
        assert await runtime.feeds.for_chat(owner) == []
        api.send_text(owner, f"/feed list {channel}")
        listing = (await api.wait_for_messages(owner, 2))[-1]
        assert listing.text.startswith("1. 测试新闻源")
        assert api.sent(channel) == []  # nothing was posted into the channel itself
