"""Compose a chat digest: the stories that reached a chat in a period, collapsed and ranked.

Near-duplicates (one duplicate family in storage) collapse into one story that says how many
outlets carried it; stories about the same event (overlapping keywords and named entities,
or close words: the TF-IDF cosine behind related stories) cluster under the headline of the
best-covered one; clusters are ranked by how many sources carried them, then by recency.
Each story gets one summary sentence and its link; a line of the most-mentioned people,
places and organisations closes the digest. Everything taken from articles is HTML-escaped;
messages are packed story by story below Telegram's 4096 limit with a header (date range,
count) on the first.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.telegram.split import split_message, utf16_len
from bot.texts import Lang, t
from summarizer.model import EntityCount, ListedStory, merge_counts

MESSAGE_LIMIT = 4000  # UTF-16 units, below Telegram's 4096
RELATED_MIN_JACCARD = 0.35
RELATED_MIN_SHARED = 3
# ... or whose words are this close (TF-IDF cosine of the stored stories, as the related
# stories on a card): bench/digest_clusters.py
RELATED_MIN_COSINE = 0.25
TOP_ENTITIES = 3
TITLE_CHARS = 120
MAX_RELATED_LINKS = 3
URL_CHARS = 500  # longer links render as plain titles so one story block stays bounded
_TYPE_KEYS = {"PER": "people", "LOC": "places", "ORG": "orgs"}


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """A ranked digest line — not a story but a group of them: a lead story, its outlet
    count and the related stories under it."""

    lead: ListedStory
    outlets: int
    related: tuple[ListedStory, ...]

    @property
    def sources(self) -> int:
        return self.outlets + sum(s.outlets for s in self.related)

    @property
    def latest(self) -> datetime:
        return max(s.when for s in (self.lead, *self.related))


@dataclass(frozen=True, slots=True)
class DigestOptions:
    language: str = "zh"
    stories: int = 10
    entities: bool = True
    tz: str = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class ComposedDigest:
    entries: tuple[DigestEntry, ...]
    messages: tuple[str, ...]
    top_entities: tuple[EntityCount, ...]


Similarity = Sequence[Sequence[float]]


def collapse(stories: Sequence[ListedStory], similarity: Similarity = ()) -> list[DigestEntry]:
    """Duplicates → one story; related stories → one entry; ranked by sources, then recency.

    ``similarity[i][j]``: TF-IDF cosine of the families of ``stories[i]`` and ``stories[j]``
    (none given: keywords and entities alone decide)."""
    families: dict[int, list[ListedStory]] = {}
    for story in stories:
        families.setdefault(story.family, []).append(story)
    scored = stories[: len(similarity)]
    cosine = {
        (a.family, b.family): similarity[i][j]
        for i, a in enumerate(scored)
        for j, b in enumerate(scored)
        if a.family != b.family
    }
    leads: list[tuple[ListedStory, int]] = []
    for copies in families.values():
        lead = min(copies, key=lambda s: (s.published_at is None, s.when, s.article_id))
        outlets = max(
            max(s.outlets for s in copies), len({s.source or s.url or s.article_id for s in copies})
        )
        leads.append((lead, outlets))
    groups = _cluster([lead for lead, _ in leads], cosine)
    outlets_of = {lead.article_id: n for lead, n in leads}
    entries = []
    for group in groups:
        ranked = sorted(group, key=lambda s: (-outlets_of[s.article_id], -s.when.timestamp()))
        head, *rest = ranked
        entries.append(
            DigestEntry(
                head,
                outlets_of[head.article_id],
                tuple(replace(s, outlets=outlets_of[s.article_id]) for s in rest),
            )
        )
    entries.sort(key=lambda e: (-e.sources, -e.latest.timestamp(), e.lead.article_id))
    return entries


def _signature(story: ListedStory) -> set[str]:
    return set(story.keywords[:10]) | {e.text for e in story.entities[:8]}


def _cluster(
    stories: list[ListedStory], cosine: dict[tuple[int, int], float]
) -> list[list[ListedStory]]:
    """Single-link clustering on keyword/entity overlap or word cosine (union-find over
    all pairs)."""
    parent = list(range(len(stories)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    signatures = [_signature(s) for s in stories]
    for i in range(len(stories)):
        for j in range(i + 1, len(stories)):
            a, b = signatures[i], signatures[j]
            shared = len(a & b)
            overlap = shared >= RELATED_MIN_SHARED and shared / len(a | b) >= RELATED_MIN_JACCARD
            close = cosine.get((stories[i].family, stories[j].family), 0.0) >= RELATED_MIN_COSINE
            if overlap or close:
                parent[root(j)] = root(i)
    groups: dict[int, list[ListedStory]] = {}
    for i, story in enumerate(stories):
        groups.setdefault(root(i), []).append(story)
    return list(groups.values())


def top_entities(entries: Sequence[DigestEntry], per_type: int = TOP_ENTITIES) -> list[EntityCount]:
    merged = merge_counts(
        entity
        for entry in entries
        for story in (entry.lead, *entry.related)
        for entity in story.entities
    )
    best: list[EntityCount] = []
    for type_ in ("PER", "LOC", "ORG"):
        best.extend([c for c in merged if c.type == type_][:per_type])
    return best


def compose(
    stories: Sequence[ListedStory],
    *,
    period_start: datetime | None,
    period_end: datetime,
    options: DigestOptions = DigestOptions(),
    similarity: Similarity = (),
) -> ComposedDigest:
    entries = collapse(stories, similarity)[: options.stories]
    entities = top_entities(entries) if options.entities else []
    lang: Lang = "en" if options.language == "en" else "zh"
    header = _header(len(entries), period_start, period_end, options.tz, lang)
    blocks = [_render_entry(i, entry, lang) for i, entry in enumerate(entries, 1)]
    if not entries:
        blocks = [t("dg_empty", lang)]
    if entities:
        blocks.append(_entity_line(entities, lang))
    return ComposedDigest(tuple(entries), tuple(pack(header, blocks)), tuple(entities))


def pack(header: str, blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Whole story blocks per message (tags never cut), the header on the first.

    A block is bounded (title and URL lengths are capped, one sentence, at most three related
    links), so it nearly always fits in one message; one that does not (a block of
    supplementary-plane characters, which count twice) is split like any long message."""
    messages: list[str] = []
    current = header
    for block in blocks:
        if utf16_len(current) + 2 + utf16_len(block) > limit:
            messages.append(current)
            current = block
        else:
            current = f"{current}\n\n{block}"
    messages.append(current)
    return [part for m in messages for part in split_message(m, limit)]


def _header(count: int, start: datetime | None, end: datetime, tz: str, lang: Lang) -> str:
    zone = ZoneInfo(tz)
    fmt = t("dg_time_format", lang)
    end_text = end.astimezone(zone).strftime(fmt)
    span = (
        f"{start.astimezone(zone).strftime(fmt)} – {end_text}"
        if start
        else t("dg_until", lang, end=end_text)
    )
    counted = t("dg_count_one" if count == 1 else "dg_count", lang, n=count)
    return f"{t('dg_title', lang)}\n{html.escape(span)} · {counted}"


def _link(story: ListedStory) -> str:
    title = story.title if len(story.title) <= TITLE_CHARS else story.title[:TITLE_CHARS] + "…"
    if story.url and story.url.startswith(("http://", "https://")) and len(story.url) <= URL_CHARS:
        return f'<a href="{html.escape(story.url, quote=True)}">{html.escape(title)}</a>'
    return f"<b>{html.escape(title)}</b>"


def _render_entry(number: int, entry: DigestEntry, lang: Lang) -> str:
    lead = entry.lead
    meta = [html.escape(lead.source)] if lead.source else []
    if entry.outlets > 1:
        meta.append(t("dg_outlets", lang, n=entry.outlets))
    lines = [f"{number}. {_link(lead)}" + (f" · <i>{' · '.join(meta)}</i>" if meta else "")]
    if lead.sentence:
        lines.append(html.escape(lead.sentence))
    if entry.related:
        links = "；".join(_link(s) for s in entry.related[:MAX_RELATED_LINKS])
        more = len(entry.related) - MAX_RELATED_LINKS
        if more > 0:
            links += t("dg_more", lang, n=more)
        lines.append(f"↳ {t('dg_related', lang)}{links}")
    return "\n".join(lines)


def _entity_line(entities: Sequence[EntityCount], lang: Lang) -> str:
    separator = t("dg_name_separator", lang)
    parts = []
    for type_ in ("PER", "LOC", "ORG"):
        names = [html.escape(e.text) for e in entities if e.type == type_]
        if names:
            label = t(_TYPE_KEYS[type_], lang)
            parts.append(t("dg_entities", lang, label=label, names=separator.join(names)))
    return t("dg_hot", lang) + " · ".join(parts)
