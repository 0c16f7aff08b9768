"""The one settings object: environment variables with the ``ZHAIYAO_`` prefix and an
optional ``.env`` file, validated when ``Settings()`` is built (never at import)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_BASE_URL = "https://api.telegram.org/bot"


def default_db_path() -> Path:
    """``$XDG_DATA_HOME/zhaiyao/zhaiyao.db`` (``~/.local/share`` when unset)."""
    import os

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "zhaiyao" / "zhaiyao.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ZHAIYAO_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    telegram_token: SecretStr | None = Field(
        default=None, description="Bot token from @BotFather (required for `zhaiyao run`)."
    )
    telegram_base_url: str = Field(
        default=DEFAULT_BASE_URL,
        description="Bot API base URL; point it at a loopback server for tests.",
    )
    db: Path = Field(default_factory=default_db_path, description="SQLite database file.")
    database_url: str | None = Field(
        default=None,
        description="`sqlite:///path` or `postgresql://user@host/db`; overrides `ZHAIYAO_DB`.",
    )
    redis_url: str | None = Field(
        default=None,
        description="`redis://host:6379/0`: rate limits shared by several workers live there"
        " (else in PostgreSQL; in the process on SQLite).",
    )
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Comma-separated Telegram user ids of bot admins."
    )
    admin_chat: int | None = Field(default=None, description="Chat id that receives errors.")
    fetch_allow_private: bool = Field(
        default=False,
        description="Allow loopback/private addresses. For tests only, never in production.",
    )
    fetch_timeout: float = Field(default=20.0, gt=0, description="Total fetch time limit (s).")
    fetch_max_bytes: int = Field(
        default=5_000_000, gt=0, description="Cap on the decoded page size (bytes)."
    )
    ner_backend: str = Field(default="model", description="`model` (shipped) or `jieba`.")
    ner_model: str | None = Field(
        default=None, description="Path or id of a Hugging Face token-classification model."
    )
    rate_limit_per_minute: int = Field(default=10, ge=1, description="Articles per user a minute.")
    max_links_per_message: int = Field(default=3, ge=1, description="Links read per message.")
    summary_chars: int = Field(
        default=200,
        ge=40,
        description="Summary length on a card, in Chinese characters"
        " (Latin-script articles get three times as many).",
    )
    feed_poll_minutes: int = Field(
        default=15,
        ge=1,
        description="Minutes between polls of each news feed (doubles on failure).",
    )
    webhook_listen: str = Field(default="0.0.0.0", description="Webhook listening address.")
    webhook_port: int = Field(default=8443, description="Webhook listening port.")
    webhook_secret: SecretStr | None = Field(
        default=None,
        description="Webhook secret token (required with --webhook; the same for every worker).",
    )
    worker_id: str | None = Field(
        default=None, description="This worker's name in the logs (default: hostname:pid)."
    )

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value


def store_url(settings: Settings) -> str:
    """The store the bot opens: ``ZHAIYAO_DATABASE_URL``, else the ``ZHAIYAO_DB`` file."""
    return settings.database_url or f"sqlite:///{settings.db}"
