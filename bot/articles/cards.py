"""Cards built from a Report or a stored article, and expected errors as one sentence.

(The user's language and summary length, the group's auto mode and what a message asks
for are the update's own state: :class:`bot.context.ZhaiyaoContext`.)"""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardMarkup

from bot.articles.service import Report
from bot.context import Context
from bot.telegram import render
from bot.texts import t
from storage.errors import NotFound
from summarizer.errors import SummarizerError


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
    news = context.news
    stored, related = await news.get(article_id), await news.related(article_id)
    html_card = render.render_card(
        stored.article, stored.summary, stored.entities, lang=lang, related=related
    )
    return html_card, render.card_buttons(article_id, stored.article.url, lang)
