"""Page metadata: headline, publish time, author, outlet and language.

The headline is the page's heading element whose text is part of ``<title>`` (the
``<title>`` itself carries site suffixes such as ``_新浪网``); ``og:title`` and JSON-LD
are used when they agree with ``<title>`` or when no heading does. A site name the page
gives itself (``og:site_name`` …) is cut from the ends of a title. The publish date is
read in one fixed order (``_published``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree
from lxml import html as lhtml

from summarizer.dates import english_date, parse_date
from summarizer.extraction.html import collapse, text_of

MIN_TITLE_CHARS = 4
MAX_TITLE_CHARS = 120
MIN_TITLE_SHARE = 0.3  # a heading must cover this share of <title> to be the headline
MIN_H1_CHARS = 6  # shorter <title> remainders are site names; shorter h1s are logos
TITLE_SEPARATORS = re.compile(
    r"\s*(?:[_|｜丨]|--+|——|\s[-–—]\s|::|(?<=[\u4e00-\u9fff])-(?=[\u4e00-\u9fff]))\s*"
)

# Publish-date evidence in the order it is read (documented in ``read_meta``).
PUBLISHED_META = (
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
    "citation_publication_date",
    "citation_date",
    "citation_online_date",
    "sailthru.date",
    "parsely-pub-date",
    "og:release_date",
    "weibo:article:create_at",
    "firstpublishedtime",
    "date",
)
MODIFIED_META = ("dateupdate", "datemodified", "article:modified_time", "og:updated_time")
_ARTICLE_TYPE = re.compile(r"Article|BlogPosting|Report|NewsArticle|Posting", re.I)
AUTHOR_META = ("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author")
SITE_NAME_META = ("og:site_name", "application-name", "apple-mobile-web-app-title")
MIN_SITE_NAME_CHARS = 2
# A separator between a headline and the site's name (edges only: "-" inside "Wi-Fi" stays).
_EDGE_SEP = r"\s*(?:[-_|｜丨–—:：·•»~]|--+|——)\s*|\s+"
SOURCE_META = ("og:site_name", "source", "contentsource", "sitename", "application-name")


# <time datetime> and itemprop=datePublished elements, in document order: the same as
# "//time[@datetime]|//*[@itemprop='datePublished']", reached from the attribute (libxml2
# tests a predicate on "//*" against every node of the page: 3-4x slower).
_DATED_ELEMENTS = etree.XPath("//time[@datetime] | //@itemprop[. = 'datePublished']/..")


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


def json_ld(root: lhtml.HtmlElement) -> Iterator[dict[str, Any]]:
    # (a C-level walk over the <script>s: an XPath query with a predicate reads every node)
    scripts = [s for s in root.iter("script") if s.get("type") == "application/ld+json"]
    for s in scripts:
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
        if best:
            return best, best
    names = site_names(root, meta)
    declared = [meta.get("og:title"), meta.get("twitter:title"), meta.get("headline")]
    declared += [_ld_name(d.get("headline")) for d in json_ld(root) if d.get("headline")]
    for cand in declared:
        if cand and MIN_TITLE_CHARS <= len(cand) <= MAX_TITLE_CHARS:
            cand = strip_site_suffix(cand, names)
            n = _norm(cand)
            if not norm_title or (n in norm_title and len(n) >= 0.5 * len(norm_title)):
                return cand, None
    stripped = strip_site_name(strip_site_suffix(page_title, names)) if page_title else ""
    if len(stripped) >= MIN_H1_CHARS and _norm(stripped) not in {_norm(n) for n in names}:
        return stripped, None
    h1 = _lone_h1(root)
    if h1:
        return h1, h1
    return stripped, None


def site_names(root: lhtml.HtmlElement, meta: dict[str, str]) -> list[str]:
    """The names the page gives its site (og:site_name, application-name, the JSON-LD
    publisher or WebSite), longest first: what a title suffix such as "-EDN 电子技术设计"
    is made of, learned from the page itself rather than from a list of sites."""
    names = [meta.get(k) for k in SITE_NAME_META]
    for item in json_ld(root):
        names.append(_ld_name(item.get("publisher")))
        if str(item.get("@type")) == "WebSite":
            names.append(_ld_name(item.get("name")))
    found = {n for n in names if n and MIN_SITE_NAME_CHARS <= len(n) <= MAX_TITLE_CHARS // 2}
    return sorted(found, key=len, reverse=True)


def strip_site_suffix(title: str, names: Iterable[str]) -> str:
    """``title`` without a leading or trailing site name set off by a separator:
    "Headline | Example News" -> "Headline", "示例网：标题" -> "标题"."""
    for name in names:
        e = re.escape(name)
        cut = re.sub(rf"(?:{_EDGE_SEP}){e}\s*$", "", title, flags=re.I)
        cut = re.sub(rf"^\s*{e}(?:{_EDGE_SEP})", "", cut, flags=re.I)
        if cut != title and len(cut.strip()) >= MIN_TITLE_CHARS:
            title = cut.strip()
    return title


def strip_site_name(title: str) -> str:
    """Drop site-name segments: "标题_新浪财经_新浪网" -> "标题"; keeps the longest part."""
    parts = [p for p in TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) <= 1:
        return title.strip()
    return max(parts, key=len).strip()


def _date(value: object) -> datetime | None:
    text = str(value or "")
    return parse_date(text) or english_date(text)


def _published(root: lhtml.HtmlElement, meta: dict[str, str]) -> datetime | None:
    """The page's declared publish date, in a fixed order: JSON-LD ``datePublished`` of an
    Article-type item; publish-time ``<meta>`` tags (Open Graph, ``article:``, ``pubdate``,
    Dublin Core, citation); ``<time datetime>`` / ``itemprop=datePublished``; any other
    JSON-LD ``datePublished``; last, a modified-time tag (better than nothing)."""
    items = list(json_ld(root))
    typed = [d for d in items if _ARTICLE_TYPE.search(str(d.get("@type") or ""))]
    candidates: list[object] = [d.get("datePublished") for d in typed]
    candidates += [meta.get(k) for k in PUBLISHED_META]
    for el in _DATED_ELEMENTS(root):
        candidates.append(el.get("datetime") or el.get("content") or text_of(el))
    candidates += [d.get("datePublished") or d.get("dateCreated") for d in items]
    candidates += [meta.get(k) for k in MODIFIED_META]
    return next((d for c in candidates if c and (d := _date(c))), None)


def read_meta(root: lhtml.HtmlElement) -> PageMeta:
    meta = _meta_map(root)
    title, headline = find_title(root, meta)
    author = next((meta[k] for k in AUTHOR_META if meta.get(k)), None)
    source = next((meta[k] for k in SOURCE_META if meta.get(k)), None)
    for item in json_ld(root):
        if author is None:
            author = _ld_name(item.get("author"))
        if source is None:
            source = _ld_name(item.get("publisher"))
    if author and (author.startswith("http") or len(author) > 60):
        author = None
    lang = (root.get("lang") or root.get("xml:lang") or meta.get("language") or "").lower()
    return PageMeta(title, headline, _published(root, meta), author, source, lang[:2] or None)
