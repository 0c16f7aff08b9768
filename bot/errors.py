"""Errors of the Telegram side, and the one application error handler.

Class tree::

    BotError                base
    ├── MissingToken        ``zhaiyao run`` without ZHAIYAO_TELEGRAM_TOKEN
    └── MissingWebhookSecret  ``zhaiyao run --webhook`` without ZHAIYAO_WEBHOOK_SECRET

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
from typing import TYPE_CHECKING

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError

from bot.texts import normalise_lang, t

if TYPE_CHECKING:
    from bot.context import Context

log = logging.getLogger("bot.errors")
TRACEBACK_CHARS = 3000


class BotError(Exception):
    pass


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
