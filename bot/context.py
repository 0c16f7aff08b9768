"""The one context object: :class:`ZhaiyaoContext`, PTB's ``context_types`` pattern.

``build_application`` creates the Application with :data:`CONTEXT_TYPES`, so every handler,
error handler and job gets a :class:`ZhaiyaoContext` (a ``CallbackContext`` subclass) and
``context.bot_data`` is a :class:`BotData`. Handlers reach services as typed attributes::

    context.news         # NewsService          context.users     # UserRepository
    context.settings     # Settings             context.admin     # AdminService
    context.digests      # DigestRuntime (digest and feed services)

and what belongs to the update, loaded once (PTB builds one context per update and hands
it to every handler group that handles it, so the gates, the rate limit and the chat
handler share it)::

    await context.prefs()    # the user's row (None: a user we have not stored)
    await context.lang()     # the reply language: /lang wins over Telegram's language_code
    await context.request()  # what the message asks for (links / pasted text / a hint)

Services are built in ``post_init`` (core: :class:`Services`; each feature's own in its
module's ``post_init``) and dropped in ``post_shutdown``; reading one outside that window
raises :class:`ServicesNotReady`. Feature services do not import this module (it imports
them), so the dependency runs handlers → context → services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from telegram import Message, Update
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.articles.request import ArticleRequest, RateLimiter, article_request, is_group
from bot.errors import ServicesNotReady
from bot.settings import Settings
from bot.texts import Lang, normalise_lang
from storage.errors import NotFound
from storage.subscriptions import utcnow

if TYPE_CHECKING:
    from bot.admin.alerts import ErrorAlerts
    from bot.admin.service import AdminService
    from bot.articles.service import NewsService
    from bot.digests.runtime import DigestRuntime
    from storage.articles import ArticleRepository
    from storage.db import Database
    from storage.requests import RequestLog
    from storage.users import ChatPrefs, UserPrefs, UserRepository

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Services:
    """The core services every feature uses; built once in ``post_init``."""

    settings: Settings
    db: Database
    news: NewsService
    articles: ArticleRepository
    users: UserRepository
    requests: RequestLog


def _ready(value: T | None, what: str) -> T:
    if value is None:
        raise ServicesNotReady(what)
    return value


class BotData:
    """The Application's ``bot_data``: one typed slot per service, no string keys.

    ``settings`` and ``rate_limiter`` are set by ``build_application``; ``services`` by
    ``bot.app.post_init``; ``admin``/``alerts`` and ``digests`` by the admin and digest
    features' ``post_init``. ``clock`` is the digest/feed clock (tests set their own before
    start-up to move time)."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._services: Services | None = None
        self._rate_limiter: RateLimiter | None = None
        self.admin_service: AdminService | None = None
        self.alerts: ErrorAlerts | None = None
        self.digest_runtime: DigestRuntime | None = None
        self.clock: Callable[[], datetime] = utcnow

    @property
    def settings(self) -> Settings:
        return _ready(self._settings, "settings are set by build_application")

    @settings.setter
    def settings(self, value: Settings) -> None:
        self._settings = value

    @property
    def services(self) -> Services:
        return _ready(self._services, "services are created in post_init")

    @services.setter
    def services(self, value: Services | None) -> None:
        self._services = value

    @property
    def ready(self) -> bool:
        return self._services is not None

    @property
    def rate_limiter(self) -> RateLimiter:
        return _ready(self._rate_limiter, "the rate limiter is set by build_application")

    @rate_limiter.setter
    def rate_limiter(self, value: RateLimiter) -> None:
        self._rate_limiter = value

    @property
    def admin(self) -> AdminService:
        return _ready(self.admin_service, "the admin feature starts its service in post_init")

    @property
    def digests(self) -> DigestRuntime:
        return _ready(self.digest_runtime, "the digest feature starts its runtime in post_init")


def reader_lang(prefs: UserPrefs | None, language_code: str | None) -> Lang:
    """A reader's language: their /lang, else Telegram's language_code (stored, else the
    update's), else zh."""
    if prefs is None:
        return normalise_lang(language_code)
    return prefs.lang or normalise_lang(prefs.language_code or language_code)


class _Unset:
    pass


_UNSET: Any = _Unset()


class ZhaiyaoContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """PTB's ``CallbackContext`` with Zhaiyao's services and per-update state (see the
    module docstring)."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.telegram_update: Update | None = None
        self._prefs: UserPrefs | None = _UNSET
        self._chat_prefs: ChatPrefs | None = _UNSET
        self._request: tuple[Message, ArticleRequest | None] | None = None

    @classmethod
    def from_update(
        cls, update: object, application: Application[Any, Any, Any, Any, Any, Any]
    ) -> ZhaiyaoContext:
        context = super().from_update(update, application)
        context.telegram_update = update if isinstance(update, Update) else None
        return context

    @property
    def application(self) -> BotApp:  # type: ignore[override]  # ST is this class
        return cast("BotApp", super().application)

    # -- services ----------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    @property
    def services(self) -> Services:
        return self.bot_data.services

    @property
    def news(self) -> NewsService:
        return self.bot_data.services.news

    @property
    def users(self) -> UserRepository:
        return self.bot_data.services.users

    @property
    def admin(self) -> AdminService:
        return self.bot_data.admin

    @property
    def digests(self) -> DigestRuntime:
        return self.bot_data.digests

    # -- the update's own state, loaded once ----------------------------------------------
    async def prefs(self) -> UserPrefs | None:
        """The user's stored preferences (``None``: no user, or one we have not stored)."""
        if self._prefs is _UNSET:
            user = self.telegram_update.effective_user if self.telegram_update else None
            try:
                self._prefs = await self.users.get_user(user.id) if user else None
            except NotFound:
                self._prefs = None
        return self._prefs

    def forget_prefs(self) -> None:
        """The user's row changed (/lang, /summary): read it again when asked."""
        self._prefs = _UNSET

    def tracked(self, language_code: str | None) -> None:
        """The user's row was just upserted with the update's language_code: prefs read
        before that (rare: only a handler ahead of the tracking group reads them) are read
        again if the language_code they hold is now out of date."""
        prefs = self._prefs
        if prefs is _UNSET or prefs is None or not language_code:
            return
        if prefs.language_code != language_code:
            self._prefs = _UNSET

    async def lang(self) -> Lang:
        """The reply language: the user's /lang, else Telegram's language_code, else zh."""
        user = self.telegram_update.effective_user if self.telegram_update else None
        if user is None:
            return "zh"
        return reader_lang(await self.prefs(), user.language_code)

    async def summary_sentences(self) -> int:
        prefs = await self.prefs()
        return prefs.summary_sentences if prefs and prefs.summary_sentences else 3

    async def auto_mode(self) -> bool:
        """Whether this group turned auto mode on (read once per update)."""
        chat = self.telegram_update.effective_chat if self.telegram_update else None
        if chat is None:
            return False
        if self._chat_prefs is _UNSET:
            try:
                self._chat_prefs = await self.users.get_chat(chat.id)
            except NotFound:
                self._chat_prefs = None
        return self._chat_prefs is not None and self._chat_prefs.auto_mode

    async def request(self, message: Message | None = None) -> ArticleRequest | None:
        """What the update's message asks for (``None``: nothing for us), classified once."""
        if message is None and self.telegram_update is not None:
            message = self.telegram_update.effective_message
        if message is None:
            return None
        if self._request is None or self._request[0] is not message:
            auto = is_group(message) and await self.auto_mode()
            found = article_request(
                message,
                bot_username=self.bot.username,
                bot_id=self.bot.id,
                auto_mode=auto,
                max_links=self.settings.max_links_per_message,
            )
            self._request = (message, found)
        return self._request[1]


Context = ZhaiyaoContext
BotApp = Application[
    ExtBot[None], ZhaiyaoContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[ZhaiyaoContext]
]
CONTEXT_TYPES: ContextTypes[ZhaiyaoContext, dict[Any, Any], dict[Any, Any], BotData] = ContextTypes(
    context=ZhaiyaoContext, bot_data=BotData
)
