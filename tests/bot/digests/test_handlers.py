"""End to end: groups and channels schedule digests on the real Application against the
loopback fake Bot API; the digest clock is moved by the test (no real waiting)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.app import build_application
from bot.context import BotApp
from bot.digests.handlers import CHANNEL_REQUEST
from bot.digests.runtime import DigestRuntime
from bot.settings import Settings
from bot.telegram.send import ATTEMPTS
from bot.texts import t
from tests.helpers.digests import CHIPS, RATE_CUT, TYPHOON, Clock, article_html
from tests.helpers.fake_bot_api import BOT_ID, FakeBotAPI, StoredMessage
from tests.helpers.pages import PageServer

SHANGHAI = ZoneInfo("Asia/Shanghai")
GROUP, ADMIN, MEMBER = -700, 701, 702


def app_with(settings: Settings, clock: Clock) -> BotApp:
    app = build_application(settings)
    app.bot_data.clock = clock
    return app


def digests(api: FakeBotAPI, chat_id: int) -> list[StoredMessage]:
    return [m for m in api.sent(chat_id) if m.text.startswith("📰 新闻摘要")]


def in_two_hours(clock: Clock) -> str:
    return (clock.now + timedelta(hours=2)).astimezone(SHANGHAI).strftime("%H:%M")


async def share(api: FakeBotAPI, url: str) -> None:
    before = len(api.sent(GROUP))
    api.send_text(GROUP, f"@{api.bot_user['username']} {url}", user_id=MEMBER)
    await api.wait_for_final(GROUP, before + 1, timeout=60)


async def test_group_digest_arrives_once_with_duplicates_collapsed(
    fake_bot_api: FakeBotAPI, bot_settings: Settings, page_server: PageServer
) -> None:
    clock, api = Clock(), fake_bot_api
    api.set_chat_member(GROUP, ADMIN, "administrator")
    app = app_with(bot_settings, clock)
    at = in_two_hours(clock)
    async with api.polling(app):
        api.send_text(GROUP, f"/digest daily {at}", user_id=ADMIN)
        reply = await api.wait_for_message(GROUP)
        assert f"daily {at}" in reply.text
        await share(
            api, page_server.add_html("/xinhua/1", article_html("央行下调存款准备金率", RATE_CUT))
        )
        await share(
            api,
            page_server.add_html(
                "/people/9", article_html("央行宣布降准0.5个百分点", RATE_CUT, source="人民网")
            ),
        )
        await share(
            api, page_server.add_html("/xinhua/2", article_html("台风摩羯登陆海南", TYPHOON))
        )
        assert digests(api, GROUP) == []

        clock.advance(hours=3)  # past the scheduled time
        runtime = app.bot_data.digests
        await runtime.scheduler.resync()
        await api.wait_for(lambda: digests(api, GROUP), timeout=30)
        await runtime.scheduler.resync()  # a second wake-up for the same slot sends nothing
        await api.settle(quiet=1.0)

    [digest] = digests(api, GROUP)
    text = digest.text
    assert "2 条新闻" in text.split("\n")[1]
    assert "2 家媒体" in text
    # The two copies collapse into one line, led by the earliest; the typhoon is second.
    assert ("央行下调存款准备金率" in text) != ("央行宣布降准0.5个百分点" in text)
    assert text.index("央行") < text.index("台风摩羯登陆海南")
    assert any(e["type"] == "text_link" for e in digest.entities)


async def test_non_admins_cannot_schedule_a_group_digest(running_bot: FakeBotAPI) -> None:
    running_bot.send_text(GROUP, "/digest daily 08:00", user_id=MEMBER)
    reply = await running_bot.wait_for_message(GROUP)
    assert "只有群管理员" in reply.text


async def test_restart_between_scheduling_and_sending_delivers_once(
    fake_bot_api: FakeBotAPI, bot_settings: Settings, page_server: PageServer
) -> None:
    clock, api = Clock(), fake_bot_api
    api.set_chat_member(GROUP, ADMIN, "administrator")
    at = in_two_hours(clock)
    async with api.polling(app_with(bot_settings, clock)):
        api.send_text(GROUP, f"/digest daily {at}", user_id=ADMIN)
        await api.wait_for_message(GROUP)
        await share(api, page_server.add_html("/c/1", article_html("华为发布新款手机", CHIPS)))
    # The bot is down when the slot passes; it comes back later.
    clock.advance(hours=5)
    async with api.polling(app_with(bot_settings, clock)):
        await api.wait_for(lambda: digests(api, GROUP), timeout=30)
        await api.settle(quiet=1.0)
    async with api.polling(app_with(bot_settings, clock)):  # and restarts once more
        await api.settle(quiet=1.0)
    [digest] = digests(api, GROUP)
    assert "华为发布新款手机" in digest.text and "1 条新闻" in digest.text


async def test_a_digest_recorded_but_not_sent_is_sent_after_restart(
    fake_bot_api: FakeBotAPI, bot_settings: Settings, page_server: PageServer
) -> None:
    clock, api = Clock(), fake_bot_api
    api.set_chat_member(GROUP, ADMIN, "administrator")
    async with api.polling(app_with(bot_settings, clock)) as app:
        await share(api, page_server.add_html("/c/2", article_html("华为发布新款手机", CHIPS)))
        api.send_text(GROUP, "/digest daily 08:00", user_id=ADMIN)
        await api.wait_for(lambda: len(api.sent(GROUP)) >= 2)
        # the send path retries a 500; it fails for good only when every try does
        api.fail_next_with("sendMessage", 500, "Internal Server Error: try later", times=ATTEMPTS)
        api.send_text(GROUP, "/digest now", user_id=ADMIN)
        await api.wait_for(lambda: len(api.calls_to("sendMessage", ok=False)) == ATTEMPTS, 30)
        await api.settle(quiet=1.0)
        assert digests(api, GROUP) == []
        runtime: DigestRuntime = app.bot_data.digests
        [_pending] = await runtime.digests.unfinished()  # recorded before the failed send
    async with api.polling(app_with(bot_settings, clock)):
        await api.wait_for(lambda: digests(api, GROUP), timeout=30)
    async with api.polling(app_with(bot_settings, clock)):
        await api.settle(quiet=1.0)
    assert len(digests(api, GROUP)) == 1


async def test_blocked_chat_is_paused_not_retried(
    fake_bot_api: FakeBotAPI, bot_settings: Settings, page_server: PageServer
) -> None:
    clock, api = Clock(), fake_bot_api
    user = 705  # a private chat subscribes to itself
    async with api.polling(app_with(bot_settings, clock)) as app:
        api.send_text(user, "/digest every 1h")
        await api.wait_for_message(user)
        api.send_text(user, page_server.add_html("/p/1", article_html("台风摩羯登陆海南", TYPHOON)))
        await api.wait_for_final(user, 2, timeout=60)
        api.fail_next_with("sendMessage", 403, "Forbidden: bot was blocked by the user")
        clock.advance(hours=2)
        runtime: DigestRuntime = app.bot_data.digests
        await runtime.scheduler.resync()
        await api.wait_for(lambda: api.calls_to("sendMessage", ok=False))
        await api.settle(quiet=1.0)
        assert (await runtime.subscriptions.get(user)).state == "paused"
        assert await runtime.subscriptions.scheduled() == []
        clock.advance(hours=2)
        await runtime.scheduler.resync()
        await api.settle(quiet=1.0)
    assert len(api.calls_to("sendMessage", ok=False)) == 1


async def test_channel_configured_from_a_private_chat(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    clock, api = Clock(), fake_bot_api
    channel, owner, stranger, other = -100900, 801, 802, 803
    api.set_chat(channel, type="channel", title="早报频道", username="zaobao_news")
    api.set_chat_member(channel, BOT_ID, "administrator")
    api.set_chat_member(channel, owner, "creator")
    api.set_chat_member(channel, other, "administrator")
    async with api.polling(app_with(bot_settings, clock)) as app:
        runtime: DigestRuntime = app.bot_data.digests
        api.send_text(stranger, f"/channel add {channel}")
        refused = await api.wait_for_message(stranger)
        assert "只有频道管理员" in refused.text
        assert await runtime.subscriptions.find(channel) is None

        api.send_text(owner, "/channel add @no_such_channel")
        unknown = await api.wait_for_message(owner)
        assert "找不到这个频道" in unknown.text
        assert await runtime.subscriptions.find(channel) is None

        api.send_text(owner, "/channel add @zaobao_news every 6h")
        accepted = (await api.wait_for_messages(owner, 2))[-1]
        assert "早报频道" in accepted.text and "every 6h" in accepted.text
        sub = await runtime.subscriptions.get(channel)
        assert (sub.kind, sub.schedule, sub.configured_by) == ("channel", "every 6h", owner)

        # The other way: /channel add, then the channel picked with Telegram's button.
        api.send_text(other, "/channel add")
        await api.wait_for_message(other)
        api.share_chat(other, channel, request_id=CHANNEL_REQUEST)
        await api.wait_for_messages(other, 2)
        assert (await runtime.subscriptions.get(channel)).configured_by == other
        assert (await runtime.subscriptions.get(channel)).schedule == "daily 08:00"

        # Removed from the channel: subscriptions stop, the chat is marked gone.
        api.my_chat_member(channel, old="administrator", new="kicked", by_user=owner)
        await api.wait_for(lambda: True)
        await api.settle(quiet=0.5)
        assert (await runtime.subscriptions.get(channel)).state == "gone"
        assert await runtime.subscriptions.scheduled() == []


async def test_channel_add_asks_with_telegrams_channel_picker_and_keeps_no_state(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    """``/channel add`` alone answers with a ``request_chat`` button for channels; the pick
    arrives as a ``chat_shared`` message. Nothing is remembered in between: a pick handled
    by a freshly started bot (another worker, or after a restart) configures the channel,
    and a forwarded channel post is always an article to read."""
    clock, api = Clock(), fake_bot_api
    channel, owner, stranger = -100903, 831, 832
    api.set_chat(channel, type="channel", title="晚报频道")
    api.set_chat_member(channel, BOT_ID, "administrator")
    api.set_chat_member(channel, owner, "creator")
    async with api.polling(app_with(bot_settings, clock)):
        api.send_text(owner, "/channel add")
        asked = await api.wait_for_message(owner)
        assert asked.text == t("channel_choose", "zh")
        [[button]] = asked.reply_markup["keyboard"]  # type: ignore[index]
        assert button["text"] == t("channel_choose_button", "zh")
        assert button["request_chat"] == {"request_id": CHANNEL_REQUEST, "chat_is_channel": True}
        api.forward_channel_post(
            owner, "频道里的一条消息", channel_id=channel, channel_title="晚报频道"
        )
        await api.wait_for_final(owner, 2, timeout=60)
        await api.settle(quiet=0.5)
    assert not any("晚报频道" in m.text for m in api.sent(owner))

    async with api.polling(app_with(bot_settings, clock)) as app:  # a new process
        subscriptions = app.bot_data.digests.subscriptions
        assert await subscriptions.find(channel) is None
        api.share_chat(owner, channel, request_id=CHANNEL_REQUEST + 1)  # another button's
        api.share_chat(stranger, channel, request_id=CHANNEL_REQUEST)  # not its admin
        refused = await api.wait_for_message(stranger)
        assert refused.text == t("channel_admins_only", "zh")
        assert refused.reply_markup == {"remove_keyboard": True}
        api.share_chat(owner, channel, request_id=CHANNEL_REQUEST)
        on = await api.wait_for(
            lambda: [
                m
                for m in api.sent(owner)
                if m.text.startswith(t("channel_on", "zh", name="晚报频道"))
            ]
        )
        await api.settle(quiet=0.5)
        assert on[0].reply_markup == {"remove_keyboard": True}
        sub = await subscriptions.get(channel)
        assert (sub.configured_by, sub.schedule) == (owner, "daily 08:00")
    assert len(api.sent(owner)) == 3  # the picker, the forwarded post's card, the answer


async def test_bot_must_be_channel_admin(fake_bot_api: FakeBotAPI, bot_settings: Settings) -> None:
    channel, owner = -100901, 811
    fake_bot_api.set_chat(channel, type="channel", title="无权限频道")
    fake_bot_api.set_chat_member(channel, owner, "creator")
    async with fake_bot_api.polling(app_with(bot_settings, Clock())):
        fake_bot_api.send_text(owner, f"/channel add {channel}")
        reply = await fake_bot_api.wait_for_message(owner)
    assert "请先把我设为该频道的管理员" in reply.text


async def test_settings_keyboard_changes_the_digest(
    fake_bot_api: FakeBotAPI, bot_settings: Settings, page_server: PageServer
) -> None:
    clock, api = Clock(), fake_bot_api
    api.set_chat_member(GROUP, ADMIN, "administrator")
    async with api.polling(app_with(bot_settings, clock)) as app:
        runtime: DigestRuntime = app.bot_data.digests
        api.send_text(GROUP, "/digest settings", user_id=ADMIN)
        panel = await api.wait_for_message(GROUP)
        labels = [b["text"] for row in panel.reply_markup["inline_keyboard"] for b in row]  # type: ignore[index]
        assert "✓ 中文" in labels and "✓ 10" in labels and "✓ Shanghai" in labels

        api.click(panel, f"dg:{GROUP}:lang:en", user_id=MEMBER)  # not an admin: refused
        await api.wait_for(lambda: api.calls_to("answerCallbackQuery"))
        assert (await runtime.subscriptions.get(GROUP)).language == "zh"

        for data in (f"dg:{GROUP}:lang:en", f"dg:{GROUP}:ent:0", f"dg:{GROUP}:tz:6"):
            calls = len(api.calls_to("editMessageText"))
            api.click(panel, data, user_id=ADMIN)
            await api.wait_for(lambda c=calls: len(api.calls_to("editMessageText")) > c)
        sub = await runtime.subscriptions.get(GROUP)
        assert (sub.language, sub.entities, sub.tz) == ("en", False, "UTC")

        await share(api, page_server.add_html("/s/1", article_html("台风摩羯登陆海南", TYPHOON)))
        api.fail_next("sendMessage", 1, retry_after=1)  # Telegram's flood control, once
        api.send_text(GROUP, "/digest now", user_id=ADMIN)
        found = await api.wait_for(
            lambda: [m for m in api.sent(GROUP) if m.text.startswith("📰 News digest")], timeout=30
        )
        await api.settle(quiet=1.0)
    [digest] = [m for m in api.sent(GROUP) if m.text.startswith("📰 News digest")]
    assert digest is found[0] or digest.text == found[0].text
    assert "1 story" in digest.text and "Most mentioned" not in digest.text


async def test_channel_settings_and_digest_now_from_private_chat(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    channel, owner, stranger = -100902, 821, 822
    api = fake_bot_api
    api.set_chat(channel, type="channel", title="晚报频道")
    api.set_chat_member(channel, BOT_ID, "administrator")
    api.set_chat_member(channel, owner, "administrator")
    async with api.polling(app_with(bot_settings, Clock())):
        api.send_text(owner, f"/channel add {channel}")
        await api.wait_for_message(owner)
        api.send_text(stranger, f"/channel settings {channel}")
        assert "没有找到" in (await api.wait_for_message(stranger)).text
        api.send_text(owner, f"/channel settings {channel}")
        panel = (await api.wait_for_messages(owner, 2))[-1]
        assert panel.text.startswith("⚙️ 摘要设置") and panel.reply_markup
        api.send_text(owner, f"/channel now {channel}")
        await api.wait_for(lambda: digests(api, channel), timeout=30)
        assert "没有新的报道" in digests(api, channel)[0].text


async def test_a_scheduled_slot_without_news_posts_nothing(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    clock, api = Clock(), fake_bot_api
    api.set_chat_member(GROUP, ADMIN, "administrator")
    async with api.polling(app_with(bot_settings, clock)) as app:
        api.send_text(GROUP, "/digest every 1h", user_id=ADMIN)
        await api.wait_for_message(GROUP)
        runtime: DigestRuntime = app.bot_data.digests
        first = (await runtime.subscriptions.get(GROUP)).next_run_at
        clock.advance(hours=1, minutes=1)
        await runtime.scheduler.resync()
        for _ in range(200):  # until the job has run and moved to the next slot
            if (await runtime.subscriptions.get(GROUP)).next_run_at != first:
                break
            await asyncio.sleep(0.05)
        await api.settle(quiet=1.0)
        sub = await runtime.subscriptions.get(GROUP)
        assert first is not None and sub.next_run_at is not None and sub.next_run_at > first
        assert await runtime.digests.count(GROUP) == 0
    assert digests(api, GROUP) == [] and len(api.sent(GROUP)) == 1


async def test_group_upgraded_to_supergroup_keeps_its_digest(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    api, supergroup = fake_bot_api, -100700
    api.set_chat_member(GROUP, ADMIN, "administrator")
    async with api.polling(app_with(bot_settings, Clock())) as app:
        runtime: DigestRuntime = app.bot_data.digests
        api.send_text(GROUP, "/digest weekly mon 09:00", user_id=ADMIN)
        await api.wait_for_message(GROUP)
        api.add_update({"message": api._message(GROUP, ADMIN, migrate_to_chat_id=supergroup)})
        for _ in range(200):
            if await runtime.subscriptions.find(supergroup) is not None:
                break
            await asyncio.sleep(0.05)
        moved = await runtime.subscriptions.get(supergroup)
        assert moved.schedule == "weekly mon 09:00"
        assert await runtime.subscriptions.find(GROUP) is None
        assert [s.chat_id for s in await runtime.subscriptions.scheduled()] == [supergroup]


async def test_the_settings_keyboard_marks_the_current_value_of_every_setting(
    running_bot: FakeBotAPI,
) -> None:
    chat = 1501
    running_bot.send_text(chat, "/digest settings")
    panel = (await running_bot.wait_for_final(chat))[-1]
    assert panel.reply_markup is not None
    marked: dict[str, list[str]] = {}
    for row in panel.reply_markup["inline_keyboard"]:
        for button in row:
            field = button["callback_data"].split(":")[2]
            marked.setdefault(field, [])
            if button["text"].startswith("✓ "):
                marked[field].append(button["text"])
    # the defaults (80 characters, 10 stories, Shanghai, Chinese, entities on) are choices
    assert marked == {
        "lang": ["✓ 中文"],
        "n": ["✓ 10"],
        "len": ["✓ 80字"],
        "ent": ["✓ 实体 开"],
        "tz": ["✓ Shanghai"],
    }
