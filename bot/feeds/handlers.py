"""/feed: follow RSS/Atom feeds in a chat; an OPML file sent as a document imports many.

``/feed add URL`` (polled at once), ``/feed list``, ``/feed remove N``,
``/feed filter N +关键词 -关键词`` (plain words; ``/feed filter N clear``), ``/feed instant N
on|off`` (each new item is also posted as a card). In groups only chat admins may change
feeds. New items reach the chat's next digest.
"""

from __future__ import annotations

import logging
import re

from telegram import Chat, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.context import BotApp, Context
from bot.feeds.poller import (
    MAX_OPML_FEEDS,
    FeedFormatError,
    PollResult,
    parse_opml,
)
from bot.telegram.permissions import admin_channel, may_configure
from bot.telegram.render import escape
from bot.telegram.send import reply
from bot.texts import Lang, t
from storage.errors import NotFound
from storage.feeds import Feed

log = logging.getLogger(__name__)

CHANNEL_ARG = re.compile(r"^(@[A-Za-z]\w{3,}|-100\d+)$")
MAX_OPML_BYTES = 1_000_000


def _poll_line(lang: Lang, result: PollResult) -> str:
    if result.status == "failed":
        return t("feed_cannot_read", lang, reason=escape(result.reason(lang)))
    return t("feed_polled", lang, items=result.items, new=len(result.article_ids))


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


async def _target_chat(update: Update, context: Context, args: list[str]) -> int | None:
    """The chat whose feeds are managed: this one, or (from a private chat) a trailing
    @channel or -100… id the user administers; ``None`` when that channel is not theirs."""
    chat = update.effective_chat
    assert chat is not None
    if chat.type == Chat.PRIVATE and args and CHANNEL_ARG.match(args[-1]):
        return await admin_channel(update, context, args.pop())
    return chat.id


async def feed_command(update: Update, context: Context) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    lang = await context.lang()
    args = list(context.args or [])
    target = await _target_chat(update, context, args)
    if target is None:
        await reply(context.bot, message, t("channel_not_yours", lang))
        return
    verb = args[0] if args else "list"
    if verb != "list" and not await may_configure(update, context):
        await reply(context.bot, message, t("feed_admins_only", lang))
        return
    try:
        text = await _feed_verb(context, lang, target, verb, args)
    except (NotFound, ValueError):
        text = t("feed_no_number", lang)
    await reply(context.bot, message, text)


async def _feed_verb(context: Context, lang: Lang, target: int, verb: str, args: list[str]) -> str:
    """What ``/feed VERB ...`` does, as the reply's text."""
    rt = context.digests
    if verb == "add" and len(args) == 2 and args[1].startswith(("http://", "https://")):
        feed, _ = await rt.feeds.add(target, args[1])
        result = await rt.poller.poll(feed.id)
        feed = await rt.feeds.get(feed.id)
        following = t("feed_following", lang, name=escape(feed.title or feed.url))
        return following + "\n" + _poll_line(lang, result)
    if verb == "list":
        feeds = await rt.feeds.for_chat(target)
        return "\n".join(_describe(i, f) for i, f in enumerate(feeds, 1)) or t("feed_none", lang)
    if verb == "remove" and len(args) == 2:
        feed = await rt.feeds.nth(target, int(args[1]))
        await rt.feeds.remove(feed.id)
        return t("feed_removed", lang, name=escape(feed.title or feed.url))
    if verb == "filter" and len(args) >= 3:
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
        return _describe(int(args[1]), feed)
    if verb == "instant" and len(args) == 3 and args[2] in ("on", "off"):
        nth = await rt.feeds.nth(target, int(args[1]))
        feed = await rt.feeds.set_instant(nth.id, args[2] == "on")
        return _describe(int(args[1]), feed)
    return t("feed_usage", lang)


def _marked(words: list[str], sign: str) -> list[str]:
    return [w[1:] for w in words if w.startswith(sign) and w[1:]]


async def opml_document(update: Update, context: Context) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None or message.document is None:
        return
    lang = await context.lang()
    if not await may_configure(update, context):
        await reply(context.bot, message, t("opml_admins_only", lang))
        return
    if (message.document.file_size or 0) > MAX_OPML_BYTES:
        mb = MAX_OPML_BYTES // 1_000_000
        await reply(context.bot, message, t("opml_too_large", lang, mb=mb))
        return
    data = bytes(await (await message.document.get_file()).download_as_bytearray())
    try:
        found = parse_opml(data)
    except FeedFormatError:
        await reply(context.bot, message, t("opml_invalid", lang))
        return
    rt = context.digests
    added = 0
    for url, title in found:
        _, created = await rt.feeds.add(chat.id, url, title=title)
        added += created
    await reply(context.bot, message, t("opml_imported", lang, added=added, most=MAX_OPML_FEEDS))


def register(app: BotApp) -> None:
    app.add_handler(CommandHandler("feed", feed_command))
    opml = filters.Document.FileExtension("opml") | filters.Document.MimeType("text/x-opml")
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & opml, opml_document))
