"""``zhaiyao webhook set|info|delete``: the one process that tells Telegram about the
webhook, against the loopback fake Bot API."""

from __future__ import annotations

import asyncio
import os
import sys

from tests.helpers.fake_bot_api import FakeBotAPI

SECRET = "command-secret_1"


async def zhaiyao(api: FakeBotAPI, *args: str, secret: str = SECRET) -> tuple[int, str]:
    env = {
        **os.environ,
        "ZHAIYAO_TELEGRAM_TOKEN": api.token,
        "ZHAIYAO_TELEGRAM_BASE_URL": api.base_url,
        "ZHAIYAO_WEBHOOK_SECRET": secret,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "webhook", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, out.decode()


async def test_set_info_and_delete_the_webhook(fake_bot_api: FakeBotAPI) -> None:
    api = fake_bot_api
    code, out = await zhaiyao(api, "set", "https://bot.example.org")
    assert code == 0 and "https://bot.example.org/telegram" in out, out
    assert api.webhook == {"url": "https://bot.example.org/telegram", "secret_token": SECRET}
    assert SECRET not in out and api.token not in out
    code, out = await zhaiyao(api, "info")
    assert code == 0 and "url: https://bot.example.org/telegram" in out
    code, out = await zhaiyao(api, "delete")
    assert code == 0 and api.webhook is None and "url: (none)" in out


async def test_set_refuses_without_a_valid_secret(fake_bot_api: FakeBotAPI) -> None:
    code, out = await zhaiyao(fake_bot_api, "set", "https://bot.example.org", secret="no spaces")
    assert code == 2 and "ZHAIYAO_WEBHOOK_SECRET" in out and "Traceback" not in out
    assert fake_bot_api.webhook is None
