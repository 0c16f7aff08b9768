"""Extractive summaries: sentences or clean clause prefixes of the article, in order.

``select_summary`` is the pipeline stage (``analyze`` calls it with the sentences,
entities and keywords earlier stages found); ``summarize`` is the plain-text entry
point. Both delegate to a summarizer of the family in ``summarizer.summarizers``
(default ``"zhaiyao"``, the learned scorers).

Budgets: at most ``max_sentences`` pieces whose characters add up to at most
``max_chars``. A piece is a whole sentence or a clause prefix that reads on its own
(``summarizers.clauses``: never a dangling 但是… or an open quote), used to fill what
is left of the budget; when nothing worth showing fits, one whole sentence is returned
over the budget (see ``summarizers.clauses.fit_piece``). Datelines and leading time/source
adverbials are trimmed off; credits, captions and fragments like ``他说。`` are never
chosen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from summarizer.model import Entity, Sentence
from summarizer.summarizers import DEFAULT, SUMMARIZERS, prepare

# Budgets are counted in Chinese characters; Latin-script text takes about three
# characters (a word and its space) for what one Han character says.
LATIN_CHARS_PER_HAN = 3
CJK_LANGS = frozenset({"zh", "ja", "ko"})


def char_budget(max_chars: int, lang: str | None) -> int:
    """A budget meant for Chinese text (a card's 200 characters), for an article in
    ``lang``: an English card under 200 characters would hold one sentence."""
    return max_chars if lang in CJK_LANGS or lang is None else max_chars * LATIN_CHARS_PER_HAN


def select_summary(
    text: str,
    sentences: Sequence[Sentence],
    *,
    title: str | None = None,
    entities: Iterable[Entity] = (),
    keywords: Iterable[str] = (),
    max_sentences: int = 3,
    max_chars: int | None = None,
    method: str = DEFAULT,
) -> list[Sentence]:
    """The summary sentences (spans into ``text``), in document order."""
    summarizer = SUMMARIZERS[method]
    doc = prepare(text, sentences, title=title, entities=entities, keywords=keywords)
    return summarizer.select(doc, max_sentences=max_sentences, max_chars=max_chars)


def summarize(
    text: str,
    *,
    max_sentences: int = 3,
    max_chars: int | None = None,
    title: str | None = None,
    method: str = DEFAULT,
) -> list[str]:
    """Summary pieces of ``text`` as strings, each a substring of ``text``."""
    doc = prepare(text, title=title)
    chosen = SUMMARIZERS[method].select(doc, max_sentences=max_sentences, max_chars=max_chars)
    return [s.text for s in chosen]
