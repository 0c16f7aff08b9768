"""Chat handlers: links, pasted articles, files, and the everyday commands.

Thin by design: parse the update, call ``NewsService``, render, reply. Cross-cutting
work runs in earlier groups: the admin feature's ban gate (-6) drops banned users first,
group -3 records users and chats, group -2 is the per-user rate limit, and the admin
feature's quota gate (-1) runs last, just before an article is read.
"""

from __future__ import annotations

import asyncio
import html

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.articles.cards import card_of, friendly, stored_card
from bot.articles.request import RateLimiter, addressed_to_bot, is_group
from bot.articles.service import Link, Pasted, ReadPrefs, Source, Upload
from bot.context import BotApp, Context
from bot.telegram import render
from bot.telegram.access_log import note
from bot.telegram.placeholder import PLACEHOLDER_AFTER, with_placeholder
from bot.telegram.send import reply, send, typing
from bot.texts import COMMANDS, t
from storage.errors import NotFound
from summarizer.errors import TooLarge

TRACK_GROUP, RATE_GROUP = -3, -2
MAX_FILE_BYTES = 5_000_000


# -- group -3 / -2 -----------------------------------------------------------------------
async def track(update: Update, context: Context) -> None:
    users = context.users
    user, chat = update.effective_user, update.effective_chat
    if user is not None and not user.is_bot:
        await users.touch_user(
            user.id,
            username=user.username,
            first_name=user.first_name,
            language_code=user.language_code,
        )
        context.tracked(user.language_code)
    if chat is not None:
        await users.touch_chat(chat.id, type=chat.type, title=chat.title)


async def rate_limit(update: Update, context: Context) -> None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    request = await context.request(message)
    limiter = context.bot_data.rate_limiter
    if request is None or await limiter.allow(user.id, request.cost):
        return
    note("rate_limited")
    if await limiter.should_warn(user.id):
        await reply(context.bot, message, t("rate_limited", await context.lang()))
    raise ApplicationHandlerStop


# -- articles ----------------------------------------------------------------------------
async def on_message(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None and update.effective_user is not None
    request = await context.request(message)
    if request is None:
        return
    lang, news = await context.lang(), context.news
    if request.kind == "hint":
        await reply(context.bot, message, t("nothing_to_read", lang))
        return
    prefs = ReadPrefs(await context.summary_sentences())
    who = dict(user_id=update.effective_user.id, chat_id=message.chat_id)
    sources = (
        [Link(link) for link in request.links]
        if request.kind == "links"
        else [Pasted(request.text)]
    )
    jobs = [news.read(source, prefs, **who) for source in sources]
    tasks = [asyncio.ensure_future(job) for job in jobs]  # fetch in parallel, answer in order
    # a placeholder only while a page is fetched (pasted text waits on nothing but the CPU)
    after = PLACEHOLDER_AFTER if request.kind == "links" else None
    failure: BaseException | None = None
    for task in tasks:
        try:
            await with_placeholder(
                context.bot, message.chat_id, message.message_id, lang, task,
                lambda r: card_of(r, lang), friendly(lang), placeholder_after=after,
            )  # fmt: skip
        except Exception as err:  # one broken link must not cost the others their cards
            failure = failure or err
    if request.dropped_links:
        await reply(context.bot, message, t("too_many_links", lang, n=len(request.links)))
    if failure is not None:
        raise failure  # to the application's error handler (log, user, admin chat)


async def on_document(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None and update.effective_user
    addressed = addressed_to_bot(message, context.bot.username, context.bot.id)
    if is_group(message) and not addressed and not await context.auto_mode():
        return
    lang = await context.lang()
    doc = message.document
    if (doc.file_size or 0) > MAX_FILE_BYTES:
        await reply(context.bot, message, TooLarge().user_message(lang))
        return
    await typing(context.bot, message.chat_id)
    data = bytes(await (await doc.get_file()).download_as_bytearray())
    news, name = context.news, doc.file_name or ""
    who = dict(user_id=update.effective_user.id, chat_id=message.chat_id)
    prefs = ReadPrefs(await context.summary_sentences())
    if name.lower().endswith(".txt"):
        from summarizer.charset import decode_html

        source: Source = Pasted(decode_html(data)[0])
    else:
        source = Upload(data, name)
    job = news.read(source, prefs, **who)
    await with_placeholder(
        context.bot,
        message.chat_id,
        message.message_id,
        lang,
        job,
        lambda r: card_of(r, lang),
        friendly(lang),
    )


async def unsupported_document(update: Update, context: Context) -> None:
    """A document no feature reads: one sentence saying what the bot reads, as a reply."""
    message = update.effective_message
    assert message is not None
    addressed = addressed_to_bot(message, context.bot.username, context.bot.id)
    if is_group(message) and not addressed:
        return  # someone sharing a file in a group is not talking to us
    note("unsupported")
    await reply(context.bot, message, t("unsupported_file", await context.lang()))


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    parsed = render.parse_callback(query.data)
    await query.answer()
    if parsed is None:
        return
    action, article_id = parsed
    lang, news, chat_id = await context.lang(), context.news, query.message.chat.id
    try:
        if action == "full":
            texts = render.render_full_text((await news.get(article_id)).article)
        elif action == "ent":
            texts = [render.render_entities((await news.get(article_id)).entities, lang)]
        else:
            texts = [render.render_related(await news.related(article_id), lang)]
    except NotFound:
        texts = [t("not_found", lang)]
    for text in texts:
        await send(context.bot, chat_id, text, reply_to=query.message.message_id)


# -- commands ----------------------------------------------------------------------------
async def start(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    lang = await context.lang()
    payload = context.args[0] if context.args else ""
    if payload.startswith("a") and payload[1:].isdigit():
        try:
            text, markup = await stored_card(int(payload[1:]), context, lang)
        except NotFound:
            text, markup = t("not_found", lang), None
        await send(context.bot, message.chat_id, text, markup=markup)
        return
    await send(context.bot, message.chat_id, t("start", lang))


async def help_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    lang = await context.lang()
    index = 1 if lang == "en" else 0
    lines = "\n".join(f"/{name} — {html.escape(d[index])}" for name, d in COMMANDS.items())
    links = context.settings.max_links_per_message
    await send(context.bot, message.chat_id, t("help", lang, links=links, commands=lines))


async def lang_command(update: Update, context: Context) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    choice = (context.args or [""])[0].lower()
    if choice not in ("zh", "en"):
        await reply(context.bot, message, t("lang_usage", await context.lang()))
        return
    await context.users.set_lang(user.id, choice)  # type: ignore[arg-type]
    context.forget_prefs()
    await reply(context.bot, message, t("lang_set", choice))


async def summary_command(update: Update, context: Context) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    lang = await context.lang()
    raw = (context.args or [""])[0]
    if not raw.isdigit() or not 1 <= int(raw) <= 10:
        await reply(context.bot, message, t("summary_usage", lang))
        return
    await context.users.set_summary_sentences(user.id, int(raw))
    context.forget_prefs()
    await reply(context.bot, message, t("summary_set", lang, n=int(raw)))


async def search_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    lang, query = await context.lang(), " ".join(context.args or []).strip()
    if not query:
        await reply(context.bot, message, t("search_usage", lang))
        return
    found = await context.news.search(query, limit=10)
    if not found:
        await reply(context.bot, message, t("search_none", lang, q=html.escape(query)))
        return
    stories = [s.listed() for s in found]
    body = render.render_related(stories, lang, heading=False)
    text = f"{t('search_head', lang, q=html.escape(query))}\n{body}"
    await send(context.bot, message.chat_id, text, reply_to=message.message_id)


async def related_command(update: Update, context: Context) -> None:
    message = update.effective_message
    assert message is not None
    lang = await context.lang()
    article_id = render.article_id_of(message.reply_to_message)
    if article_id is None:
        await reply(context.bot, message, t("related_usage", lang))
        return
    try:
        text = render.render_related(await context.news.related(article_id), lang)
    except NotFound:
        text = t("not_found", lang)
    await send(context.bot, message.chat_id, text, reply_to=message.message_id)


async def auto_command(update: Update, context: Context) -> None:
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    lang, choice = await context.lang(), (context.args or [""])[0].lower()
    if not is_group(message) or choice not in ("on", "off"):
        await reply(context.bot, message, t("auto_usage", lang))
        return
    member = await context.bot.get_chat_member(message.chat_id, user.id)
    if member.status not in ("creator", "administrator"):
        await reply(context.bot, message, t("auto_admins_only", lang))
        return
    await context.users.set_auto_mode(message.chat_id, choice == "on")
    await reply(context.bot, message, t("auto_on" if choice == "on" else "auto_off", lang))


async def on_added_to_group(update: Update, context: Context) -> None:
    change = update.my_chat_member
    assert change is not None
    joined = change.old_chat_member.status in ("left", "kicked") and (
        change.new_chat_member.status in ("member", "administrator")
    )
    if joined and change.chat.type in ("group", "supergroup"):
        await send(context.bot, change.chat.id, t("start", await context.lang()))


def register(app: BotApp) -> None:
    app.bot_data.rate_limiter = RateLimiter(app.bot_data.settings.rate_limit_per_minute)
    app.add_handler(TypeHandler(Update, track), group=TRACK_GROUP)
    readable = filters.UpdateType.MESSAGE & (filters.TEXT | filters.CAPTION) & ~filters.COMMAND
    app.add_handler(MessageHandler(readable, rate_limit), group=RATE_GROUP)
    commands = {
        "start": start,
        "help": help_command,
        "lang": lang_command,
        "summary": summary_command,
        "search": search_command,
        "related": related_command,
        "auto": auto_command,
    }
    assert set(commands) <= set(COMMANDS), "every command needs help text in bot.texts"
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback))
    documents = (
        filters.Document.FileExtension("html")
        | filters.Document.FileExtension("htm")
        | filters.Document.FileExtension("txt")
    )
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & documents, on_document))
    app.add_handler(MessageHandler(readable, on_message))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^(full|ent|rel):\d+$"))
    app.add_handler(ChatMemberHandler(on_added_to_group, ChatMemberHandler.MY_CHAT_MEMBER))
