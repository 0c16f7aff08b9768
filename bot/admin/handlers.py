"""Admin commands. Every handler here sits behind ONE filter built from
``settings.admin_ids``: for anyone else the command is not ours, so it falls through to
whatever the bot answers for an unknown command and nothing is revealed.

The gates (bans and allow-only first of all, quotas before ingest) are in
:mod:`bot.admin.gates`; the work itself is in :class:`bot.admin.service.AdminService`,
which audits every action.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, TypeHandler, filters

from bot.admin import broadcasting
from bot.admin.alerts import ErrorAlerts
from bot.admin.files import AdminFile
from bot.admin.gates import BAN_GROUP, QUOTA_GROUP, ban_gate, quota_gate
from bot.admin.service import AdminService
from bot.admin.text import feeds_text, too_large_text
from bot.context import BotApp, Context
from bot.telegram.progress import ThrottledEdit
from bot.telegram.send import edit, reply, retried
from bot.telegram.split import utf16_len
from bot.texts import ADMIN_COMMANDS, ADMIN_USAGE, Lang, t
from storage.errors import NotFound

log = logging.getLogger(__name__)
#: Telegram's 4096 minus room for the preview's header line.
MAX_BROADCAST_CHARS = 3900
CALLBACK_PREFIX = "adm:bc:"
_CALLBACK = re.compile(rf"^{CALLBACK_PREFIX}(go|no):(\d+)$")


def admin_filter(admin_ids: list[int], admin_chat: int | None) -> filters.BaseFilter:
    """The one gate for admin commands: an admin, in a private chat or the admin chat."""
    where: filters.BaseFilter = filters.ChatType.PRIVATE
    if admin_chat is not None:
        where = where | filters.Chat(chat_id=admin_chat)
    return filters.User(user_id=admin_ids) & where


class AdminCallbackHandler(CallbackQueryHandler[Context, None]):
    """Callback buttons have no message filter; the same admin ids gate them here."""

    def __init__(self, admin_ids: list[int]) -> None:
        super().__init__(broadcasting.on_button, pattern=_CALLBACK)
        self.admin_ids = frozenset(admin_ids)

    def check_update(self, update: object) -> bool | object | None:
        if not isinstance(update, Update) or update.effective_user is None:
            return None
        if update.effective_user.id not in self.admin_ids:
            return None
        return super().check_update(update)


async def _reply(update: Update, text: str) -> None:
    message = update.effective_message
    assert message is not None
    await reply(message.get_bot(), message, text)


def _int_arg(context: Context, index: int = 0) -> int | None:
    try:
        return int(context.args[index]) if context.args else None
    except (ValueError, IndexError):
        return None


def _usage(command: str, lang: Lang) -> str:
    return t("adm_usage", lang, usage=html.escape(ADMIN_USAGE[command]))


def _admin_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


async def stats(update: Update, context: Context) -> None:
    await _reply(update, await context.admin.stats_text(await context.lang()))


async def user(update: Update, context: Context) -> None:
    user_id, lang = _int_arg(context), await context.lang()
    if user_id is None:
        return await _reply(update, _usage("user", lang))
    text = await context.admin.user_text(_admin_id(update), user_id, lang)
    await _reply(update, text)


async def ban(update: Update, context: Context) -> None:
    user_id, lang = _int_arg(context), await context.lang()
    if user_id is None:
        return await _reply(update, _usage("ban", lang))
    reason = " ".join(context.args[1:]) or None if context.args else None
    await context.admin.ban(_admin_id(update), user_id, reason)
    await _reply(update, t("adm_banned", lang, user=user_id))


async def unban(update: Update, context: Context) -> None:
    user_id, lang = _int_arg(context), await context.lang()
    if user_id is None:
        return await _reply(update, _usage("unban", lang))
    was = await context.admin.unban(_admin_id(update), user_id)
    await _reply(update, t("adm_unbanned" if was else "adm_not_banned", lang, user=user_id))


async def allow(update: Update, context: Context) -> None:
    user_id, lang = _int_arg(context), await context.lang()
    if user_id is None:
        return await _reply(update, _usage("allow", lang))
    await context.admin.allow(_admin_id(update), user_id)
    await _reply(update, t("adm_allowlisted", lang, user=user_id))


async def allowonly(update: Update, context: Context) -> None:
    arg, lang = context.args[0].casefold() if context.args else "", await context.lang()
    if arg not in ("on", "off"):
        return await _reply(update, _usage("allowonly", lang))
    await context.admin.set_allow_only(_admin_id(update), arg == "on")
    await _reply(update, t("adm_allow_only", lang, state=t(arg, lang)))


async def quota(update: Update, context: Context) -> None:
    user_id, lang = _int_arg(context), await context.lang()
    raw = context.args[1].casefold() if context.args and len(context.args) > 1 else ""
    limit = None if raw in ("off", "none") else _int_arg(context, 1)
    if user_id is None or (limit is None and raw not in ("off", "none")) or (limit or 0) < 0:
        return await _reply(update, _usage("quota", lang))
    await context.admin.set_quota(_admin_id(update), user_id, limit)
    shown = t("adm_unlimited", lang) if limit is None else t("adm_per_day", lang, n=limit)
    await _reply(update, t("adm_quota_set", lang, user=user_id, shown=shown))


async def purge(update: Update, context: Context) -> None:
    article_id, lang = _int_arg(context), await context.lang()
    if article_id is None:
        return await _reply(update, _usage("purge", lang))
    try:
        await context.admin.purge(_admin_id(update), article_id)
    except NotFound:
        return await _reply(update, t("adm_no_article", lang, id=article_id))
    await _reply(update, t("adm_purged", lang, id=article_id))


async def reindex(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    lang = await context.lang()
    (note,) = await reply(context.bot, update.effective_message, t("adm_reindexing", lang))
    progress = ThrottledEdit(note, t("adm_reindex_progress", lang))
    done = await context.admin.reindex(_admin_id(update), progress.update)
    await progress.flush()
    await edit(context.bot, note, t("adm_reindexed", lang, n=done))


async def export(update: Update, context: Context) -> None:
    file = await context.admin.export(_admin_id(update))
    await _send_or_keep(update, file, await context.lang())


async def backup(update: Update, context: Context) -> None:
    file = await context.admin.backup(_admin_id(update))
    await _send_or_keep(update, file, await context.lang())


async def _send_or_keep(update: Update, file: AdminFile, lang: Lang) -> None:
    """Send an export or backup as a document, then remove it; one too large for
    Telegram stays on the server, and the reply says where."""
    assert update.effective_message is not None
    if not file.sendable:
        return await _reply(update, too_large_text(file, lang))
    try:
        await update.effective_message.reply_document(file.path, filename=file.path.name)
    finally:
        file.path.unlink(missing_ok=True)


async def feeds(update: Update, context: Context) -> None:
    await _reply(update, feeds_text(await context.admin.all_feeds(), await context.lang()))


async def health(update: Update, context: Context) -> None:
    app = context.application
    lang = await context.lang()
    text = await context.admin.health_text(lang, queue_depth=app.update_queue.qsize())
    await _reply(update, text)


async def audit(update: Update, context: Context) -> None:
    limit = min(max(_int_arg(context) or 20, 1), 100)
    await _reply(update, await context.admin.audit_text(await context.lang(), limit))


async def broadcast(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    lang = await context.lang()
    parsed = broadcasting.parse_command(update.effective_message)
    if parsed is None:
        return await _reply(update, _usage("broadcast", lang))
    audience, text = parsed
    if utf16_len(text) > MAX_BROADCAST_CHARS:  # one message each: no splitting a broadcast
        return await _reply(update, t("adm_too_long", lang, n=MAX_BROADCAST_CHARS))
    service = context.admin
    bid = await service.draft_broadcast(_admin_id(update), text, audience)
    count = len(await service.recipients(audience))
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("adm_bc_send", lang, n=count), callback_data=f"adm:bc:go:{bid}"
                ),
                InlineKeyboardButton(t("adm_bc_cancel", lang), callback_data=f"adm:bc:no:{bid}"),
            ]
        ]
    )
    preview = t("adm_bc_preview", lang, audience=audience, n=count, text=text)
    await reply(context.bot, update.effective_message, preview, markup=buttons)


_COMMANDS = {
    "stats": stats,
    "user": user,
    "ban": ban,
    "unban": unban,
    "allow": allow,
    "allowonly": allowonly,
    "quota": quota,
    "broadcast": broadcast,
    "purge": purge,
    "reindex": reindex,
    "export": export,
    "backup": backup,
    "feeds": feeds,
    "health": health,
    "audit": audit,
}


def bot_commands(lang: Lang) -> list[BotCommand]:
    index = 1 if lang == "en" else 0
    return [BotCommand(name, texts[index]) for name, texts in ADMIN_COMMANDS.items()]


async def set_admin_commands(app: BotApp) -> None:
    """Each admin's private chat gets the regular private-chat commands plus these.

    A chat scope replaces the broader scopes for that chat, so the regular list (as
    ``post_init`` registered it, per language) is read back and extended.
    """
    private = BotCommandScopeAllPrivateChats()
    bot = app.bot

    async def menu(scope: Any, code: str | None) -> list[BotCommand]:
        found = await retried(
            lambda: bot.get_my_commands(scope=scope, language_code=code),
            what="getMyCommands",
            idempotent=True,
        )
        return list(found)

    async def set_menu(commands: list[BotCommand], chat_id: int, code: str | None) -> None:
        await retried(
            lambda: bot.set_my_commands(
                commands, scope=BotCommandScopeChat(chat_id), language_code=code
            ),
            what="setMyCommands",
            idempotent=True,
        )

    for lang in (None, "en"):  # the languages bot.app registers (None: Chinese, the default)
        base = await menu(private, lang) or await menu(None, lang)
        for admin_id in app.bot_data.settings.admin_ids:
            await set_menu([*base, *bot_commands(lang or "zh")], admin_id, lang)


def start_admin_service(app: BotApp) -> AdminService:
    """Build the running bot's AdminService (once the core services are open) and keep it,
    and its ErrorAlerts for the bot's error handler, in the typed ``bot_data``."""
    services = app.bot_data.services
    settings = services.settings

    async def send(chat_id: int, text: str) -> object:
        return await app.bot.send_message(chat_id, text)

    alerts = ErrorAlerts(settings.admin_chat, send)
    service = AdminService(
        services.db,
        admin_ids=frozenset(settings.admin_ids),
        alerts=alerts,
        max_links_per_message=settings.max_links_per_message,
        keep_dir=settings.db.resolve().parent / "exports",  # beside the data, which persists
    )
    app.bot_data.admin_service, app.bot_data.alerts = service, alerts
    return service


async def post_init(app: BotApp) -> None:
    """Called by bot.app's post_init once the database is open and menus are set."""
    start_admin_service(app)
    await set_admin_commands(app)


async def resume_broadcasts(context: Context) -> None:
    """Start-up job (the app must be running for its background tasks to be awaited)."""
    resumed = await broadcasting.resume_unfinished(context.application)
    if resumed:
        log.info("resumed broadcasts %s", resumed)


def register(app: BotApp) -> None:
    settings = app.bot_data.settings
    app.add_handler(TypeHandler(Update, ban_gate), group=BAN_GROUP)
    app.add_handler(TypeHandler(Update, quota_gate), group=QUOTA_GROUP)
    only_admins = admin_filter(settings.admin_ids, settings.admin_chat)
    for name, callback in _COMMANDS.items():
        app.add_handler(CommandHandler(name, callback, filters=only_admins))
    app.add_handler(AdminCallbackHandler(settings.admin_ids))
    if app.job_queue is not None:
        # Scheduled now, run once the app is running; post_init (models) may take longer
        # than APScheduler's default grace period, so the job must never count as missed.
        app.job_queue.run_once(
            resume_broadcasts,
            0,
            name="admin-resume-broadcasts",
            job_kwargs={"misfire_grace_time": None},
        )
