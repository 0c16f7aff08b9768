"""The extraction rules and fitted choices that ``bench/extract_cv.py`` measures.

A setting is ``{"module:attribute": value}``; ``patched`` applies it for one run and
restores the module afterwards. ``RULES`` switches one rule off each (ablation);
``CHOICES`` are alternative values of the cascade's constants, one of which each
cross-validation fold picks on its training sites (the first is the shipped one).
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator, Sequence
from typing import Any

from summarizer.boilerplate import Family

BP = "summarizer.boilerplate"
BODY = "summarizer.extraction.body"
EXTRACT = "summarizer.extract"
META = "summarizer.extraction.metadata"


def _without(family: Family) -> Any:
    from summarizer import boilerplate

    real = boilerplate._classify_one

    def classify_one(s: str) -> Family | None:
        found = real(s)
        return None if found is family else found

    return classify_one


def _keep(lines: Sequence[str], *_: Any) -> Any:
    return lines


def _none(*_: Any) -> None:
    return None


def _nothing(*_: Any) -> list[str]:
    return []


RULES: dict[str, dict[str, Any]] = {
    **{f"boilerplate {f.value}": {f"{BP}:_classify_one": _without(f)} for f in Family},
    "boilerplate: 【点击…】 call-to-action promo": {f"{BP}:MAX_PROMO_CHARS": 0},
    "tail cut after related/footer heading": {f"{BP}:tail_start": len},
    "related-list runs": {f"{BP}:related_runs": lambda _lines: set()},
    "trailing credit strip": {f"{BP}:strip_trailing_credit": lambda s: s},
    "second opinion (densest run)": {f"{EXTRACT}:_second_opinion": _keep},
    "strip headline/deck": {f"{EXTRACT}:_strip_head": _keep},
    "drop captions": {f"{BODY}:drop_captions": _none},
    "drop chrome tags first": {f"{BODY}:CHROME_TAGS": ("zhaiyao-none",)},
    "link-line filter": {f"{BODY}:MAX_LINE_LINK_SHARE": 2.0},
    "trafilatura fallback": {f"{BODY}:trafilatura_lines": _nothing},
    "title: lone h1": {f"{META}:_lone_h1": _none},
}

CHOICES: dict[str, dict[str, Any]] = {
    "shipped": {},
    "dates: metadata first": {f"{EXTRACT}:DATE_ORDER": ("metadata", "headline", "url", "body")},
    "trim readability's container too": {
        f"{EXTRACT}:TRIMMED": frozenset({"readability", "trafilatura", "baseline"})
    },
    "no sparse-container trim": {f"{EXTRACT}:TRIMMED": frozenset()},
}


@contextlib.contextmanager
def patched(settings: dict[str, Any]) -> Iterator[None]:
    """Apply ``{"module:attribute": value}`` for the duration of the block."""
    saved = []
    try:
        for key, value in settings.items():
            mod_name, attr = key.split(":")
            mod = importlib.import_module(mod_name)
            saved.append((mod, attr, getattr(mod, attr)))
            setattr(mod, attr, value)
        yield
    finally:
        for mod, attr, value in reversed(saved):
            setattr(mod, attr, value)
