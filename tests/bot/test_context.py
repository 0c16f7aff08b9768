"""ZhaiyaoContext: services as typed attributes, and the update's own state (prefs, lang,
the classified request) read once per update."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Update

from bot.app import build_application, close_services, open_services
from bot.context import BotApp, BotData, ZhaiyaoContext
from bot.errors import ServicesNotReady
from bot.settings import Settings
from bot.telegram.ratelimit import SharedRateLimiter

USER = 5


def message_update(app: BotApp, text: str, language_code: str | None = "zh-hans") -> Update:
    sender: dict[str, Any] = {"id": USER, "is_bot": False, "first_name": "读者"}
    if language_code is not None:
        sender["language_code"] = language_code
    data = {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": USER, "type": "private"},
            "from": sender,
            "text": text,
        },
    }
    update = Update.de_json(data, app.bot)
    assert update is not None
    return update


@pytest.fixture
async def app(bot_settings: Settings) -> AsyncIterator[BotApp]:
    app = build_application(bot_settings)
    async with app:  # initialize: the bot learns its username from the fake Bot API
        app.bot_data.services = await open_services(bot_settings)
        try:
            yield app
        finally:
            await close_services(app.bot_data.services)


def test_the_application_builds_zhaiyao_contexts_and_one_rate_limiter(
    bot_settings: Settings,
) -> None:
    app = build_application(bot_settings)
    assert app.context_types.context is ZhaiyaoContext
    assert isinstance(app.bot_data, BotData)
    # One rate-limiting mechanism for what the bot sends: the limiter shared by workers.
    assert isinstance(app.bot.rate_limiter, SharedRateLimiter)
    with pytest.raises(ServicesNotReady):
        _ = app.bot_data.services  # built in post_init, not before
    with pytest.raises(ServicesNotReady):
        _ = app.bot_data.digests


async def test_lang_follows_lang_then_telegram_and_is_read_once_per_update(
    app: BotApp,
) -> None:
    users = app.bot_data.services.users
    unknown = ZhaiyaoContext.from_update(message_update(app, "hi", "en-GB"), app)
    assert await unknown.prefs() is None and await unknown.lang() == "en"  # no row: Telegram's

    await users.touch_user(USER, language_code="en-GB")
    await users.set_lang(USER, "zh")
    context = ZhaiyaoContext.from_update(message_update(app, "hi", "en-GB"), app)
    assert context.news is app.bot_data.services.news and context.users is users
    assert await context.lang() == "zh"  # /lang wins over Telegram's language_code

    await users.set_lang(USER, "en")  # changed behind this update's back
    assert await context.lang() == "zh"  # the update's own copy: no second read
    context.forget_prefs()  # what the /lang handler does after saving
    assert await context.lang() == "en"
    next_update = ZhaiyaoContext.from_update(message_update(app, "hi", "zh-hans"), app)
    assert await next_update.lang() == "en"


async def test_the_request_is_classified_once_per_update(app: BotApp) -> None:
    link = "https://news.example/a/1"
    context = ZhaiyaoContext.from_update(message_update(app, f"看看 {link}"), app)
    first = await context.request()
    assert first is not None and first.kind == "links" and first.links == (link,)
    assert await context.request() is first  # the gates and the handler share it
    short = ZhaiyaoContext.from_update(message_update(app, "你好"), app)
    hint = await short.request()
    assert hint is not None and hint.kind == "hint" and hint.cost == 0


async def test_tracking_rereads_prefs_only_when_the_language_code_changed(app: BotApp) -> None:
    users = app.bot_data.services.users
    await users.touch_user(USER, language_code="en-GB")
    context = ZhaiyaoContext.from_update(message_update(app, "hi", "zh-hans"), app)
    assert await context.lang() == "en"  # read ahead of tracking: the stored en-GB
    await users.touch_user(USER, language_code="zh-hans")  # what the tracking group does
    context.tracked("zh-hans")
    assert await context.lang() == "zh"
    await users.set_lang(USER, "en")  # behind the update's back
    context.tracked("zh-hans")  # the same language_code: the update's copy stands
    assert await context.lang() == "zh"
