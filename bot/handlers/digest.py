"""/digest and /channel: schedule digests for a group, a private chat or a channel.

``/digest daily 08:00|every 6h|weekly mon 09:00|off|now|settings`` in a group (chat admins
only, checked with getChatMember) or a private chat. A channel is configured from a private
chat with ``/channel add @name [schedule]`` (or ``/channel add`` then forwarding one of its
posts): the bot and the user must both be its administrators. When the bot leaves a chat its
subscription stops and the chat is marked gone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import (
    Bot,
    Chat,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageOriginChannel,
    Update,
)
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotApp, Context, ServicesNotReady
from bot.digest_runtime import DigestClock, DigestRuntime
from bot.render import escape
from bot.schedule import HELP, ScheduleError, parse_schedule, zone_for
from bot.texts import normalise_lang
from storage.subscriptions import ChatKind, Subscription, utcnow

ADMIN_STATUSES = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})
CALLBACK = "dg"
COUNTS = (5, 10, 20)
LENGTHS = (60, 120, 200)
ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Europe/London",
    "America/New_York",
    "UTC",
)
FORWARD_GROUP = -5  # before rate limits (-2) and the chat handlers (0) read the post
COMMANDS = {
    "digest": ("群组/私聊定时摘要", "Scheduled digest for this chat"),
    "channel": ("为频道设置摘要（私聊）", "Set up a channel digest (private chat)"),
}
MEMBER_GROUP = 7
FORWARD_WAIT = timedelta(
    minutes=10
)  # its own group so other modules' my_chat_member handlers still run


def say(update: Update, zh: str, en: str) -> str:
    user = update.effective_user
    return en if normalise_lang(user.language_code if user else None) == "en" else zh


async def is_admin(bot: Bot, chat_id: int, user_id: int) -> bool:
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except (BadRequest, Forbidden):
        return False
    return member.status in ADMIN_STATUSES


async def may_configure(update: Update, context: Context) -> bool:
    """Private chats configure themselves; in groups only chat admins (incl. anonymous)."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or chat.type == Chat.PRIVATE:
        return True
    if message is not None and message.sender_chat and message.sender_chat.id == chat.id:
        return True  # an anonymous admin posting as the group
    return user is not None and await is_admin(context.bot, chat.id, user.id)


def _kind(chat: Chat) -> ChatKind:
    if chat.type == Chat.CHANNEL:
        return "channel"
    return "private" if chat.type == Chat.PRIVATE else "group"


def describe(update: Update, sub: Subscription) -> str:
    when = (
        sub.next_run_at.astimezone(zone_for(sub.tz)).strftime("%Y-%m-%d %H:%M")
        if (sub.next_run_at)
        else "—"
    )
    return say(
        update,
        f"摘要计划：<b>{sub.schedule}</b>（{sub.tz}），下一次：{when}\n"
        f"{sub.stories} 条 · 摘要 {sub.summary_chars} 字 · 实体{'开' if sub.entities else '关'}"
        f" · {'中文' if sub.language == 'zh' else 'English'}",
        f"Digest schedule: <b>{sub.schedule}</b> ({sub.tz}), next: {when}\n"
        f"{sub.stories} stories · {sub.summary_chars}-char summaries · entities "
        f"{'on' if sub.entities else 'off'} · {sub.language}",
    )


async def digest_command(update: Update, context: Context) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    if not await may_configure(update, context):
        await message.reply_text(
            say(update, "只有群管理员可以设置摘要。", "Only chat admins can set digests.")
        )
        return
    rt = context.bot_data.get(DigestRuntime)
    user = update.effective_user
    sub = await rt.subscriptions.ensure(
        chat.id, _kind(chat), title=chat.title, configured_by=user.id if user else None
    )
    arg = " ".join(context.args or []).strip()
    if arg in ("", "status"):
        await message.reply_text(describe(update, sub) + f"\n/digest {HELP} | now | settings")
    elif arg == "now":
        await rt.scheduler.run_now(context.bot, chat.id)
    elif arg == "settings":
        text, markup = settings_view(update, sub)
        await message.reply_text(text, reply_markup=markup)
    else:
        try:
            schedule = parse_schedule(arg)
        except ScheduleError as exc:
            await message.reply_text(say(update, f"看不懂这个时间。用法：/digest {HELP}", str(exc)))
            return
        sub = await rt.scheduler.set_schedule(chat.id, schedule)
        await message.reply_text(describe(update, sub))


def settings_view(update: Update, sub: Subscription) -> tuple[str, InlineKeyboardMarkup]:
    def button(label: str, field: str, value: object, current: object) -> InlineKeyboardButton:
        mark = "✓ " if value == current else ""
        return InlineKeyboardButton(
            f"{mark}{label}", callback_data=f"{CALLBACK}:{sub.chat_id}:{field}:{value}"
        )

    zone = ZONES.index(sub.tz) if sub.tz in ZONES else -1
    rows = [
        [button("中文", "lang", "zh", sub.language), button("English", "lang", "en", sub.language)],
        [button(str(n), "n", n, sub.stories) for n in COUNTS],
        [button(f"{n}字", "len", n, sub.summary_chars) for n in LENGTHS],
        [
            button("实体 on", "ent", 1, int(sub.entities)),
            button("实体 off", "ent", 0, int(sub.entities)),
        ],
        [button(z.split("/")[-1], "tz", i, zone) for i, z in enumerate(ZONES[:4])],
        [button(z.split("/")[-1], "tz", i + 4, zone) for i, z in enumerate(ZONES[4:])],
    ]
    title = say(update, "⚙️ <b>摘要设置</b>", "⚙️ <b>Digest settings</b>")
    return f"{title}\n{describe(update, sub)}", InlineKeyboardMarkup(rows)


async def settings_clicked(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    try:
        _, chat_text, field, value = query.data.split(":")
        chat_id = int(chat_text)
    except ValueError:
        await query.answer()
        return
    if (
        not await is_admin(context.bot, chat_id, query.from_user.id)
        and chat_id != query.from_user.id
    ):
        await query.answer(
            say(update, "只有管理员可以修改。", "Only admins can change this."), show_alert=True
        )
        return
    rt = context.bot_data.get(DigestRuntime)
    changes: dict[str, Any] = {
        "lang": lambda: {"language": "en" if value == "en" else "zh"},
        "n": lambda: {"stories": int(value)},
        "len": lambda: {"summary_chars": int(value)},
        "ent": lambda: {"entities": value == "1"},
        "tz": lambda: {"tz": ZONES[int(value)]},
    }
    if field not in changes:
        await query.answer()
        return
    await rt.subscriptions.update_settings(chat_id, **changes[field]())
    sub = await rt.subscriptions.get(chat_id)
    if field == "tz" and sub.schedule != "off":
        sub = await rt.scheduler.retime(chat_id)
    text, markup = settings_view(update, sub)
    await query.answer(say(update, "已保存", "Saved"))
    await query.edit_message_text(text, reply_markup=markup)


async def channel_command(update: Update, context: Context) -> None:
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None or message is None or user is None:
        return
    if chat.type != Chat.PRIVATE:
        await message.reply_text(
            say(update, "请在私聊中设置频道。", "Configure channels in a private chat.")
        )
        return
    args = context.args or []
    if len(args) >= 1 and args[0] == "add":
        if len(args) == 1:
            context.bot_data.get(DigestRuntime).awaiting_forward[user.id] = utcnow()
            await message.reply_text(
                say(update, "请转发一条该频道的消息给我。", "Forward me a post from that channel.")
            )
            return
        await add_channel(update, context, _target(args[1]), " ".join(args[2:]) or "daily 08:00")
    elif len(args) == 2 and args[0] in ("settings", "now", "off"):
        await manage_channel(update, context, args[0], _target(args[1]))
    else:
        await message.reply_text(
            say(
                update,
                "用法：/channel add @频道名 [daily 08:00] | settings|now|off @频道名",
                "Usage: /channel add @channel [daily 08:00] | settings|now|off @channel",
            )
        )


def _target(word: str) -> int | str:
    return int(word) if word.lstrip("-").isdigit() else word


async def admin_channel(update: Update, context: Context, word: str) -> int | None:
    """The id of channel ``word`` (@name or id) if the bot serves it and the user
    administers it; ``None`` otherwise."""
    user = update.effective_user
    try:
        channel = await context.bot.get_chat(_target(word))
    except (BadRequest, Forbidden):
        return None
    if user is None or channel.type != Chat.CHANNEL:
        return None
    if not await is_admin(context.bot, channel.id, user.id):
        return None
    return channel.id


async def manage_channel(update: Update, context: Context, verb: str, target: int | str) -> None:
    """Settings keyboard, an immediate digest, or schedule off for a configured channel."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    rt = context.bot_data.get(DigestRuntime)
    try:
        channel = await context.bot.get_chat(target)
    except (BadRequest, Forbidden):
        channel = None
    sub = await rt.subscriptions.find(channel.id) if channel is not None else None
    if channel is None or sub is None or not await is_admin(context.bot, channel.id, user.id):
        await message.reply_text(
            say(update, "没有找到你管理的这个频道。", "No such channel that you administer.")
        )
        return
    if verb == "settings":
        text, markup = settings_view(update, sub)
        await message.reply_text(text, reply_markup=markup)
    elif verb == "now":
        delivery = await rt.scheduler.run_now(context.bot, channel.id)
        await message.reply_text(
            say(update, f"已发送（{delivery.status}）。", f"Sent ({delivery.status}).")
        )
    else:
        sub = await rt.scheduler.set_schedule(channel.id, parse_schedule("off"))
        await message.reply_text(describe(update, sub))


async def forwarded_post(update: Update, context: Context) -> None:
    """A channel post forwarded by a user who ran ``/channel add`` names that channel."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    rt = context.bot_data.get(DigestRuntime)
    asked = rt.awaiting_forward.get(user.id)
    if asked is None or not isinstance(message.forward_origin, MessageOriginChannel):
        return
    del rt.awaiting_forward[user.id]
    if utcnow() - asked > FORWARD_WAIT:
        return  # an old /channel add: this forward is just an article to read
    await add_channel(update, context, message.forward_origin.chat.id, "daily 08:00")
    raise ApplicationHandlerStop


async def add_channel(update: Update, context: Context, target: int | str, spec: str) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    try:
        schedule = parse_schedule(spec)
        channel = await context.bot.get_chat(target)
    except ScheduleError as exc:
        await message.reply_text(str(exc))
        return
    except (BadRequest, Forbidden):
        await message.reply_text(
            say(
                update,
                "找不到这个频道，请先把我加为频道管理员。",
                "I cannot find that channel; add me as its admin first.",
            )
        )
        return
    if channel.type != Chat.CHANNEL:
        await message.reply_text(say(update, "这不是频道。", "That is not a channel."))
        return
    if not await is_admin(context.bot, channel.id, context.bot.id):
        await message.reply_text(
            say(
                update,
                "请先把我设为该频道的管理员。",
                "Make me an administrator of the channel first.",
            )
        )
        return
    if not await is_admin(context.bot, channel.id, user.id):
        await message.reply_text(
            say(
                update,
                "只有频道管理员可以设置摘要。",
                "Only the channel's administrators can set its digest.",
            )
        )
        return
    rt = context.bot_data.get(DigestRuntime)
    await rt.subscriptions.ensure(channel.id, "channel", title=channel.title, configured_by=user.id)
    sub = await rt.scheduler.set_schedule(channel.id, schedule)
    name = escape(channel.title or channel.id)
    await message.reply_text(
        say(update, f"已为频道 {name} 开启摘要。\n", f"Digest on for {name}.\n")
        + describe(update, sub)
    )


async def membership_changed(update: Update, context: Context) -> None:
    change = update.my_chat_member
    if change is None:
        return
    rt = context.bot_data.get(DigestRuntime)
    chat_id = change.chat.id
    if change.new_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED):
        # A row even for chats that only had feeds: "gone" also stops their feed polling.
        await rt.subscriptions.ensure(chat_id, _kind(change.chat), title=change.chat.title)
        await rt.subscriptions.set_state(chat_id, "gone")
        rt.scheduler.cancel(chat_id)
    elif change.old_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED):
        sub = await rt.subscriptions.find(chat_id)
        if sub is not None and sub.state != "active":
            await rt.subscriptions.ensure(chat_id, sub.kind)
            await rt.scheduler.resync()


async def chat_migrated(update: Update, context: Context) -> None:
    """A group upgraded to a supergroup: its digest and feeds move to the new chat id."""
    message = update.effective_message
    if message is None or message.migrate_to_chat_id is None:
        return
    rt = context.bot_data.get(DigestRuntime)
    rt.scheduler.cancel(message.chat_id)
    await rt.subscriptions.move_chat(message.chat_id, message.migrate_to_chat_id)
    await rt.scheduler.resync()


async def post_init(app: BotApp) -> None:
    """Build the digest/feed services over the core ones and re-arm persisted schedules."""
    from bot.handlers.feeds import feed_ingest

    services = app.bot_data.services
    try:
        clock = app.bot_data.get(DigestClock)
    except ServicesNotReady:
        clock = DigestClock()
    rt = DigestRuntime.build(
        services.db,
        services.articles,
        feed_ingest(app),
        services.news.policy,
        clock=clock.now,
        poll_interval=timedelta(minutes=services.settings.feed_poll_minutes),
    )
    app.bot_data.add(rt)
    await rt.scheduler.start(app)


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler("digest", digest_command))
    app.add_handler(CommandHandler("channel", channel_command))
    app.add_handler(CallbackQueryHandler(settings_clicked, pattern=rf"^{CALLBACK}:"))
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.FORWARDED, forwarded_post),
        group=FORWARD_GROUP,
    )
    app.add_handler(
        ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER), group=MEMBER_GROUP
    )
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated), group=MEMBER_GROUP)
