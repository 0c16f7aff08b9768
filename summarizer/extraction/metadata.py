"""Page metadata: headline, publish time, author, outlet and language.

The headline is the page's heading element whose text is part of ``<title>`` (the
``<title>`` itself carries site suffixes such as ``_新浪网``); ``og:title`` and JSON-LD
are used when they agree with ``<title>`` or when no heading does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import html as lhtml

from summarizer.dates import parse_date
from summarizer.extraction.html import collapse, text_of

MIN_TITLE_CHARS = 4
MAX_TITLE_CHARS = 120
MIN_TITLE_SHARE = 0.3  # a heading must cover this share of <title> to be the headline
FULL_MATCH_SHARE = 0.6  # a heading covering this much of <title> needs no other candidate
MIN_H1_CHARS = 6  # shorter <title> remainders are site names; shorter h1s are logos
TITLE_SEPARATORS = re.compile(
    r"\s*(?:[_|｜丨]|--+|——|\s[-–—]\s|::|(?<=[\u4e00-\u9fff])-(?=[\u4e00-\u9fff]))\s*"
)

DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "published_time",
    "publishdate",
    "publish_date",
    "publish-date",
    "pubdate",
    "pubtime",
    "publishtime",
    "publish_time",
    "datepublished",
    "date.issued",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "og:release_date",
    "weibo:article:create_at",
    "firstpublishedtime",
    "date",
    "dateupdate",
    "datemodified",
    "article:modified_time",
)
AUTHOR_META = ("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author")
SOURCE_META = ("og:site_name", "source", "contentsource", "sitename", "application-name")


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What the page declares about itself (before reading any visible info line)."""

    title: str
    headline_text: str | None  # visible heading text the title came from, if any
    published_at: datetime | None
    author: str | None
    source: str | None
    lang: str | None


def _meta_map(root: lhtml.HtmlElement) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in root.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        val = collapse(m.get("content") or "")
        if key and val and key not in out:
            out[key] = val
    return out


def _json_ld(root: lhtml.HtmlElement) -> Iterator[dict[str, Any]]:
    for s in root.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(s.text or "")
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)


def _ld_name(value: Any) -> str | None:
    if isinstance(value, str):
        return collapse(value) or None
    if isinstance(value, dict):
        return _ld_name(value.get("name"))
    if isinstance(value, list):
        names = [n for n in (_ld_name(v) for v in value) if n]
        return ", ".join(names) or None
    return None


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s).lower()


_TITLE_CLASS_XPATH = (
    '//body//*[contains(@class,"title") or contains(@id,"title") or contains(@class,"Title") '
    'or contains(@id,"Title") or contains(@class,"headline")][count(.//*) <= 6]'
)


def _best_heading(elements: Iterable[lhtml.HtmlElement], norm_title: str) -> str | None:
    """The longest heading text that is part of <title> and covers enough of it."""
    best: str | None = None
    for el in elements:
        text = text_of(el)
        n = _norm(text)
        if not MIN_TITLE_CHARS <= len(text) <= MAX_TITLE_CHARS:
            continue
        covers = n in norm_title and len(n) >= MIN_TITLE_SHARE * len(norm_title)
        if covers and (best is None or len(n) > len(_norm(best))):
            best = text
    return best


def _lone_h1(root: lhtml.HtmlElement) -> str | None:
    """The page's h1 when it reads like a headline (not a logo link or a site banner)."""
    for el in root.iter("h1"):
        text = text_of(el)
        parent = el.getparent()
        linked = (parent is not None and parent.tag == "a") or (
            len(el) == 1 and el[0].tag == "a" and text_of(el[0]) == text
        )
        fits = MIN_H1_CHARS <= len(text) <= MAX_TITLE_CHARS
        if fits and not linked and not TITLE_SEPARATORS.search(text):
            return text
    return None


def find_title(root: lhtml.HtmlElement, meta: dict[str, str]) -> tuple[str, str | None]:
    """(headline, the visible heading it came from or None).

    Order: a heading element contained in <title>; og:title / JSON-LD headline when
    <title> agrees; <title> without its site-name parts; the page's h1 when <title>
    is only a site name.
    """
    page_title = collapse(root.findtext(".//title") or "")
    norm_title = _norm(page_title)
    if norm_title:
        best = _best_heading(root.iter("h1", "h2", "h3"), norm_title)
        if best is None or len(_norm(best)) < FULL_MATCH_SHARE * len(norm_title):
            more = _best_heading(root.xpath(_TITLE_CLASS_XPATH), norm_title)
            if more and (best is None or len(more) > len(best)):
                best = more
        if best:
            return best, best
    declared = [meta.get("og:title"), meta.get("twitter:title"), meta.get("headline")]
    declared += [_ld_name(d.get("headline")) for d in _json_ld(root) if d.get("headline")]
    for cand in declared:
        if cand and MIN_TITLE_CHARS <= len(cand) <= MAX_TITLE_CHARS:
            n = _norm(cand)
            if not norm_title or (n in norm_title and len(n) >= 0.5 * len(norm_title)):
                return cand, None
    stripped = strip_site_name(page_title) if page_title else ""
    if len(stripped) >= MIN_H1_CHARS:
        return stripped, None
    h1 = _lone_h1(root)
    if h1:
        return h1, h1
    return stripped, None


def strip_site_name(title: str) -> str:
    """Drop site-name segments: "标题_新浪财经_新浪网" -> "标题"; keeps the longest part."""
    parts = [p for p in TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) <= 1:
        return title.strip()
    return max(parts, key=len).strip()


def read_meta(root: lhtml.HtmlElement) -> PageMeta:
    meta = _meta_map(root)
    title, headline = find_title(root, meta)
    published = None
    for key in DATE_META:
        if key in meta:
            published = parse_date(meta[key])
            if published:
                break
    author = next((meta[k] for k in AUTHOR_META if meta.get(k)), None)
    source = next((meta[k] for k in SOURCE_META if meta.get(k)), None)
    for item in _json_ld(root):
        if published is None:
            published = parse_date(str(item.get("datePublished") or item.get("dateCreated") or ""))
        if author is None:
            author = _ld_name(item.get("author"))
        if source is None:
            source = _ld_name(item.get("publisher"))
    if published is None:
        for el in root.xpath("//time[@datetime]|//*[@itemprop='datePublished']"):
            published = parse_date(el.get("datetime") or el.get("content") or text_of(el))
            if published:
                break
    if author and (author.startswith("http") or len(author) > 60):
        author = None
    lang = (root.get("lang") or root.get("xml:lang") or meta.get("language") or "").lower()
    return PageMeta(title, headline, published, author, source, lang[:2] or None)
