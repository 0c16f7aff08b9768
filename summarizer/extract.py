"""HTML -> Article: a cascade with a typed outcome (trafilatura's shape).

1. main extractor: readability-lxml's container scoring on our parsed tree;
2. fallback: trafilatura when the main result is too short;
3. baseline: the densest run of paragraph-like lines of the whole page.
Each candidate body goes through the shared boilerplate rules (a fallback's page-wide
text is also trimmed to its densest prose); the first that keeps ``MIN_MAIN_CHARS`` wins,
and a far larger densest-prose run that contains it may replace readability's (a second
opinion). Title, date, author and source come from the page's own declarations
(``extraction.metadata``) and its visible info line near the headline; the date evidence
is read in the fixed order ``DATE_ORDER``. Which rules earn their keep is measured by
leave-one-site-out cross-validation (``bench/extract_cv.py``).
A page with no article (a list of headlines, search results, a video, a login wall)
raises ``NotAnArticle`` or the subclass that says which (``extraction.pagekind``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml import html as lhtml

from summarizer.boilerplate import Family, filter_lines
from summarizer.charset import decode_html
from summarizer.dates import date_from_url, english_date
from summarizer.errors import EmptyText, NotAnArticle
from summarizer.extraction import body as bodies
from summarizer.extraction.byline import InfoLine, byline_author, parse_info_line
from summarizer.extraction.html import (
    Line,
    lines_with_links,
    parse_xml_safe,
    prune,
    without_control_chars,
)
from summarizer.extraction.lang import detect_lang
from summarizer.extraction.metadata import PageMeta, read_meta
from summarizer.extraction.pagekind import declared, refuse
from summarizer.model import Article

log = logging.getLogger(__name__)

MIN_BODY_CHARS = 80  # below this a candidate body is not an article (try the next extractor)
MIN_MAIN_CHARS = 200  # readability results shorter than this are checked against fallbacks
BASELINE_OVERRIDE_RATIO = 2.0  # the baseline replaces readability when this much larger
MIN_SHARED_SHARE = 0.8  # ... and holds this share of readability's text
# Extractors whose sparse output is trimmed to its densest prose run. Not readability's:
# it scored its container as an article, and short unpunctuated lines in it are the
# article's (a blog of one-clause lines); the fallbacks return page-wide text.
TRIMMED = frozenset({"trafilatura", "baseline"})
MAX_KICKER_LINES = 3  # short lines above the headline inside the container
MAX_DECK_CHARS = 60  # deck and info lines under the headline are shorter than this
INFO_WINDOW_LINES = 8  # info lines are searched this far around the headline / body start
AROUND_BODY_LINES = 15  # last resort: labelled date lines this close to the body
MAX_DATELINE_CHARS = 160  # an English dateline under the headline is at most this long
# Where the publish date is looked for, in order. The visible line under the headline
# comes first: portals declare a modified or crawl time in <meta> more often than they
# misprint the date they show (chosen by leave-one-site-out CV, bench/extract_cv.py).
DATE_ORDER = ("headline", "metadata", "url", "body")


@dataclass(frozen=True, slots=True)
class Body:
    """Outcome of the body cascade: the lines kept and which extractor produced them."""

    lines: tuple[str, ...]
    extractor: str

    @property
    def size(self) -> int:
        return sum(len(x) for x in self.lines)


def extract_body(
    root: lhtml.HtmlElement,
    html: str,
    url: str | None,
    families: dict[str, Family | None] | None = None,
) -> Body:
    """Run the cascade; the first body of ``MIN_MAIN_CHARS`` wins, else the largest of at
    least ``MIN_BODY_CHARS``, else an empty body. ``families``: see ``filter_lines``."""
    cascade: tuple[tuple[str, Callable[[], list[str]]], ...] = (
        ("readability", lambda: bodies.readability_lines(root)),
        ("trafilatura", lambda: bodies.trafilatura_lines(html, url)),
        ("baseline", lambda: bodies.baseline_lines(root)),
    )
    best = Body((), "none")
    for name, step in cascade:
        lines = filter_lines(step(), families)
        found = Body(tuple(bodies.trim_sparse(lines) if name in TRIMMED else lines), name)
        if found.size >= MIN_MAIN_CHARS:
            return found
        if found.size > best.size:
            best = found
    return best if best.size >= MIN_BODY_CHARS else Body((), "none")


def _second_opinion(
    body: Body, page: Sequence[Line], families: dict[str, Family | None] | None = None
) -> Body:
    """Readability sometimes keeps one fragment of an article split across containers
    (old table layouts); the page's densest prose run wins when it is far larger."""
    if body.extractor != "readability":
        return body
    densest = filter_lines(bodies.densest_lines(page), families)
    base = Body(tuple(bodies.trim_sparse(densest)), "baseline")
    if base.size <= BASELINE_OVERRIDE_RATIO * body.size:
        return body
    # Only a run that contains what readability found may replace it (an extension of
    # the same article, not a longer comment thread elsewhere on the page).
    inside = set(base.lines)
    shared = sum(len(x) for x in body.lines if x in inside)
    return base if shared >= MIN_SHARED_SHARE * body.size else body


def _find_line(lines: Sequence[str], needle: str, start: int = 0) -> int:
    key = re.sub(r"\s", "", needle)
    if not key:
        return -1
    for i in range(start, len(lines)):
        if re.sub(r"\s", "", lines[i]) == key:
            return i
    for i in range(start, len(lines)):
        if key[:20] in re.sub(r"\s", "", lines[i]):
            return i
    return -1


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where the headline and the body sit among the page's visible lines (-1: not found)."""

    head: int
    first: int
    last: int


def _layout(page: Sequence[str], title: str, body: Sequence[str]) -> _Layout:
    head = _find_line(page, title) if title else -1
    first = _find_line(page, body[0], max(head, 0)) if body else -1
    last = _find_line(page, body[-1], max(first, 0)) if body else -1
    return _Layout(head, first, last)


def _info_near(page: Sequence[str], at: _Layout) -> list[InfoLine]:
    """Info lines under the headline or just above the body (the usual 来源/时间 line).

    A label alone on its line ("发布日期：") is read together with the next line.
    """
    rows: list[int] = []
    if at.head >= 0:
        hi = at.head + 1 + INFO_WINDOW_LINES
        rows += range(at.head + 1, min(hi, at.first + 1) if at.first > at.head else hi)
    if at.first >= 0:
        # The first "body" line may itself be the info line (forum posts: title, date, 楼主).
        near = range(max(0, at.first - INFO_WINDOW_LINES), at.first + 1)
        rows += [i for i in near if i not in rows]
    found = [parse_info_line(_with_next(page, i)) for i in rows if i < len(page)]
    return [f for f in found if f is not None]


def _with_next(page: Sequence[str], i: int) -> str:
    line = page[i]
    if line.endswith((":", "：")) and i + 1 < len(page):
        return f"{line} {page[i + 1]}"
    return line


def _date_under_headline(
    infos: Sequence[InfoLine], page: Sequence[str], at: _Layout
) -> datetime | None:
    """The info line under the headline (labelled ones first: 发布时间 …), else an English
    dateline ("March 3, 2024") between the headline and the body."""
    dated = [i for i in infos if i.published_at]
    labelled = [i for i in dated if i.labelled_date or i.has_labels]
    for group in (labelled, dated):
        if group:
            return group[0].published_at
    if at.head < 0:
        return None
    stop = at.first if at.first > at.head else at.head + 1 + INFO_WINDOW_LINES
    for line in page[at.head + 1 : min(stop, at.head + 1 + INFO_WINDOW_LINES)]:
        if len(line) <= MAX_DATELINE_CHARS and (found := english_date(line)):
            return found
    return None


def _date_around_body(page: Sequence[str], at: _Layout) -> datetime | None:
    """A labelled date line (发表于 …) just before or after the body; never a comment
    further down."""
    if at.first < 0:
        return None
    lo = max(0, min(at.first, at.head if at.head >= 0 else at.first) - AROUND_BODY_LINES)
    hi = max(at.last, at.first) + AROUND_BODY_LINES
    for i in range(lo, min(hi, len(page))):
        info = parse_info_line(_with_next(page, i))
        if info and info.published_at and (info.labelled_date or info.source):
            return info.published_at
    return None


def _pick_date(
    meta: PageMeta, infos: Sequence[InfoLine], url: str | None, page: Sequence[str], at: _Layout
) -> datetime | None:
    """The first date found in ``DATE_ORDER``: the line under the headline, the page's
    declared metadata (``read_meta`` has its own fixed order), the URL, a labelled date
    line around the body."""
    evidence: dict[str, Callable[[], datetime | None]] = {
        "headline": lambda: _date_under_headline(infos, page, at),
        "metadata": lambda: meta.published_at,
        "url": lambda: date_from_url(url),
        "body": lambda: _date_around_body(page, at),
    }
    return next((d for step in DATE_ORDER if (d := evidence[step]())), None)


def _strip_head(lines: list[str], title: str) -> list[str]:
    """Drop the headline with its kicker (short lines above it) and deck and info lines
    (short lines between it and the first paragraph) when they lead the container."""
    key = re.sub(r"\s", "", title)
    out = list(lines)
    at = next(
        (i for i, x in enumerate(out[: MAX_KICKER_LINES + 1]) if re.sub(r"\s", "", x) == key), -1
    )
    if at >= 0 and not any(bodies.is_paragraph(x) for x in out[:at]):
        out = out[at + 1 :]
        while out and len(out[0]) < MAX_DECK_CHARS and not bodies.is_paragraph(out[0]):
            out.pop(0)
    while out and len(out[0]) < MAX_DECK_CHARS and parse_info_line(out[0]):
        out.pop(0)
    return out


def extract_article(html: str | bytes, url: str | None = None) -> Article:
    """Extract the article of one page; raises NotAnArticle or EmptyText, never returns None."""
    text = without_control_chars(decode_html(html)[0] if isinstance(html, bytes) else html)
    if not text.strip():
        raise EmptyText("empty page")
    try:
        root = parse_xml_safe(text)
    except ValueError as exc:
        raise NotAnArticle(str(exc)) from exc
    meta = read_meta(root)
    kind = declared(root, url)
    prune(root)
    families: dict[str, Family | None] = {}  # line -> boilerplate family, for this page
    body = extract_body(root, text, url, families)
    body_el = root.find("body")
    page_lines = lines_with_links(body_el if body_el is not None else root)
    body = _second_opinion(body, page_lines, families)
    log.debug("body from %s: %d chars", body.extractor, body.size)
    lines = list(body.lines)
    page = [ln.text for ln in page_lines]
    refusal = refuse(kind, root, lines, page)
    if refusal is not None:
        raise refusal
    at = _layout(page, meta.title, lines)
    infos = _info_near(page, at)
    lines = _strip_head(lines, meta.title)
    if not lines:
        raise NotAnArticle("no article text found")
    source = next((i.source for i in infos if i.source), None) or meta.source
    author = next((i.author for i in infos if i.author), None) or meta.author
    author = author or byline_author(lines[-1])
    body_text = "\n".join(bodies.join_broken_lines(lines))
    return Article(
        title=meta.title or lines[0][:60],
        text=body_text,
        url=url,
        source=source,
        author=author,
        published_at=_pick_date(meta, infos, url, page, at),
        lang=detect_lang(meta.title + body_text, meta.lang),
    )
