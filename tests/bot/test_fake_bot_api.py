"""The fake Bot API itself: the real PTB stack against it, and its Telegram-like checks."""

from __future__ import annotations

import html

import pytest
from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    filters,
)

from tests.helpers.fake_bot_api import FakeBotAPI
from tests.helpers.telegram_html import EntityParseError, parse_html


def make_app(api: FakeBotAPI) -> Application:  # type: ignore[type-arg]
    return (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(True)
        .build()
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    text = html.escape(update.effective_message.text or "")
    await update.effective_message.reply_text(f"<b>echo</b> {text}")


def test_parse_html_accepts_telegram_tags_and_counts_utf16() -> None:
    text, entities = parse_html(
        '<b>粗</b> &lt;x&gt; <a href="https://a.cn/?a=1&amp;b=2">链接</a>😀'
    )
    assert text == "粗 <x> 链接😀"
    assert {"type": "bold", "offset": 0, "length": 1} in entities
    assert {"type": "text_link", "offset": 6, "length": 2, "url": "https://a.cn/?a=1&b=2"} in (
        entities
    )


@pytest.mark.parametrize(
    ("html", "fragment"),
    [
        ("<script>x</script>", 'Unsupported start tag "script"'),
        ("<b>x", "Can't find end tag"),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("x</b>", "Unexpected end tag"),
        ("a < b", "Empty tag name"),
        ("AT&T", 'Unescaped "&"'),
        ("a > b", 'Unescaped ">"'),
        ("<span>x</span>", "tg-spoiler"),
    ],
)
def test_parse_html_rejects_what_telegram_rejects(html: str, fragment: str) -> None:
    with pytest.raises(EntityParseError, match="can't parse entities") as info:
        parse_html(html)
    assert fragment in info.value.description


async def test_long_polling_echo_and_offsets(fake_bot_api: FakeBotAPI) -> None:
    app = make_app(fake_bot_api)
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with fake_bot_api.polling(app):
        fake_bot_api.send_text(5, "你好 & <hi>")
        fake_bot_api.send_text(6, "second")
        (first,) = await fake_bot_api.wait_for_messages(5)
        await fake_bot_api.wait_for_messages(6)
    assert first.text == "echo 你好 & <hi>"
    assert first.entities == [{"type": "bold", "offset": 0, "length": 4}]
    # each update delivered once: exactly one reply per chat even after restart-cleanup
    assert len(fake_bot_api.sent(5)) == 1 and len(fake_bot_api.sent(6)) == 1


async def test_bad_html_is_a_telegram_shaped_400(fake_bot_api: FakeBotAPI) -> None:
    app = make_app(fake_bot_api)
    async with app:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unsupported start tag"):
            await app.bot.send_message(1, "<script>alert(1)</script>")
        with pytest.raises(BadRequest, match="too long"):
            await app.bot.send_message(1, "长" * 4097)
        await app.bot.send_message(1, "长" * 4096)
    failed = fake_bot_api.calls_to("sendMessage", ok=False)
    assert [c.error_code for c in failed] == [400, 400]


async def test_429_is_retried_by_the_rate_limiter_and_delivered_once(
    fake_bot_api: FakeBotAPI,
) -> None:
    app = make_app(fake_bot_api)
    fake_bot_api.fail_next("sendMessage", 1, retry_after=1)
    async with app:
        await app.bot.send_message(7, "hello")
    assert [c.error_code for c in fake_bot_api.calls_to("sendMessage", ok=None)] == [429, None]
    assert [m.text for m in fake_bot_api.sent(7)] == ["hello"]


async def test_documents_round_trip_and_commands_are_recorded(fake_bot_api: FakeBotAPI) -> None:
    app = make_app(fake_bot_api)
    async with app:
        msg = await app.bot.send_document(3, b"\xe4\xbd\xa0\xe5\xa5\xbd", filename="a.txt")
        assert msg.document is not None
        file = await app.bot.get_file(msg.document.file_id)
        assert bytes(await file.download_as_bytearray()) == "你好".encode()
        from telegram import BotCommand, BotCommandScopeAllGroupChats

        await app.bot.set_my_commands(
            [BotCommand("help", "帮助")], scope=BotCommandScopeAllGroupChats(), language_code="zh"
        )
        member = await app.bot.get_chat_member(-100, 42)
        chat = await app.bot.get_chat(-100)
    assert fake_bot_api.commands[("all_group_chats", "zh")] == [
        {"command": "help", "description": "帮助"}
    ]
    assert member.status == "member" and chat.type == "supergroup"


async def test_callback_queries_reach_the_app(fake_bot_api: FakeBotAPI) -> None:
    app = make_app(fake_bot_api)

    async def on_click(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("ok")
        await update.callback_query.edit_message_text(f"clicked {update.callback_query.data}")

    app.add_handler(CallbackQueryHandler(on_click))
    async with app:
        sent = await app.bot.send_message(9, "card")
    async with fake_bot_api.polling(app):
        fake_bot_api.click(fake_bot_api.messages[(9, sent.message_id)], "full:1")
        await fake_bot_api.wait_for(lambda: fake_bot_api.messages[(9, sent.message_id)].edits)
    assert fake_bot_api.messages[(9, sent.message_id)].text == "clicked full:1"
    assert len(fake_bot_api.calls_to("answerCallbackQuery")) == 1
