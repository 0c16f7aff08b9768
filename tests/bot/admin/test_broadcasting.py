"""/broadcast end to end: preview, confirm button, 100 users under RetryAfter, and a
restart in the middle that resumes without sending anyone a second copy."""

from __future__ import annotations

from collections import Counter

from bot.app import build_application
from bot.settings import Settings
from storage import connect
from storage.users import UserRepository
from tests.bot.conftest import ADMIN_ID
from tests.helpers.fake_bot_api import FakeBotAPI, StoredMessage

USERS = list(range(5000, 5100))
TEXT = "系统维护通知：今晚 22:00 起暂停服务 <升级> & 重启"
BOLD = "22:00"  # sent with a bold entity, as an admin's client would format it


async def add_users(settings: Settings) -> None:
    """The users the bot has met (as its tracking handler records them)."""
    db = await connect(settings.db)
    try:
        users = UserRepository(db)
        for user_id in USERS:
            await users.touch_user(user_id, username=None, first_name="u", language_code="zh")
            await users.touch_chat(user_id, type="private")
    finally:
        await db.close()


def deliveries(api: FakeBotAPI) -> Counter[int]:
    return Counter(
        int(c.params["chat_id"])
        for c in api.calls_to("sendMessage")
        if int(c.params["chat_id"]) in USERS
    )


async def preview(api: FakeBotAPI) -> StoredMessage:
    before = len(api.sent(ADMIN_ID))
    text = f"/broadcast users {TEXT}"
    entities = [
        {"type": "bot_command", "offset": 0, "length": len("/broadcast")},
        {"type": "bold", "offset": text.index(BOLD), "length": len(BOLD)},  # BMP: UTF-16 = len
    ]
    api.send_text(ADMIN_ID, text, entities=entities)
    found = await api.wait_for_messages(ADMIN_ID, before + 1, timeout=30)
    return found[before]


async def test_broadcast_reaches_100_users_once_under_retry_after(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    await add_users(bot_settings)
    async with fake_bot_api.polling(build_application(bot_settings)):
        shown = await preview(fake_bot_api)
        assert "系统维护通知" in shown.text and "(101)" in shown.text  # 100 + the admin
        assert fake_bot_api.sent(USERS[0]) == []  # nothing goes out before the click
        go = shown.reply_markup["inline_keyboard"][0][0]  # type: ignore[index]
        fake_bot_api.fail_next("sendMessage", 3, retry_after=1)
        fake_bot_api.click(shown, go["callback_data"], user_id=ADMIN_ID)
        fake_bot_api.click(shown, go["callback_data"], user_id=ADMIN_ID)  # double click
        await fake_bot_api.wait_for(
            lambda: "完成" in fake_bot_api.messages[(ADMIN_ID, shown.message_id)].text,
            timeout=60,
        )
    counts = deliveries(fake_bot_api)
    assert set(counts) == set(USERS) and set(counts.values()) == {1}
    assert len(fake_bot_api.calls_to("sendMessage", ok=False)) == 3  # the 429s happened
    sent = fake_bot_api.sent(USERS[0])[0]
    assert sent.text == TEXT  # escaped on the way out, shown as typed
    assert sent.raw == "系统维护通知：今晚 <b>22:00</b> 起暂停服务 &lt;升级&gt; &amp; 重启"
    progress = fake_bot_api.messages[(ADMIN_ID, shown.message_id)].text
    assert "101/101" in progress and "已发送 101" in progress


async def test_non_admin_cannot_confirm_a_broadcast(
    running_bot: FakeBotAPI, bot_settings: Settings
) -> None:
    shown = await preview(running_bot)
    go = shown.reply_markup["inline_keyboard"][0][0]  # type: ignore[index]
    running_bot.click(shown, go["callback_data"], user_id=77)
    await running_bot.settle(quiet=0.5)
    assert running_bot.calls_to("answerCallbackQuery") == []
    assert running_bot.messages[(ADMIN_ID, shown.message_id)].edits == 0


async def test_restart_mid_broadcast_resumes_without_duplicates(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    await add_users(bot_settings)
    async with fake_bot_api.polling(build_application(bot_settings)):
        shown = await preview(fake_bot_api)
        go = shown.reply_markup["inline_keyboard"][0][0]  # type: ignore[index]
        fake_bot_api.click(shown, go["callback_data"], user_id=ADMIN_ID)
        await fake_bot_api.wait_for(lambda: sum(deliveries(fake_bot_api).values()) >= 20)
    # The first process stopped mid-way (stop() lets the send in flight be recorded).
    first = deliveries(fake_bot_api)
    assert 20 <= sum(first.values()) < 100

    async with fake_bot_api.polling(build_application(bot_settings)):
        await fake_bot_api.wait_for(lambda: len(deliveries(fake_bot_api)) == 100, timeout=60)
        await fake_bot_api.wait_for(
            lambda: "完成" in fake_bot_api.messages[(ADMIN_ID, shown.message_id)].text,
            timeout=30,
        )
    counts = deliveries(fake_bot_api)
    assert set(counts) == set(USERS) and set(counts.values()) == {1}
