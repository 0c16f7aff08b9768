"""``build_application(settings)``: one PTB Application, every feature wired in.

Each feature has a folder (``articles``, ``digests``, ``feeds``, ``admin``) whose
``handlers.py`` is listed in :func:`handler_modules`. Each of those modules

- must define ``register(app)`` (add its handlers; called by ``build_application``);
- may define ``async post_init(app)`` / ``async post_shutdown(app)``, called after the core
  services are up (in list order) and before they close (in reverse order).

``post_init`` opens the database, builds the :class:`~bot.context.Services`, loads jieba and
the NER model once, and sets the command menus (private and group scopes, zh and en).
"""

from __future__ import annotations

import logging
import os
from types import ModuleType
from typing import Any, cast

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeDefault,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, Defaults, MessageHandler, filters
from telegram.request import HTTPXRequest

from bot.context import CONTEXT_TYPES, BotApp, Services
from bot.errors import MissingToken, on_error
from bot.settings import Settings
from bot.telegram.access_log import LoggedApplication
from bot.telegram.ratelimit import SharedRateLimiter
from bot.texts import COMMANDS, GROUP_COMMANDS
from bot.webhook.claims import ClaimAwareRequest

log = logging.getLogger(__name__)

# RetryAfter: the limiter waits and retries this often before giving up on a request.
RATE_LIMIT_RETRIES = 5
# PTB's 5 s read timeout is short for a busy 2-core host loading models beside the loop
TELEGRAM_TIMEOUT = 20.0


def handler_modules() -> list[ModuleType]:
    """The feature modules, in registration order (their handlers' order in group 0)."""
    from bot.admin import handlers as admin
    from bot.articles import handlers as articles
    from bot.digests import handlers as digests
    from bot.feeds import handlers as feeds

    return [articles, digests, feeds, admin]


def file_base_url(base_url: str) -> str:
    """Telegram serves files from ``.../file/bot<token>`` next to ``.../bot<token>``."""
    root, sep, _ = base_url.rstrip("/").rpartition("/bot")
    return f"{root}/file/bot" if sep else base_url.rstrip("/") + "/file/bot"


def public_commands(lang: str, *, group: bool = False) -> list[BotCommand]:
    """The command menu for one language (``group``: the subset useful in groups)."""
    index = 1 if lang == "en" else 0
    return [
        BotCommand(name, texts[index])
        for name, texts in COMMANDS.items()
        if not group or name in GROUP_COMMANDS
    ]


def build_application(settings: Settings, *, webhook: bool = False) -> BotApp:
    """The configured Application; raises :class:`MissingToken` without a token.

    ``webhook``: no Updater; :mod:`bot.webhook.worker` feeds it the updates it claims."""
    if settings.telegram_token is None or not settings.telegram_token.get_secret_value():
        raise MissingToken()
    # PTB 22 warns on every RetryAfter unless its timedelta API is opted into; we use none
    # of the affected attributes ourselves.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    builder = (
        ApplicationBuilder()
        .application_class(LoggedApplication)
        .token(settings.telegram_token.get_secret_value())
        .base_url(settings.telegram_base_url)
        .base_file_url(file_base_url(settings.telegram_base_url))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )
        )
        .rate_limiter(SharedRateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .request(
            ClaimAwareRequest(
                connection_pool_size=256,
                read_timeout=TELEGRAM_TIMEOUT,
                write_timeout=TELEGRAM_TIMEOUT,
            )
        )
        .get_updates_request(HTTPXRequest(connection_pool_size=1, read_timeout=TELEGRAM_TIMEOUT))
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(True)  # one slow page must not hold up other chats
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if webhook:
        builder = builder.updater(None)
    # the rate limiter makes the builder's bot ExtBot[int]; the app is what BotApp says
    app = cast(BotApp, builder.build())
    app.bot_data.settings = settings
    for module in handler_modules():
        module.register(app)
    # Last in group 0: a document no feature reads (a .pdf, an image file) still gets an answer.
    from bot.articles.handlers import unsupported_document

    app.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.Document.ALL, unsupported_document)
    )
    app.add_error_handler(on_error)
    return app


async def open_services(settings: Settings) -> Services:
    """Database, repositories and the NewsService (also used by the CLI)."""
    from bot.articles.service import NewsService
    from bot.settings import store_url
    from storage.articles import ArticleRepository
    from storage.db import connect
    from storage.requests import RequestLog
    from storage.users import UserRepository
    from summarizer.keywords import background_shares

    db = await connect(store_url(settings))
    articles = ArticleRepository(db, prior=background_shares)
    requests = RequestLog(db)
    news = NewsService(settings, articles, requests)
    return Services(settings, db, news, articles, UserRepository(db), requests)


async def close_services(services: Services) -> None:
    await services.news.close()
    await services.db.close()


def load_models(settings: Settings) -> None:
    """jieba's dictionary, its IDF table and the NER backend, once, before the first message."""
    from summarizer import warm_up

    warm_up(settings.ner_backend, settings.ner_model)


async def post_init(app: BotApp) -> None:
    settings = app.bot_data.settings
    app.bot_data.services = await open_services(settings)
    share_limits(app)
    import asyncio

    await asyncio.to_thread(load_models, settings)
    await set_commands(app)
    for module in handler_modules():
        hook = getattr(module, "post_init", None)
        if hook is not None:
            await hook(app)
    log.info("Zhaiyao ready as @%s", app.bot.username)


def share_limits(app: BotApp) -> None:
    """Telegram's limits counted where every worker sees them (see bot.telegram.ratelimit)."""
    from storage.buckets import buckets_for

    services = app.bot_data.services
    buckets = buckets_for(services.db, services.settings.redis_url)
    limiter = getattr(app.bot, "rate_limiter", None)
    if isinstance(limiter, SharedRateLimiter):
        limiter.use(buckets)
    app.bot_data.rate_limiter.use(buckets)  # the per-user article limit, too


async def post_shutdown(app: BotApp) -> None:
    for module in reversed(handler_modules()):
        hook = getattr(module, "post_shutdown", None)
        if hook is not None:
            await hook(app)
    if app.bot_data.ready:
        await close_services(app.bot_data.services)
        app.bot_data.services = None


async def set_commands(app: BotApp) -> None:
    """The command menus, per scope and language (retried: a flaky start must not stop
    the bot)."""
    from bot.telegram.send import retried

    bot: Any = app.bot

    async def set_menu(commands: list[BotCommand], scope: Any, code: str | None) -> None:
        await retried(
            lambda: bot.set_my_commands(commands, scope=scope, language_code=code),
            what="setMyCommands",
            idempotent=True,
        )

    for lang in ("zh", "en"):
        code = None if lang == "zh" else "en"
        await set_menu(public_commands(lang), BotCommandScopeAllPrivateChats(), code)
        await set_menu(public_commands(lang, group=True), BotCommandScopeAllGroupChats(), code)
        await set_menu(public_commands(lang), BotCommandScopeDefault(), code)
