"""Telegram HTML for articles: the card, its buttons, the full text, entities, related.

Every string that came from an article, a page or a user goes through :func:`escape`;
links go through :func:`safe_href` (http/https only). Long output is cut with
:func:`split_message` (re-exported from ``bot.telegram.split``), which digest and admin reuse.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.telegram.split import TELEGRAM_LIMIT, split_message
from bot.texts import Lang, t
from summarizer.dates import format_date
from summarizer.model import Article, EntityCount, ListedStory

__all__ = [
    "TELEGRAM_LIMIT",
    "card_buttons",
    "escape",
    "format_date",
    "render_card",
    "render_entities",
    "render_full_text",
    "render_related",
    "safe_href",
    "split_message",
]

MAX_TITLE = 200
MAX_RELATED_TITLE = 80
MAX_ENTITY = 30
ENTITIES_PER_TYPE = 8
MAX_RELATED = 5
MAX_URL_BYTES = 2048  # longer links are not linked (a button URL Telegram accepts)
_TYPE_KEYS = (("PER", "people"), ("LOC", "places"), ("ORG", "orgs"))


def escape(text: object) -> str:
    """HTML-escape anything for Telegram (quotes too, so it is safe inside attributes)."""
    return html.escape(str(text), quote=True)


def safe_href(url: str | None) -> str | None:
    """The escaped URL if it is an absolute http(s) link, else ``None``."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(c.isspace() or ord(c) < 32 for c in url.strip()):
        return None
    if len(url.strip().encode()) > MAX_URL_BYTES:
        return None  # Telegram refuses such a button; a card keeps the title unlinked
    return escape(url.strip())


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _link(text: str, url: str | None) -> str:
    href = safe_href(url)
    return f'<a href="{href}">{escape(text)}</a>' if href else escape(text)


def render_entity_lines(entities: Sequence[EntityCount], lang: Lang, per_type: int) -> list[str]:
    sep = "、" if lang == "zh" else ", "
    lines = []
    for type_, key in _TYPE_KEYS:
        found = [e for e in entities if e.type == type_][:per_type]
        if found:
            items = sep.join(
                f"{escape(_clip(e.text, MAX_ENTITY))}" + (f" ×{e.count}" if e.count > 1 else "")
                for e in found
            )
            colon = "：" if lang == "zh" else ": "
            lines.append(f"<b>{t(key, lang)}</b>{colon}{items}")
    return lines


def render_related(related: Sequence[ListedStory], lang: Lang, *, heading: bool = True) -> str:
    if not related:
        return t("no_related", lang)
    lines = [f"<b>{t('related', lang)}</b>"] if heading else []
    for story in related[:MAX_RELATED]:
        meta = " · ".join(
            part for part in (escape(story.source or ""), format_date(story.published_at)) if part
        )
        line = "• " + _link(_clip(story.title, MAX_RELATED_TITLE), story.url)
        lines.append(
            f"{line}（{meta}）" if meta and lang == "zh" else f"{line} ({meta})" if meta else line
        )
    return "\n".join(lines)


def render_card(
    article: Article,
    summary: Sequence[str],
    entities: Sequence[EntityCount],
    *,
    lang: Lang = "zh",
    outlets: int = 1,
    related: Sequence[ListedStory] = (),
) -> str:
    """The article card: linked headline, outlet · date, summary, entities, related."""
    blocks = [f"<b>{_link(_clip(article.title, MAX_TITLE) or '—', article.url)}</b>"]
    meta = " · ".join(
        part
        for part in (escape(_clip(article.source or "", 60)), format_date(article.published_at))
        if part
    )
    if meta:
        blocks[0] += f"\n{meta}"
    blocks.extend(escape(sentence.strip()) for sentence in summary if sentence.strip())
    entity_lines = render_entity_lines(entities, lang, ENTITIES_PER_TYPE)
    if entity_lines:
        blocks.append("\n".join(entity_lines))
    if outlets > 1:
        blocks.append(f"<i>{t('also_reported', lang, n=outlets - 1)}</i>")
    if related:
        blocks.append(render_related(related, lang))
    return "\n\n".join(blocks)


def render_entities(entities: Sequence[EntityCount], lang: Lang) -> str:
    lines = render_entity_lines(entities, lang, per_type=50)
    return "\n\n".join(lines) if lines else t("no_entities", lang)


def render_full_text(article: Article) -> list[str]:
    """The whole clean article, one escaped paragraph each, split into messages."""
    head = f"<b>{_link(_clip(article.title, MAX_TITLE) or '—', article.url)}</b>"
    body = "\n\n".join(escape(p.strip()) for p in article.paragraphs)
    return split_message(f"{head}\n\n{body}")


def card_buttons(article_id: int, url: str | None, lang: Lang) -> InlineKeyboardMarkup:
    """全文 / 实体 / 相关 buttons (callback ``full:ID`` ...) and 原文 (a link) when safe."""
    row = [
        InlineKeyboardButton(t("btn_full", lang), callback_data=f"full:{article_id}"),
        InlineKeyboardButton(t("btn_entities", lang), callback_data=f"ent:{article_id}"),
        InlineKeyboardButton(t("btn_related", lang), callback_data=f"rel:{article_id}"),
    ]
    if safe_href(url):
        assert url is not None
        row.append(InlineKeyboardButton(t("btn_source", lang), url=url.strip()))
    return InlineKeyboardMarkup([row])


def parse_callback(data: str | None) -> tuple[str, int] | None:
    """``"full:12"`` → ``("full", 12)``; anything else → ``None``."""
    if not data or ":" not in data:
        return None
    action, _, raw = data.partition(":")
    if action not in ("full", "ent", "rel") or not raw.isdigit():
        return None
    return action, int(raw)


def article_id_of(message: Message | None) -> int | None:
    """The article a card message shows, read from its buttons (``None``: not a card)."""
    markup = message.reply_markup if message is not None else None
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            data = button.callback_data if isinstance(button.callback_data, str) else None
            parsed = parse_callback(data)
            if parsed is not None:
                return parsed[1]
    return None
