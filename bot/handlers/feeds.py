"""/feed: follow RSS/Atom feeds in a chat; an OPML file sent as a document imports many.

``/feed add URL`` (polled at once), ``/feed list``, ``/feed remove N``,
``/feed filter N +关键词 -关键词`` (plain words; ``/feed filter N clear``), ``/feed instant N
on|off`` (each new item is also posted as a card). In groups only chat admins may change
feeds. New items reach the chat's next digest.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from telegram import Chat, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.context import BotApp, Context
from bot.digest_runtime import DigestRuntime
from bot.feeds import MAX_OPML_FEEDS, FeedFormatError, FeedItem, PollResult, parse_opml
from bot.handlers.digest import admin_channel, may_configure, say
from bot.render import escape, render_card
from bot.reply import send_html
from storage.errors import NotFound
from storage.feeds import Feed
from summarizer.errors import EmptyText, NotAnArticle

log = logging.getLogger(__name__)

CHANNEL_ARG = re.compile(r"^(@[A-Za-z]\w{3,}|-100\d+)$")
COMMANDS = {"feed": ("订阅新闻源 add|list|remove|filter|instant", "News feeds add|list|remove…")}
MIN_FEED_TEXT = 200  # an item whose page is unreadable is still used if the feed carries this
MAX_OPML_BYTES = 1_000_000
USAGE = (
    "用法：/feed add 链接 | list | remove N | filter N +词 -词 | instant N on|off",
    "Usage: /feed add URL | list | remove N | filter N +word -word | instant N on|off",
)


def feed_ingest(app: BotApp) -> Callable[[Feed, FeedItem], Awaitable[int]]:
    """The poller's ``ingest``: the full article through NewsService (same fetch safety);
    in instant mode the card is posted to the feed's chat right away."""

    async def ingest(feed: Feed, item: FeedItem) -> int:
        news = app.bot_data.services.news
        if not item.link:
            raise NotAnArticle("feed item without a link")
        try:
            report = await news.ingest_url(item.link)
        except (NotAnArticle, EmptyText):
            if len(item.content) < MIN_FEED_TEXT:
                raise
            report = await news.ingest_text(f"{item.title}\n{item.content}")
        if feed.instant:
            a = report.analysis
            card = render_card(a.article, report.summary, a.entity_counts, outlets=report.outlets)
            try:
                await send_html(app.bot, feed.chat_id, card)
            except TelegramError as exc:  # the story still reaches the digest
                log.warning("instant card for feed %s not sent: %s", feed.id, exc)
        return report.article_id

    return ingest


def _poll_line(update: Update, result: PollResult) -> str:
    if result.status == "failed":
        return say(
            update,
            f"暂时无法读取：{escape(result.error)}",
            f"Cannot read it yet: {escape(result.error)}",
        )
    return say(
        update,
        f"读到 {result.items} 条，收录 {len(result.article_ids)} 条新内容。",
        f"{result.items} items, {len(result.article_ids)} new stories taken.",
    )


def _describe(number: int, feed: Feed) -> str:
    flags = []
    if feed.include or feed.exclude:
        flags.append(" ".join([*(f"+{w}" for w in feed.include), *(f"-{w}" for w in feed.exclude)]))
    if feed.instant:
        flags.append("instant")
    if feed.failures:
        flags.append(f"⚠️ {feed.failures}×")
    name = escape(feed.title or feed.url)
    extra = f" <i>{escape(' · '.join(flags))}</i>" if flags else ""
    return f'{number}. <a href="{escape(feed.url)}">{name}</a>{extra}'


async def feed_command(update: Update, context: Context) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    rt = context.bot_data.get(DigestRuntime)
    args = context.args or []
    target = chat.id
    if chat.type == Chat.PRIVATE and args and CHANNEL_ARG.match(args[-1]):
        # From a private chat, a trailing @channel (or -100… id) manages that channel's feeds.
        channel_id = await admin_channel(update, context, args.pop())
        if channel_id is None:
            await message.reply_text(
                say(update, "没有找到你管理的这个频道。", "No such channel that you administer.")
            )
            return
        target = channel_id
    verb = args[0] if args else "list"
    if verb != "list" and not await may_configure(update, context):
        await message.reply_text(
            say(update, "只有群管理员可以修改订阅源。", "Only chat admins can change feeds.")
        )
        return
    try:
        if verb == "add" and len(args) == 2 and args[1].startswith(("http://", "https://")):
            feed, _ = await rt.feeds.add(target, args[1])
            result = await rt.poller.poll(feed.id)
            feed = await rt.feeds.get(feed.id)
            await message.reply_text(
                say(update, "已订阅：", "Following: ")
                + escape(feed.title or feed.url)
                + "\n"
                + _poll_line(update, result)
            )
        elif verb == "list":
            feeds = await rt.feeds.for_chat(target)
            lines = [_describe(i, f) for i, f in enumerate(feeds, 1)]
            await send_html(
                context.bot,
                chat.id,  # the list answers where it was asked, even for a channel's feeds
                "\n".join(lines)
                or say(update, "还没有订阅源。/feed add 链接", "No feeds yet. /feed add URL"),
            )
        elif verb == "remove" and len(args) == 2:
            feed = await rt.feeds.nth(target, int(args[1]))
            await rt.feeds.remove(feed.id)
            await message.reply_text(
                say(update, "已取消：", "Removed: ") + escape(feed.title or feed.url)
            )
        elif verb == "filter" and len(args) >= 3:
            feed = await rt.feeds.nth(target, int(args[1]))
            words = args[2:]
            include = (
                [] if words == ["clear"] else [w[1:] for w in words if w.startswith("+") and w[1:]]
            )
            exclude = (
                [] if words == ["clear"] else [w[1:] for w in words if w.startswith("-") and w[1:]]
            )
            if words != ["clear"]:
                include, exclude = [*feed.include, *include], [*feed.exclude, *exclude]
            feed = await rt.feeds.set_filters(feed.id, include, exclude)
            await message.reply_text(_describe(int(args[1]), feed))
        elif verb == "instant" and len(args) == 3 and args[2] in ("on", "off"):
            feed = await rt.feeds.set_instant(
                (await rt.feeds.nth(target, int(args[1]))).id, args[2] == "on"
            )
            await message.reply_text(_describe(int(args[1]), feed))
        else:
            await message.reply_text(say(update, *USAGE))
    except (NotFound, ValueError):
        await message.reply_text(
            say(update, "没有这个编号，请看 /feed list。", "No such feed number; see /feed list.")
        )


async def opml_document(update: Update, context: Context) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None or message.document is None:
        return
    if not await may_configure(update, context):
        await message.reply_text(
            say(update, "只有群管理员可以导入订阅源。", "Only chat admins can import feeds.")
        )
        return
    if (message.document.file_size or 0) > MAX_OPML_BYTES:
        await message.reply_text(say(update, "OPML 文件太大。", "That OPML file is too large."))
        return
    data = bytes(await (await message.document.get_file()).download_as_bytearray())
    try:
        found = parse_opml(data)
    except FeedFormatError:
        await message.reply_text(
            say(update, "这不是有效的 OPML 文件。", "That is not a valid OPML file.")
        )
        return
    rt = context.bot_data.get(DigestRuntime)
    added = 0
    for url, title in found:
        _, created = await rt.feeds.add(chat.id, url, title=title)
        added += created
    await message.reply_text(
        say(
            update,
            f"导入了 {added} 个订阅源（最多 {MAX_OPML_FEEDS} 个），稍后开始抓取。",
            f"Imported {added} feeds (at most {MAX_OPML_FEEDS}); polling starts shortly.",
        )
    )


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler("feed", feed_command))
    opml = filters.Document.FileExtension("opml") | filters.Document.MimeType("text/x-opml")
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & opml, opml_document))
