"""/digest and /channel: schedule digests for a group, a private chat or a channel.

``/digest daily 08:00|every 6h|weekly mon 09:00|off|now|settings`` in a group (chat admins
only, checked with getChatMember) or a private chat. A channel is configured from a private
chat with ``/channel add @name [schedule]`` (or ``/channel add`` and picking the channel):
the bot and the user must both be its administrators. When the bot leaves a chat its
subscription stops and the chat is marked gone.

``/channel add`` without a name answers with Telegram's "choose a chat" button
(``KeyboardButtonRequestChat``, channels only); the channel the user picks comes back as a
``chat_shared`` service message carrying :data:`CHANNEL_REQUEST`. Nothing is kept between the
two messages, so with several webhook workers either may handle either, and a restart
forgets nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import (
    Chat,
    ChatFullInfo,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    KeyboardButtonRequestChat,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotApp, Context
from bot.digests.runtime import DigestRuntime
from bot.digests.schedule import HELP, parse_schedule, zone_for
from bot.errors import ScheduleError
from bot.telegram.permissions import is_admin, may_configure, target_of
from bot.telegram.render import escape
from bot.telegram.send import cosmetic, edit, reply, send
from bot.texts import Lang, t
from storage.subscriptions import ChatKind, Subscription

CALLBACK = "dg"
COUNTS = (5, 10, 20)
LENGTHS = (60, 80, 120, 200)  # 80: the default (storage migration 0004)
ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Europe/London",
    "America/New_York",
    "UTC",
)
MEMBER_GROUP = 7  # its own group so other modules' my_chat_member handlers still run
CHANNEL_REQUEST = 1  # the request_id of /channel add's "choose a channel" button


def _kind(chat: Chat) -> ChatKind:
    if chat.type == Chat.CHANNEL:
        return "channel"
    return "private" if chat.type == Chat.PRIVATE else "group"


def describe(lang: Lang, sub: Subscription) -> str:
    when = (
        sub.next_run_at.astimezone(zone_for(sub.tz)).strftime("%Y-%m-%d %H:%M")
        if (sub.next_run_at)
        else "—"
    )
    return t(
        "digest_status",
        lang,
        schedule=escape(sub.schedule),
        tz=escape(sub.tz),
        when=when,
        stories=sub.stories,
        chars=sub.summary_chars,
        entities=t("on" if sub.entities else "off", lang),
        language=t(f"language_{sub.language}", lang),
    )


async def digest_command(update: Update, context: Context) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    lang = await context.lang()
    if not await may_configure(update, context):
        await reply(context.bot, message, t("digest_admins_only", lang))
        return
    rt = context.digests
    user = update.effective_user
    sub = await rt.subscriptions.ensure(
        chat.id, _kind(chat), title=chat.title, configured_by=user.id if user else None
    )
    arg = " ".join(context.args or []).strip()
    if arg in ("", "status"):
        usage = f"\n/digest {HELP} | now | settings"
        await reply(context.bot, message, describe(lang, sub) + usage)
    elif arg == "now":
        await rt.scheduler.run_now(context.bot, chat.id)
    elif arg == "settings":
        text, markup = settings_view(lang, sub)
        await reply(context.bot, message, text, markup=markup)
    else:
        try:
            schedule = parse_schedule(arg)
        except ScheduleError:
            await reply(context.bot, message, t("schedule_bad", lang, help=HELP))
            return
        sub = await rt.scheduler.set_schedule(chat.id, schedule)
        await reply(context.bot, message, describe(lang, sub))


def choices(offered: tuple[int, ...], current: int) -> list[int]:
    """The offered values plus the current one (a default or an older setting), in order:
    every row of the keyboard shows the value in force."""
    return sorted({*offered, current})


def settings_view(lang: Lang, sub: Subscription) -> tuple[str, InlineKeyboardMarkup]:
    def button(label: str, field: str, value: object, current: object) -> InlineKeyboardButton:
        mark = "✓ " if value == current else ""
        return InlineKeyboardButton(
            f"{mark}{label}", callback_data=f"{CALLBACK}:{sub.chat_id}:{field}:{value}"
        )

    zones = ZONES if sub.tz in ZONES else (*ZONES, sub.tz)
    zone = zones.index(sub.tz)
    rows = [
        [button("中文", "lang", "zh", sub.language), button("English", "lang", "en", sub.language)],
        [button(str(n), "n", n, sub.stories) for n in choices(COUNTS, sub.stories)],
        [
            button(t("btn_chars", lang, n=n), "len", n, sub.summary_chars)
            for n in choices(LENGTHS, sub.summary_chars)
        ],
        [
            button(t("btn_entities_on", lang), "ent", 1, int(sub.entities)),
            button(t("btn_entities_off", lang), "ent", 0, int(sub.entities)),
        ],
        [button(z.split("/")[-1], "tz", i, zone) for i, z in enumerate(zones[:4])],
        [button(z.split("/")[-1], "tz", i + 4, zone) for i, z in enumerate(zones[4:])],
    ]
    return f"{t('settings_title', lang)}\n{describe(lang, sub)}", InlineKeyboardMarkup(rows)


async def settings_clicked(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    lang = await context.lang()
    try:
        _, chat_text, field, value = query.data.split(":")
        chat_id = int(chat_text)
    except ValueError:
        await cosmetic(query.answer, what="answerCallbackQuery")
        return
    if (
        not await is_admin(context.bot, chat_id, query.from_user.id)
        and chat_id != query.from_user.id
    ):
        refused = t("admins_only_change", lang)
        await cosmetic(lambda: query.answer(refused, show_alert=True), what="answerCallbackQuery")
        return
    rt = context.digests
    sub = await rt.subscriptions.get(chat_id)
    changes: dict[str, Any] = {
        "lang": lambda: {"language": "en" if value == "en" else "zh"},
        "n": lambda: {"stories": int(value)},
        "len": lambda: {"summary_chars": int(value)},
        "ent": lambda: {"entities": value == "1"},
        "tz": lambda: {"tz": (*ZONES, sub.tz)[int(value)]},
    }
    if field not in changes:
        await cosmetic(query.answer, what="answerCallbackQuery")
        return
    await rt.subscriptions.update_settings(chat_id, **changes[field]())
    sub = await rt.subscriptions.get(chat_id)
    if field == "tz" and sub.schedule != "off":
        sub = await rt.scheduler.retime(chat_id)
    text, markup = settings_view(lang, sub)
    await cosmetic(lambda: query.answer(t("saved", lang)), what="answerCallbackQuery")
    if isinstance(query.message, Message):
        await edit(context.bot, query.message, text, markup=markup)


async def channel_command(update: Update, context: Context) -> None:
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None or message is None or user is None:
        return
    lang = await context.lang()
    if chat.type != Chat.PRIVATE:
        await reply(context.bot, message, t("channel_private_only", lang))
        return
    args = context.args or []
    if args == ["add"]:
        await reply(context.bot, message, t("channel_choose", lang), markup=choose_channel(lang))
    elif len(args) >= 1 and args[0] == "add":
        await add_channel(update, context, target_of(args[1]), " ".join(args[2:]) or "daily 08:00")
    elif len(args) == 2 and args[0] in ("settings", "now", "off"):
        await manage_channel(update, context, args[0], target_of(args[1]))
    else:
        await reply(context.bot, message, t("channel_usage", lang))


async def manage_channel(update: Update, context: Context, verb: str, target: int | str) -> None:
    """Settings keyboard, an immediate digest, or schedule off for a configured channel."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    lang = await context.lang()
    rt = context.digests
    try:
        channel = await context.bot.get_chat(target)
    except (BadRequest, Forbidden):
        channel = None
    sub = await rt.subscriptions.find(channel.id) if channel is not None else None
    if channel is None or sub is None or not await is_admin(context.bot, channel.id, user.id):
        await reply(context.bot, message, t("channel_not_yours", lang))
        return
    if verb == "settings":
        text, markup = settings_view(lang, sub)
        await reply(context.bot, message, text, markup=markup)
    elif verb == "now":
        delivery = await rt.scheduler.run_now(context.bot, channel.id)
        await reply(context.bot, message, t("channel_sent", lang, status=delivery.status))
    else:
        sub = await rt.scheduler.set_schedule(channel.id, parse_schedule("off"))
        await reply(context.bot, message, describe(lang, sub))


def choose_channel(lang: Lang) -> ReplyKeyboardMarkup:
    """One button that opens Telegram's channel picker; the pick comes back as ``chat_shared``."""
    request = KeyboardButtonRequestChat(CHANNEL_REQUEST, chat_is_channel=True)
    button = KeyboardButton(t("channel_choose_button", lang), request_chat=request)
    return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)


async def channel_shared(update: Update, context: Context) -> None:
    """The channel picked with :func:`choose_channel`'s button (any worker may get it)."""
    message = update.effective_message
    if message is None or message.chat_shared is None:
        return
    if message.chat_shared.request_id != CHANNEL_REQUEST:
        return
    await add_channel(
        update, context, message.chat_shared.chat_id, "daily 08:00", markup=ReplyKeyboardRemove()
    )


async def _channel_refusal(context: Context, channel: ChatFullInfo, user_id: int) -> str | None:
    """The catalogue key saying why this channel cannot be set up (``None``: it can)."""
    if channel.type != Chat.CHANNEL:
        return "not_a_channel"
    if not await is_admin(context.bot, channel.id, context.bot.id):
        return "channel_make_me_admin"
    if not await is_admin(context.bot, channel.id, user_id):
        return "channel_admins_only"
    return None


async def add_channel(
    update: Update,
    context: Context,
    target: int | str,
    spec: str,
    *,
    markup: ReplyKeyboardRemove | None = None,
) -> None:
    """Schedule ``spec`` for a channel both the bot and the user administer; every answer
    carries ``markup`` (the picker's keyboard is taken away once it has been used)."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    lang = await context.lang()
    try:
        schedule = parse_schedule(spec)
        channel = await context.bot.get_chat(target)
    except ScheduleError:
        await reply(context.bot, message, t("schedule_bad", lang, help=HELP), markup=markup)
        return
    except (BadRequest, Forbidden):
        await reply(context.bot, message, t("channel_not_found", lang), markup=markup)
        return
    refusal = await _channel_refusal(context, channel, user.id)
    if refusal is not None:
        await reply(context.bot, message, t(refusal, lang), markup=markup)
        return
    rt = context.digests
    await rt.subscriptions.ensure(channel.id, "channel", title=channel.title, configured_by=user.id)
    sub = await rt.scheduler.set_schedule(channel.id, schedule)
    name = escape(channel.title or channel.id)
    await reply(
        context.bot,
        message,
        t("channel_on", lang, name=name) + "\n" + describe(lang, sub),
        markup=markup,
    )


async def membership_changed(update: Update, context: Context) -> None:
    change = update.my_chat_member
    if change is None:
        return
    rt = context.digests
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
    rt = context.digests
    rt.scheduler.cancel(message.chat_id)
    await rt.subscriptions.move_chat(message.chat_id, message.migrate_to_chat_id)
    await rt.scheduler.resync()


async def post_init(app: BotApp) -> None:
    """Build the digest/feed services over the core ones and re-arm persisted schedules."""
    from bot.admin.alerts import ambiguous_report
    from bot.feeds.delivery import feed_failing, feed_ingest
    from storage.workers import worker_for

    services = app.bot_data.services
    rt = DigestRuntime.build(
        services.db,
        services.articles,
        feed_ingest(app),
        services.news.policy,
        await worker_for(services.db),
        clock=app.bot_data.clock,
        poll_interval=timedelta(minutes=services.settings.feed_poll_minutes),
        on_failing=feed_failing(app),
        report=ambiguous_report(
            lambda chat, text: send(app.bot, chat, text), services.settings.admin_chat
        ),
    )
    app.bot_data.digest_runtime = rt
    await rt.scheduler.start(app)


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler("digest", digest_command))
    app.add_handler(CommandHandler("channel", channel_command))
    app.add_handler(CallbackQueryHandler(settings_clicked, pattern=rf"^{CALLBACK}:"))
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.StatusUpdate.CHAT_SHARED, channel_shared)
    )
    app.add_handler(
        ChatMemberHandler(membership_changed, ChatMemberHandler.MY_CHAT_MEMBER), group=MEMBER_GROUP
    )
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, chat_migrated), group=MEMBER_GROUP)
