"""Fixtures for the Telegram side: the loopback fake Bot API and a configured bot.

Reusable by every bot test (chat, digest, admin)::

    async def test_x(fake_bot_api, bot_settings):
        app = build_application(bot_settings)
        async with fake_bot_api.polling(app):
            fake_bot_api.send_text(1, "/start")
            msg = await fake_bot_api.wait_for_message(1)
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.helpers.fake_bot_api import FakeBotAPI

# PTB 22 warns inside its own RetryAfter constructor unless the timedelta API is opted in;
# warnings are errors in this test suite, and bot.app opts in the same way.
os.environ.setdefault("PTB_TIMEDELTA", "true")

ADMIN_ID = 999
ADMIN_CHAT = 999


@pytest.fixture
async def fake_bot_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


@pytest.fixture
def bot_settings(tmp_path: Path, fake_bot_api: FakeBotAPI) -> Settings:
    """Settings pointing at the fake Bot API, a fresh SQLite file and loopback pages."""
    return Settings(
        telegram_token=fake_bot_api.token,
        telegram_base_url=fake_bot_api.base_url,
        db=tmp_path / "bot.db",
        admin_ids=[ADMIN_ID],
        admin_chat=ADMIN_CHAT,
        fetch_allow_private=True,
        fetch_timeout=10.0,
        ner_backend="jieba",
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
async def running_bot(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> AsyncIterator[FakeBotAPI]:
    """The real Zhaiyao Application (``build_application``) polling the fake Bot API.

    Tests that need other settings build their own: ``bot_settings.model_copy(update=...)``
    then ``async with fake_bot_api.polling(build_application(settings)):``.
    """
    from bot.app import build_application

    async with fake_bot_api.polling(build_application(bot_settings)):
        yield fake_bot_api
