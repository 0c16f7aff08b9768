"""``zhaiyao run --webhook URL``: the worker's configuration from the URL and settings
(the worker itself runs as a process in tests/bot/webhook)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from bot.errors import MissingWebhookSecret
from bot.settings import Settings
from bot.webhook.worker import config_for


def test_webhook_config_from_url_options_and_settings(bot_settings: Settings) -> None:
    settings = bot_settings.model_copy(
        update={"webhook_secret": SecretStr("s3cret"), "worker_id": "eu-1"}
    )
    config = config_for(settings, "https://bot.example.com")
    assert config.url == "https://bot.example.com/telegram" and config.path == "telegram"
    assert (config.secret, config.worker_id, config.port) == ("s3cret", "eu-1", 8443)
    other = config_for(settings, "https://x.cn/a/b", listen="127.0.0.1", port=9001)
    assert (other.path, other.listen, other.port) == ("a/b", "127.0.0.1", 9001)


@pytest.mark.parametrize("secret", [None, "", "has space", "x" * 257])
def test_webhook_mode_needs_a_valid_shared_secret(
    bot_settings: Settings, secret: str | None
) -> None:
    settings = bot_settings.model_copy(
        update={"webhook_secret": SecretStr(secret) if secret is not None else None}
    )
    with pytest.raises(MissingWebhookSecret, match="ZHAIYAO_WEBHOOK_SECRET"):
        config_for(settings, "https://bot.example.com")
