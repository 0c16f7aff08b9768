"""Page metadata: headline, publish time, author, outlet and language.

The headline is the page's heading element whose text is part of ``<title>`` (the
``<title>`` itself carries site suffixes such as ``_新浪网``); ``og:title`` and JSON-LD
are used when they agree with ``<title>`` or when no heading does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import html as lhtml

from summarizer.dates import parse_date
from summarizer.extraction.html import collapse, text_of

MIN_TITLE_CHARS = 4
MAX_TITLE_CHARS = 120
MIN_TITLE_SHARE = 0.3  # a heading must cover this share of <title> to be the headline
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


def _headings(root: lhtml.HtmlElement) -> Iterator[lhtml.HtmlElement]:
    yield from root.iter("h1", "h2", "h3")
    yield from root.xpath(
        '//body//*[contains(@class,"title") or contains(@id,"title") or '
        'contains(@class,"Title") or contains(@id,"Title") or contains(@class,"headline")]'
    )


def find_title(root: lhtml.HtmlElement, meta: dict[str, str]) -> tuple[str, str | None]:
    """(headline, the visible heading it came from or None)."""
    page_title = collapse(root.findtext(".//title") or "")
    declared = [meta.get("og:title"), meta.get("twitter:title"), meta.get("headline")]
    declared += [_ld_name(d.get("headline")) for d in _json_ld(root) if d.get("headline")]
    norm_title = _norm(page_title)
    best: str | None = None
    for el in _headings(root):
        text = text_of(el)
        n = _norm(text)
        if not MIN_TITLE_CHARS <= len(text) <= MAX_TITLE_CHARS or not norm_title:
            continue
        covers = n in norm_title and len(n) >= MIN_TITLE_SHARE * len(norm_title)
        if covers and (best is None or len(n) > len(_norm(best))):
            best = text
    if best:
        return best, best
    for cand in declared:
        if cand and MIN_TITLE_CHARS <= len(cand) <= MAX_TITLE_CHARS:
            n = _norm(cand)
            if not norm_title or (n in norm_title and len(n) >= 0.5 * len(norm_title)):
                return cand, None
    if page_title:
        return strip_site_name(page_title), None
    for el in root.iter("h1", "h2"):
        text = text_of(el)
        if MIN_TITLE_CHARS <= len(text) <= MAX_TITLE_CHARS:
            return text, text
    return "", None


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
