"""What the feed poller hands over to the bot: each new item read through NewsService
(the same fetch safety as links users send; the feed's own text when the page is not an
article), its card rendered for instant mode (the poller records it in the outbox, which
sends it once: ``bot.telegram.outbox``), and the notice to the chat when a feed keeps
failing."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.articles.service import Link, Pasted
from bot.context import BotApp
from bot.feeds.poller import FeedItem, Ingested, OnFailing, PollResult
from bot.telegram.render import escape, render_card
from bot.telegram.send import send
from bot.telegram.split import split_message
from bot.texts import t
from storage.feeds import Feed
from summarizer.errors import EmptyText, NotAnArticle

log = logging.getLogger(__name__)

MIN_FEED_TEXT = 200  # an item whose page is unreadable is still used if the feed carries this


def feed_ingest(app: BotApp) -> Callable[[Feed, FeedItem], Awaitable[Ingested]]:
    """The poller's ``ingest``: the full article through NewsService (same fetch safety);
    in instant mode, the card the feed's chat is owed."""

    async def ingest(feed: Feed, item: FeedItem) -> Ingested:
        news = app.bot_data.services.news
        if not item.link:
            raise NotAnArticle("feed item without a link")
        try:
            report = await news.read(Link(item.link))
        except (NotAnArticle, EmptyText):
            if len(item.content) < MIN_FEED_TEXT:
                raise
            report = await news.read(Pasted(f"{item.title}\n{item.content}"))
        posts: tuple[str, ...] = ()
        if feed.instant:
            a = report.analysis
            card = render_card(a.article, report.summary, a.entity_counts, outlets=report.outlets)
            posts = tuple(split_message(card))
        return Ingested(report.article_id, posts)

    return ingest


def feed_failing(app: BotApp) -> OnFailing:
    """The poller's ``on_failing``: a feed that keeps failing is reported, once, to the
    chat that follows it (where its admins configured it), in the chat's digest language."""

    async def tell(feed: Feed, result: PollResult) -> None:
        rt = app.bot_data.digests
        sub = await rt.subscriptions.find(feed.chat_id)
        lang = sub.language if sub is not None else "zh"
        text = t(
            "feed_failing",
            lang,
            name=escape(feed.title or feed.url),
            n=feed.failures,
            reason=escape(result.reason(lang)),
        )
        await send(app.bot, feed.chat_id, text)

    return tell
