"""``/lang en`` is honoured by every command family, not only the chat commands: /digest,
/channel, /feed, the admin commands, and the error handler's apology (Telegram's
language_code says Chinese)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from telegram.ext import CommandHandler

from bot.app import build_application
from bot.digests.compose import DigestOptions, compose
from bot.settings import Settings
from bot.texts import t
from tests.bot.conftest import ADMIN_ID
from tests.helpers.fake_bot_api import FakeBotAPI

CJK = range(0x4E00, 0xA000)


def chinese(text: str) -> bool:
    return any(ord(c) in CJK for c in text)


async def english_user(api: FakeBotAPI, chat: int) -> None:
    api.send_text(chat, "/lang en")  # the client still says zh-hans
    assert (await api.wait_for_final(chat))[-1].text.startswith("OK")


async def answer(api: FakeBotAPI, chat: int, text: str) -> str:
    before = len(api.sent(chat))
    api.send_text(chat, text)
    return (await api.wait_for_final(chat, before + 1, timeout=60))[-1].text


async def test_digest_channel_and_feed_replies_follow_lang_en(running_bot: FakeBotAPI) -> None:
    chat = 1401
    await english_user(running_bot, chat)
    status = await answer(running_bot, chat, "/digest")
    assert status.startswith("Digest schedule: off") and "entities on · Chinese" in status
    assert "Digest settings" in await answer(running_bot, chat, "/digest settings")
    assert (await answer(running_bot, chat, "/digest whenever")).startswith("I cannot read")
    assert (await answer(running_bot, chat, "/channel")).startswith("Usage: /channel")
    assert (await answer(running_bot, chat, "/channel add")).startswith("Tap the button")
    assert (await answer(running_bot, chat, "/feed")) == "No feeds yet. /feed add URL"
    assert (await answer(running_bot, chat, "/feed remove 3")).startswith("No such feed")
    assert (await answer(running_bot, chat, "/feed frobnicate")).startswith("Usage: /feed")
    assert not any(chinese(m.text) for m in running_bot.sent(chat)[1:] if "⚙️" not in m.text)


async def test_admin_replies_follow_the_admins_lang(running_bot: FakeBotAPI) -> None:
    admin = ADMIN_ID  # an admin of the running bot, writing in their private chat
    zh = await answer(running_bot, admin, "/ban 77")
    assert zh == t("adm_banned", "zh", user=77) == "已封禁 77"
    assert (await answer(running_bot, admin, "/lang en")).startswith("OK")
    assert await answer(running_bot, admin, "/unban 77") == "unbanned 77"
    assert await answer(running_bot, admin, "/purge x") == "usage: /purge ARTICLE_ID"
    assert (await answer(running_bot, admin, "/stats")).startswith("📊 Stats\nusers: ")
    assert (await answer(running_bot, admin, "/audit")).startswith("🧾 Audit")
    assert (await answer(running_bot, admin, "/feeds")) == "No feeds."
    later = [m.text for m in running_bot.sent(admin)[3:]]
    assert later and not any(chinese(text) for text in later)


def test_a_digest_speaks_its_own_language_from_the_catalogue() -> None:
    """The digest's labels follow the digest's language setting (not one reader's)."""
    end = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    for lang in ("zh", "en"):
        [text] = compose(
            [], period_start=None, period_end=end, options=DigestOptions(lang)
        ).messages
        assert text.startswith(t("dg_title", lang)) and t("dg_empty", lang) in text
        assert t("dg_count", lang, n=0) in text and chinese(text) == (lang == "zh")


async def test_an_unexpected_error_is_told_in_the_chosen_language_as_a_reply(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    app = build_application(bot_settings)

    async def boom(update: object, context: object) -> None:
        raise RuntimeError("kaboom")

    app.add_handler(CommandHandler("boom", boom))
    async with fake_bot_api.polling(app):
        await english_user(fake_bot_api, 1402)
        asked = fake_bot_api.send_text(1402, "/boom")
        apology = (await fake_bot_api.wait_for_final(1402, 2))[-1]
    assert apology.text == "Sorry, something went wrong; the admins have been notified."
    sent = [c for c in fake_bot_api.calls_to("sendMessage") if c.params["chat_id"] == "1402"]
    assert sent[-1].params["reply_parameters"]["message_id"] == asked["message_id"]


@pytest.mark.parametrize(("lang", "expected"), [("zh", "我只读网页链接"), ("en", "I read web")])
async def test_an_unsupported_document_gets_one_sentence_as_a_reply(
    running_bot: FakeBotAPI, caplog: pytest.LogCaptureFixture, lang: str, expected: str
) -> None:
    chat = 1403 if lang == "zh" else 1404
    if lang == "en":
        await english_user(running_bot, chat)
    before = len(running_bot.sent(chat))
    with caplog.at_level(logging.INFO, logger="bot.updates"):
        pdf = running_bot.send_document(chat, b"%PDF-1.4 ...", "report.pdf", mime_type="pdf")
        found = await running_bot.wait_for_final(chat, before + 1)
        await running_bot.settle()
    assert found[-1].text.startswith(expected) and len(running_bot.sent(chat)) == before + 1
    call = running_bot.calls_to("sendMessage")[-1]
    assert call.params["reply_parameters"]["message_id"] == pdf["message_id"]
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.updates"]
    assert f"update chat={chat} kind=document outcome=unsupported" in " ".join(lines)


async def test_an_unsupported_document_in_a_group_is_left_alone(running_bot: FakeBotAPI) -> None:
    running_bot.send_document(-1405, b"%PDF-1.4 ...", "report.pdf", user_id=1406)
    running_bot.send_text(1407, "/start")
    await running_bot.wait_for_final(1407)
    await running_bot.settle()
    assert running_bot.sent(-1405) == []
