"""The typed objects that flow through the pipeline.

Sentences and entities are spans into ``Article.text`` (start inclusive, end
exclusive, Python code points), so nothing downstream re-parses a string that an
earlier stage already understood.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal, Protocol

EntityType = Literal["PER", "LOC", "ORG"]
ENTITY_TYPES: tuple[EntityType, ...] = ("PER", "LOC", "ORG")


@dataclass(frozen=True, slots=True)
class Article:
    """A clean news article: body text holds one paragraph per line."""

    title: str
    text: str
    url: str | None = None
    source: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    lang: str = "zh"

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(line for line in self.text.split("\n") if line.strip())


@dataclass(frozen=True, slots=True)
class ListedStory:
    """A story in a list — search results, related stories, a digest's lines, the
    terminal and JSON cards — the one type from storage to rendering.

    The first five fields are what every list shows. The rest are filled by the list that
    knows them: related stories their ranking (``score``, ``similarity``) and a reader's
    ``reason``; a digest the duplicate family (``duplicate_of``), when the story reached the
    chat (``seen_at``), one summary ``sentence``, ``keywords``, ``entities`` and ``outlets``.
    """

    article_id: int
    title: str
    url: str | None
    source: str | None
    published_at: datetime | None
    score: float | None = None  # related: similarity x date prior (the ranking)
    similarity: float | None = None  # related: TF-IDF cosine of the two stories' words, 0..1
    reason: str | None = None  # related: same event, or the people/places/orgs shared
    duplicate_of: int | None = None  # the duplicate family's first copy, if not this one
    seen_at: datetime | None = None  # digest: when the story reached the chat
    sentence: str = ""  # digest: one summary sentence
    keywords: tuple[str, ...] = ()
    entities: tuple[EntityCount, ...] = ()
    outlets: int = 1  # copies/outlets that carried it

    @property
    def family(self) -> int:
        """The duplicate family's root article id (this story's own id for a first copy)."""
        return self.duplicate_of or self.article_id

    @property
    def when(self) -> datetime:
        """Published, else seen; neither known sorts as the oldest."""
        return self.published_at or self.seen_at or datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence span in the article text; ``paragraph`` is the 0-based line index."""

    text: str
    start: int
    end: int
    paragraph: int = 0


@dataclass(frozen=True, slots=True)
class Entity:
    """A named-entity mention; ``text == source[start:end]``."""

    text: str
    type: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class EntityCount:
    """One distinct entity of an article and how often it is mentioned."""

    text: str
    type: str
    count: int


# 上海 and 上海市 are one place on a card; the bare form is how most text names it.
PLACE_SUFFIXES = ("特别行政区", "自治区", "自治州", "省", "市", "县", "区")
NAME_SEPARATORS = "·•‧・."
# An organisation named by a common noun alone (公司, 公司董事会) names nothing on a card.
GENERIC_ORG = re.compile(r"(?:本|该)?(?:公司|集团|董事会|监事会|股东大会|政府|委员会)+")


def _variant_of(key: tuple[str, str], counts: Counter[tuple[str, str]]) -> tuple[str, str] | None:
    """The entity ``key`` is another way of naming, if there is exactly one: a place
    without its 省/市/县 suffix, an organisation named by its tail (市委 for 上海市委),
    a person by any part of the name (克林顿 for 比尔·克林顿, 岸田 for 岸田文雄, and the
    tagger's fragments of it, such as 田文雄) or, the other way round, by a slip
    (林惠于 of 林惠于泰国…, next to the more frequent 林惠)."""
    text, type_ = key
    if type_ == "LOC":
        for suffix in PLACE_SUFFIXES:
            base = text.removesuffix(suffix)
            if base != text and (base, type_) in counts:
                return (base, type_)
        return None
    if type_ == "PER" and _is_slip(key, (text[:-1], type_), counts):
        return (text[:-1], type_)
    longer = [
        other
        for other, t in counts
        if t == type_ and _names_part(text, other, type_) and not _is_slip((other, t), key, counts)
    ]
    # 松野 is part of 松野博 and 松野博一: the name it stands for is the longest of them.
    fullest = [a for a in longer if not any(_names_part(a, b, type_) for b in longer)]
    return (fullest[0], type_) if len(fullest) == 1 else None


def _is_slip(
    key: tuple[str, str], shorter: tuple[str, str], counts: Counter[tuple[str, str]]
) -> bool:
    """``key`` is ``shorter`` with one more character, and rarer: a boundary error."""
    return (
        key[0][:-1] == shorter[0]
        and key[1] == shorter[1] == "PER"
        and counts[shorter] > counts[key]
    )


def _names_part(part: str, whole: str, type_: str) -> bool:
    if len(whole) <= len(part):
        return False
    if type_ == "ORG":
        return whole.endswith(part)
    return part in whole


def _one_type_per_name(entities: list[Entity]) -> list[Entity]:
    """A name tagged with several types in one article takes the type with the most
    support: its mentions of that type and those of longer names of that type containing
    it (克里米亚: PER ×3, LOC ×2 and 克里米亚半岛 LOC ×3 → LOC; 马斯克: PER ×4, LOC ×3 → PER)."""
    types: dict[str, Counter[str]] = defaultdict(Counter)
    for e in entities:
        types[e.text][e.type] += 1
    chosen: dict[str, str] = {}
    for text, tagged in types.items():
        if len(tagged) > 1:
            support = {t: sum(c[t] for other, c in types.items() if text in other) for t in tagged}
            chosen[text] = max(tagged, key=lambda t: (support[t], tagged[t]))
    return [replace(e, type=chosen[e.text]) if e.text in chosen else e for e in entities]


def count_entities(entities: tuple[Entity, ...] | list[Entity]) -> tuple[EntityCount, ...]:
    """Distinct entities, most mentioned first, ties in order of first mention.

    Variants of one name are counted together (see ``_variant_of``): a place under
    its most mentioned form, a person or organisation under its full name. A part
    shared by several full names (洛克菲勒 of 约翰·洛克菲勒 and 大卫·洛克菲勒) stays apart.
    One-character names are left out: an abbreviation (美 of 中美) says little in a
    list of names, and a tagger's slip (法 of 法医 as a place) says something wrong. So
    are organisations named by a common noun (``GENERIC_ORG``). A name is listed under
    one type (``_one_type_per_name``).
    """
    entities = _one_type_per_name(
        [
            e
            for e in entities
            if len(e.text) > 1 and not (e.type == "ORG" and GENERIC_ORG.fullmatch(e.text))
        ]
    )
    counts = Counter((e.text, e.type) for e in entities)
    first: dict[tuple[str, str], int] = {}
    for i, e in enumerate(entities):
        first.setdefault((e.text, e.type), i)
    return _folded(counts, first)


def merge_counts(counts: Iterable[EntityCount]) -> tuple[EntityCount, ...]:
    """The counts of several articles summed, variants of one name together as within
    one article (佩洛 of one story under 佩洛西 of another)."""
    totals: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], int] = {}
    for i, c in enumerate(counts):
        totals[(c.text, c.type)] += c.count
        first.setdefault((c.text, c.type), i)
    return _folded(totals, first)


def _folded(
    counts: Counter[tuple[str, str]], first: dict[tuple[str, str], int]
) -> tuple[EntityCount, ...]:
    target = {k: _variant_of(k, counts) for k in counts}
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for key in counts:
        root, seen = key, {key}
        while (parent := target[root]) is not None and parent not in seen:
            root = parent
            seen.add(root)
        groups[root].append(key)
    merged: list[tuple[tuple[str, str], int, int]] = []
    for head, members in groups.items():
        if head[1] == "LOC":
            head = min(members, key=lambda k: (-counts[k], first[k]))
        merged.append((head, sum(counts[k] for k in members), min(first[k] for k in members)))
    merged.sort(key=lambda m: (-m[1], m[2]))
    return tuple(EntityCount(text, type_, n) for (text, type_), n, _ in merged)


@dataclass(frozen=True, slots=True)
class IndexTerms:
    """The words an article is indexed under: jieba search-mode words of its title and of
    its text, space-joined. ``analyze`` builds them; storage indexes them as given."""

    title: str
    body: str


def term_id(word: str) -> int:
    """A stable 32-bit id for an index word (CRC-32): how storage keys term vectors and
    document frequencies, and how a document-frequency prior names its words."""
    return zlib.crc32(word.encode("utf-8"))


class CopyCheck(Protocol):
    """The exact test of whether a stored text is a copy of the analysed one (the
    analysis's own character shingles against the stored text's; ``analyze`` builds it in
    :mod:`summarizer.fingerprint`). Storage finds the candidates, this decides."""

    def same_piece(self, text: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the NLP stages learned about one article."""

    article: Article
    sentences: tuple[Sentence, ...]
    summary: tuple[Sentence, ...]
    entities: tuple[Entity, ...]
    keywords: tuple[str, ...]
    fingerprint: tuple[int, ...] = field(default=())  # MinHash signature
    index_terms: IndexTerms | None = None
    copy_check: CopyCheck | None = None

    @property
    def entity_counts(self) -> tuple[EntityCount, ...]:
        return count_entities(self.entities)

    def entities_of(self, type_: str) -> tuple[EntityCount, ...]:
        return tuple(c for c in self.entity_counts if c.type == type_)
