"""One INFO line per handled update: chat, kind, outcome, ms; never the text or the token."""

from __future__ import annotations

import logging
import re

import pytest

from tests.helpers.articles import NEWS
from tests.helpers.fake_bot_api import FakeBotAPI
from tests.helpers.pages import PageServer

LINE = re.compile(r"^update chat=(-?\d+) kind=(\w+) outcome=(\w+) ms=\d+$")


async def test_each_update_is_logged_once_without_its_content(
    running_bot: FakeBotAPI, page_server: PageServer, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = "http://169.254.169.254/latest/meta-data/"
    secret_words = "\n".join(["物价温和上涨", *NEWS])
    with caplog.at_level(logging.INFO):
        running_bot.send_text(1601, secret_words)
        running_bot.send_text(1602, "/start")
        running_bot.send_text(1603, "你好")
        running_bot.send_text(1604, blocked)
        running_bot.send_text(-1605, "群里闲聊", user_id=1606)
        for chat in (1601, 1602, 1603, 1604):
            await running_bot.wait_for_final(chat, timeout=60)
        await running_bot.settle()
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.updates"]
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "bot.updates")
    seen = {m[1]: (m[2], m[3]) for m in map(LINE.match, lines) if m}
    assert len(seen) == len(lines) == 5
    assert seen == {
        "1601": ("message", "answered"),
        "1602": ("command", "answered"),
        "1603": ("message", "answered"),
        "1604": ("message", "refused"),
        "-1605": ("message", "ignored"),
    }
    # the bot's own log (httpx's INFO lines carry the URL; `zhaiyao run` silences them)
    everything = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert NEWS[0] not in everything and "169.254" not in everything
    assert running_bot.token not in everything
