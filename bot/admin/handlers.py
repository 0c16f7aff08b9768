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
from bot.admin.files import AdminFile
from bot.admin.gates import BAN_GROUP, QUOTA_GROUP, ban_gate, quota_gate
from bot.admin.service import AnyBotApp, admin_service, start_admin_service
from bot.admin.text import feeds_text, too_large_text
from bot.context import Context
from bot.telegram.send import retried
from bot.telegram.split import utf16_len
from storage.errors import NotFound

#: (command, description) — registered with set_my_commands in each admin's private chat.
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("stats", "统计 · users, chats, articles, requests, latency"),
    ("user", "用户 · /user ID: history, quota, ban state"),
    ("ban", "封禁 · /ban ID [reason]"),
    ("unban", "解封 · /unban ID"),
    ("allow", "白名单 · /allow ID"),
    ("allowonly", "仅白名单 · /allowonly on|off"),
    ("quota", "配额 · /quota ID N|off (articles a day)"),
    ("broadcast", "广播 · /broadcast [users|chats] TEXT"),
    ("purge", "删除文章 · /purge ARTICLE_ID"),
    ("reindex", "重建索引 · /reindex"),
    ("export", "导出 · articles + request log (gzip JSONL)"),
    ("backup", "备份 · SQLite backup file"),
    ("feeds", "订阅源 · all feeds with health"),
    ("health", "状态 · uptime, versions, queue, last errors"),
    ("audit", "审计 · /audit [N]"),
)
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
    assert update.effective_message is not None
    await update.effective_message.reply_text(text)


def _int_arg(context: Context, index: int = 0) -> int | None:
    try:
        return int(context.args[index]) if context.args else None
    except (ValueError, IndexError):
        return None


def _usage(command: str) -> str:
    usage = dict(ADMIN_COMMANDS)[command].split(" · ", 1)[-1]
    return f"用法 usage: {html.escape(usage)}"


def _admin_id(update: Update) -> int:
    assert update.effective_user is not None
    return update.effective_user.id


async def stats(update: Update, context: Context) -> None:
    await _reply(update, await admin_service(context.application).stats_text())


async def user(update: Update, context: Context) -> None:
    user_id = _int_arg(context)
    if user_id is None:
        return await _reply(update, _usage("user"))
    text = await admin_service(context.application).user_text(_admin_id(update), user_id)
    await _reply(update, text)


async def ban(update: Update, context: Context) -> None:
    user_id = _int_arg(context)
    if user_id is None:
        return await _reply(update, _usage("ban"))
    reason = " ".join(context.args[1:]) or None if context.args else None
    await admin_service(context.application).ban(_admin_id(update), user_id, reason)
    await _reply(update, f"已封禁 banned {user_id}")


async def unban(update: Update, context: Context) -> None:
    user_id = _int_arg(context)
    if user_id is None:
        return await _reply(update, _usage("unban"))
    was = await admin_service(context.application).unban(_admin_id(update), user_id)
    await _reply(update, f"已解封 unbanned {user_id}" if was else f"{user_id} 未被封禁 not banned")


async def allow(update: Update, context: Context) -> None:
    user_id = _int_arg(context)
    if user_id is None:
        return await _reply(update, _usage("allow"))
    await admin_service(context.application).allow(_admin_id(update), user_id)
    await _reply(update, f"已加入白名单 allowlisted {user_id}")


async def allowonly(update: Update, context: Context) -> None:
    arg = context.args[0].casefold() if context.args else ""
    if arg not in ("on", "off"):
        return await _reply(update, _usage("allowonly"))
    await admin_service(context.application).set_allow_only(_admin_id(update), arg == "on")
    await _reply(update, f"仅白名单模式 allow-only mode: {arg}")


async def quota(update: Update, context: Context) -> None:
    user_id = _int_arg(context)
    raw = context.args[1].casefold() if context.args and len(context.args) > 1 else ""
    limit = None if raw in ("off", "none") else _int_arg(context, 1)
    if user_id is None or (limit is None and raw not in ("off", "none")) or (limit or 0) < 0:
        return await _reply(update, _usage("quota"))
    await admin_service(context.application).set_quota(_admin_id(update), user_id, limit)
    shown = "unlimited" if limit is None else f"{limit}/day"
    await _reply(update, f"配额 quota of {user_id}: {shown}")


async def purge(update: Update, context: Context) -> None:
    article_id = _int_arg(context)
    if article_id is None:
        return await _reply(update, _usage("purge"))
    try:
        await admin_service(context.application).purge(_admin_id(update), article_id)
    except NotFound:
        return await _reply(update, f"没有文章 no article {article_id}")
    await _reply(update, f"已删除 purged article {article_id}")


async def reindex(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    note = await update.effective_message.reply_text("重建索引 reindexing…")
    progress = broadcasting.ThrottledEdit(note)
    done = await admin_service(context.application).reindex(_admin_id(update), progress.update)
    await progress.flush()
    await note.edit_text(f"重建索引完成 reindexed {done} articles")


async def export(update: Update, context: Context) -> None:
    file = await admin_service(context.application).export(_admin_id(update))
    await _send_or_keep(update, file)


async def backup(update: Update, context: Context) -> None:
    file = await admin_service(context.application).backup(_admin_id(update))
    await _send_or_keep(update, file)


async def _send_or_keep(update: Update, file: AdminFile) -> None:
    """Send an export or backup as a document, then remove it; one too large for
    Telegram stays on the server, and the reply says where."""
    assert update.effective_message is not None
    if not file.sendable:
        return await _reply(update, too_large_text(file))
    try:
        await update.effective_message.reply_document(file.path, filename=file.path.name)
    finally:
        file.path.unlink(missing_ok=True)


async def feeds(update: Update, context: Context) -> None:
    await _reply(update, feeds_text(await admin_service(context.application).all_feeds()))


async def health(update: Update, context: Context) -> None:
    app = context.application
    text = await admin_service(app).health_text(queue_depth=app.update_queue.qsize())
    await _reply(update, text)


async def audit(update: Update, context: Context) -> None:
    limit = min(max(_int_arg(context) or 20, 1), 100)
    await _reply(update, await admin_service(context.application).audit_text(limit))


async def broadcast(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    parsed = broadcasting.parse_command(update.effective_message)
    if parsed is None:
        return await _reply(update, _usage("broadcast"))
    audience, text = parsed
    if utf16_len(text) > MAX_BROADCAST_CHARS:  # one message each: no splitting a broadcast
        return await _reply(update, f"太长 too long: at most {MAX_BROADCAST_CHARS} characters")
    service = admin_service(context.application)
    bid = await service.draft_broadcast(_admin_id(update), text, audience)
    count = len(await service.recipients(audience))
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(f"✅ 发送 send ({count})", callback_data=f"adm:bc:go:{bid}"),
                InlineKeyboardButton("✖️ 取消 cancel", callback_data=f"adm:bc:no:{bid}"),
            ]
        ]
    )
    await update.effective_message.reply_text(
        f"📣 预览 preview → {audience} ({count})\n\n{text}", reply_markup=buttons
    )


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


def bot_commands() -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in ADMIN_COMMANDS]


async def set_admin_commands(app: AnyBotApp) -> None:
    """Each admin's private chat gets the regular private-chat commands plus these.

    A chat scope replaces the broader scopes for that chat, so the regular list (as
    ``post_init`` registered it, per language) is read back and extended.
    """
    extra = bot_commands()
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
            await set_menu([*base, *extra], admin_id, lang)


async def post_init(app: AnyBotApp) -> None:
    """Called by bot.app's post_init once the database is open and menus are set."""
    start_admin_service(app)
    await set_admin_commands(app)


async def resume_broadcasts(context: Context) -> None:
    """Start-up job (the app must be running for its background tasks to be awaited)."""
    resumed = await broadcasting.resume_unfinished(context.application)
    if resumed:
        log.info("resumed broadcasts %s", resumed)


def register(app: AnyBotApp) -> None:
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
