"""``zhaiyao run --webhook URL``: PTB's webhook server with our settings and secret."""

from __future__ import annotations

import socket

import httpx
from pydantic import SecretStr

from bot.app import build_application, webhook_options
from bot.settings import Settings
from tests.helpers.fake_bot_api import FakeBotAPI


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_webhook_options_from_url_and_settings(bot_settings: Settings) -> None:
    opts = webhook_options(bot_settings, "https://bot.example.com")
    assert opts["webhook_url"] == "https://bot.example.com/telegram"
    assert opts["url_path"] == "telegram" and len(opts["secret_token"]) >= 32
    assert webhook_options(bot_settings, "https://x.cn/a/b")["url_path"] == "a/b"


async def test_webhook_server_answers_updates_with_the_right_secret_only(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    port = free_port()
    settings = bot_settings.model_copy(
        update={
            "webhook_listen": "127.0.0.1",
            "webhook_port": port,
            "webhook_secret": SecretStr("s3cret-token"),
        }
    )
    app = build_application(settings)
    opts = webhook_options(settings, "https://bot.example.com/tg/hook")
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(**opts)
    try:
        assert fake_bot_api.webhook == {
            "url": "https://bot.example.com/tg/hook",
            "secret_token": "s3cret-token",
        }
        update = {"update_id": 1, "message": fake_bot_api._message(301, 301, text="/start")}
        async with httpx.AsyncClient() as client:
            url = f"http://127.0.0.1:{port}/tg/hook"
            bad = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            )
            good = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
            )
        assert bad.status_code == 403 and good.status_code == 200
        reply = await fake_bot_api.wait_for_message(301)
        assert "摘要" in reply.text
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
    assert len(fake_bot_api.sent(301)) == 1
