"""Errors of the Telegram side, and the one application error handler.

Class tree::

    BotError                  base
    ├── MissingToken          ``zhaiyao run`` without ZHAIYAO_TELEGRAM_TOKEN
    ├── MissingWebhookSecret  ``zhaiyao run --webhook`` without ZHAIYAO_WEBHOOK_SECRET
    ├── ServicesNotReady      a handler ran before ``post_init`` (or after shutdown)
    ├── ScheduleError         what an admin typed is not a digest schedule (also a ValueError)
    └── CLIError              the command line's one error: a sentence and an exit status

A feed or OPML document that is not one is ``bot.feeds.poller.FeedFormatError``, a
``SummarizerError`` like every other refusal of a document (its reason shown in zh/en).

Expected failures (a blocked link, a page that is not an article) are ``SummarizerError``s
that handlers turn into one friendly sentence themselves. Anything else reaches
:func:`on_error`: logged with its traceback, the user told in their language, and the
traceback sent to the admin chat (through the admin feature's rate-limited ``ErrorAlerts``
when it is installed).
"""

from __future__ import annotations

import html
import logging
import traceback
from typing import TYPE_CHECKING, Any, Protocol

from bot.texts import Lang, normalise_lang, t

if TYPE_CHECKING:  # the error classes load without the Telegram library (the CLI's summarize)
    from telegram import Bot, Update

log = logging.getLogger("bot.errors")
TRACEBACK_CHARS = 3000


class BotError(Exception):
    pass


class ServicesNotReady(BotError, RuntimeError):
    """A handler ran before ``post_init`` (or after ``post_shutdown``)."""


class ScheduleError(BotError, ValueError):
    """What the admin typed is not a schedule; the message says what would be."""


EXIT_FAILED, EXIT_USAGE = 1, 2


class CLIError(BotError):
    """The command line's one error: a sentence for the terminal and an exit status
    (``bot.cli.main`` prints it as ``zhaiyao: …``; no class names, no traceback)."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


class Context(Protocol):
    """What :func:`on_error` uses of ``bot.context.ZhaiyaoContext`` (a protocol, so that
    the context module can import this one)."""

    @property
    def error(self) -> BaseException | None: ...
    @property
    def bot(self) -> Bot: ...
    @property
    def bot_data(self) -> Any: ...
    async def lang(self) -> Lang: ...


class MissingToken(BotError):
    def __init__(self) -> None:
        super().__init__(
            "No Telegram bot token: set ZHAIYAO_TELEGRAM_TOKEN (from @BotFather) in the "
            "environment or in a .env file, e.g. export ZHAIYAO_TELEGRAM_TOKEN=123456:ABC..."
        )


class MissingWebhookSecret(BotError):
    def __init__(self) -> None:
        super().__init__(
            "No webhook secret: set ZHAIYAO_WEBHOOK_SECRET (1-256 characters A-Z, a-z, 0-9, _ "
            "and -), the same for every worker; Telegram sends it with each update, e.g. "
            'export ZHAIYAO_WEBHOOK_SECRET="$(openssl rand -hex 32)"'
        )


async def on_error(update: object, context: Context) -> None:
    from telegram import Update
    from telegram.error import Forbidden, NetworkError

    error = context.error
    if error is None:
        return
    if isinstance(error, NetworkError | Forbidden) and not isinstance(update, Update):
        # polling hiccups and blocked users: PTB retries, nothing to tell anyone
        log.warning("Telegram: %s", error)
        return
    from bot.telegram.access_log import note

    note("error")
    log.error("unhandled error for update %r", update, exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        await _tell_user(update, context)
    await _alert_admins(update, error, context)


async def _tell_user(update: Update, context: Context) -> None:
    """The one sentence, in the user's chosen language, replying to their message."""
    from telegram.error import TelegramError

    from bot.telegram.send import send

    assert update.effective_chat is not None
    try:
        lang = await context.lang()
    except Exception:  # the database may be what failed: fall back to Telegram's language
        user = update.effective_user
        lang = normalise_lang(user.language_code if user else None)
    message = update.effective_message
    reply_to = message.message_id if message is not None else None
    try:
        await send(
            context.bot, update.effective_chat.id, t("internal_error", lang), reply_to=reply_to
        )
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)


async def _alert_admins(update: object, error: BaseException, context: Context) -> None:
    from telegram import Update
    from telegram.error import TelegramError

    where = None
    if isinstance(update, Update):
        chat = update.effective_chat
        where = f"update {update.update_id}, chat {chat.id if chat else '?'}"
    alerts = context.bot_data.alerts  # None: admin feature not started, send it ourselves
    if alerts is not None:
        await alerts.report(error, where)
        return
    admin_chat = context.bot_data.settings.admin_chat
    if admin_chat is None:
        return
    tb = "".join(traceback.format_exception(error))[-TRACEBACK_CHARS:]
    text = (
        f"⚠️ <b>{html.escape(type(error).__name__)}</b> ({html.escape(where or '-')})\n"
        f"<pre>{html.escape(tb)}</pre>"
    )
    try:
        await context.bot.send_message(admin_chat, text)
    except TelegramError:
        log.warning("could not send the traceback to the admin chat", exc_info=True)
