"""Typed ``bot_data``: how services reach handlers (PTB's ``contexttypesbot.py`` pattern).

``build_application`` creates the Application with :data:`CONTEXT_TYPES`; ``post_init``
opens the database and fills :class:`BotData` with a :class:`Services`; ``post_shutdown``
closes them. Handlers then write ``context.bot_data.services.news`` — typed, no string keys.

Other features (digest, admin) keep their own service objects here too, keyed by type::

    context.bot_data.add(DigestService(...))        # in their post_init hook
    digests = context.bot_data.get(DigestService)   # in a handler
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.articles.service import NewsService
    from storage.articles import ArticleRepository
    from storage.db import Database
    from storage.requests import RequestLog
    from storage.users import UserRepository

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a chat handler needs; built once in ``post_init``."""

    settings: Settings
    db: Database
    news: NewsService
    articles: ArticleRepository
    users: UserRepository
    requests: RequestLog


class ServicesNotReady(RuntimeError):
    """A handler ran before ``post_init`` (or after ``post_shutdown``)."""


class BotData:
    """The Application's ``bot_data``: settings from the start, services after post_init."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._services: Services | None = None
        self._extra: dict[type[Any], Any] = {}

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            raise ServicesNotReady("settings are set by build_application")
        return self._settings

    @settings.setter
    def settings(self, value: Settings) -> None:
        self._settings = value

    @property
    def services(self) -> Services:
        if self._services is None:
            raise ServicesNotReady("services are created in post_init")
        return self._services

    @services.setter
    def services(self, value: Services | None) -> None:
        self._services = value

    @property
    def ready(self) -> bool:
        return self._services is not None

    def add(self, service: object) -> None:
        """Keep another feature's service object, retrievable by its type."""
        self._extra[type(service)] = service

    def get(self, kind: type[T]) -> T:
        try:
            found: T = self._extra[kind]
        except KeyError:
            raise ServicesNotReady(f"{kind.__name__} was not added to bot_data") from None
        return found

    def discard(self, kind: type[Any]) -> None:
        self._extra.pop(kind, None)


Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
BotApp = Application[
    ExtBot[None], Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Context]
]
CONTEXT_TYPES: ContextTypes[Context, dict[Any, Any], dict[Any, Any], BotData] = ContextTypes(
    bot_data=BotData
)
