"""What the chat handlers share: the user's language and summary length, the group's auto
mode, what a message asks for, and cards built from a Report or a stored article."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardMarkup, Message, Update

from bot.articles.request import ArticleRequest, article_request, is_group
from bot.articles.service import Report
from bot.context import Context
from bot.telegram import render
from bot.texts import normalise_lang, t
from storage.errors import NotFound
from summarizer.errors import SummarizerError


async def lang_of(update: Update, context: Context) -> str:
    user = update.effective_user
    if user is None:
        return "zh"
    try:
        prefs = await context.bot_data.services.users.get_user(user.id)
    except NotFound:
        return normalise_lang(user.language_code)
    return prefs.lang or normalise_lang(prefs.language_code or user.language_code)


async def sentences_of(update: Update, context: Context) -> int:
    user = update.effective_user
    try:
        prefs = await context.bot_data.services.users.get_user(user.id) if user else None
    except NotFound:
        prefs = None
    return prefs.summary_sentences if prefs and prefs.summary_sentences else 3


def friendly(lang: str) -> Callable[[BaseException], str | None]:
    """Expected errors as one sentence in the user's language; ``None`` for the rest."""

    def sentence(err: BaseException) -> str | None:
        if isinstance(err, SummarizerError):
            return err.user_message(lang)
        if isinstance(err, NotFound):
            return t("not_found", lang)
        return None

    return sentence


def card_of(report: Report, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    a = report.analysis
    html_card = render.render_card(
        a.article,
        report.summary,
        a.entity_counts,
        lang=lang,
        outlets=report.outlets,
        related=report.related,
    )
    return html_card, render.card_buttons(report.article_id, a.article.url, lang)


async def stored_card(
    article_id: int, context: Context, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    news = context.bot_data.services.news
    stored, related = await news.get(article_id), await news.related(article_id)
    html_card = render.render_card(
        stored.article, stored.summary, stored.entities, lang=lang, related=related
    )
    return html_card, render.card_buttons(article_id, stored.article.url, lang)


async def reads_everything(message: Message, context: Context) -> bool:
    """Whether the group turned auto mode on (private chats: always addressed anyway)."""
    try:
        return (await context.bot_data.services.users.get_chat(message.chat_id)).auto_mode
    except NotFound:
        return False


async def request_of(message: Message, context: Context) -> ArticleRequest | None:
    auto = is_group(message) and await reads_everything(message, context)
    return article_request(
        message,
        bot_username=context.bot.username,
        bot_id=context.bot.id,
        auto_mode=auto,
        max_links=context.bot_data.settings.max_links_per_message,
    )
