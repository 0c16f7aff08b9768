"""The article card for a terminal (rich), and its JSON form for ``--json``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from summarizer.dates import format_date
from summarizer.model import Article, EntityCount, ListedStory

_GROUPS = (("PER", "人物 People"), ("LOC", "地点 Places"), ("ORG", "机构 Organisations"))


def card_renderable(
    article: Article,
    summary: Sequence[str],
    entities: Sequence[EntityCount],
    *,
    article_id: int | None = None,
    outlets: int = 1,
    related: Sequence[ListedStory] = (),
) -> Panel:
    parts: list[Any] = []
    meta = " · ".join(p for p in (article.source or "", format_date(article.published_at)) if p)
    if meta:
        parts.append(Text(meta, style="dim"))
    if article.url:
        parts.append(Text(article.url, style="blue underline"))
    parts.append(Text(""))
    for sentence in summary:
        parts.append(Text(sentence.strip()))
        parts.append(Text(""))
    for type_, label in _GROUPS:
        found = [e for e in entities if e.type == type_][:12]
        if found:
            line = Text(f"{label}: ", style="bold")
            line.append("、".join(f"{e.text}×{e.count}" if e.count > 1 else e.text for e in found))
            parts.append(line)
    if outlets > 1:
        parts.append(
            Text(
                f"另有 {outlets - 1} 家媒体转载 · also reported by {outlets - 1} other outlet(s)",
                style="italic",
            )
        )
    if related:
        parts.append(Text(""))
        parts.append(Text("相关报道 Related", style="bold"))
        for story in related[:5]:
            meta = " · ".join(p for p in (story.source or "", format_date(story.published_at)) if p)
            parts.append(
                Text(f"• [{story.article_id}] {story.title}" + (f"（{meta}）" if meta else ""))
            )
    subtitle = f"#{article_id}" if article_id is not None else None
    return Panel(Group(*parts), title=Text(article.title or "—", style="bold"), subtitle=subtitle)


def print_card(console: Console, panel: Panel) -> None:
    console.print(panel)


def card_json(
    article: Article,
    summary: Sequence[str],
    entities: Sequence[EntityCount],
    *,
    article_id: int | None,
    keywords: Sequence[str] = (),
    duplicate_of: int | None = None,
    outlets: int = 1,
    related: Sequence[ListedStory] = (),
) -> dict[str, Any]:
    grouped: dict[str, list[dict[str, Any]]] = {t: [] for t, _ in _GROUPS}
    for e in entities:
        grouped.setdefault(e.type, []).append({"text": e.text, "count": e.count})
    return {
        "id": article_id,
        "title": article.title,
        "url": article.url,
        "source": article.source,
        "author": article.author,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "summary": list(summary),
        "entities": grouped,
        "keywords": list(keywords),
        "duplicate_of": duplicate_of,
        "outlets": outlets,
        "related": [related_json(r) for r in related],
    }


def related_json(story: ListedStory) -> dict[str, Any]:
    return {
        "id": story.article_id,
        "title": story.title,
        "url": story.url,
        "source": story.source,
        "published_at": story.published_at.isoformat() if story.published_at else None,
        "score": story.score,
        "reason": story.reason,
    }
