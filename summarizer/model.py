"""The typed objects that flow through the pipeline.

Sentences and entities are spans into ``Article.text`` (start inclusive, end
exclusive, Python code points), so nothing downstream re-parses a string that an
earlier stage already understood.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

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


def count_entities(entities: tuple[Entity, ...] | list[Entity]) -> tuple[EntityCount, ...]:
    """Distinct (text, type) pairs, most mentioned first, ties in order of first mention."""
    counts = Counter((e.text, e.type) for e in entities)
    first: dict[tuple[str, str], int] = {}
    for i, e in enumerate(entities):
        first.setdefault((e.text, e.type), i)
    ordered = sorted(counts, key=lambda k: (-counts[k], first[k]))
    return tuple(EntityCount(text, type_, counts[(text, type_)]) for text, type_ in ordered)


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the NLP stages learned about one article."""

    article: Article
    sentences: tuple[Sentence, ...]
    summary: tuple[Sentence, ...]
    entities: tuple[Entity, ...]
    keywords: tuple[str, ...]
    fingerprint: tuple[int, ...] = field(default=())

    @property
    def entity_counts(self) -> tuple[EntityCount, ...]:
        return count_entities(self.entities)

    def entities_of(self, type_: str) -> tuple[EntityCount, ...]:
        return tuple(c for c in self.entity_counts if c.type == type_)
