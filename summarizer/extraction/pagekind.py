"""Pages that hold no article: login walls, search results, videos, lists of headlines.

Each test reads a signal any site gives, not one site's layout: a password field, a
search query in the URL or "search results" in the title, a page that declares itself a
video (Open Graph ``og:type`` ``video.*``, JSON-LD ``VideoObject`` and no ``Article``),
and a "body" that is a list — mostly links, or short lines each carrying a date (the
滚动新闻 index). A page is refused only when its text is too short or too list-like to be
an article: a news story with an embedded video or a search box is still read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import html as lhtml

from summarizer.boilerplate import unreadable
from summarizer.dates import find_dates
from summarizer.errors import ListPage, LoginWall, NotAnArticle, SearchPage, VideoPage
from summarizer.extraction.body import is_paragraph
from summarizer.extraction.html import link_density
from summarizer.extraction.metadata import json_ld

MAX_LOGIN_CHARS = 400  # a page with a password field, less text and < 2 paragraphs: login
MAX_VIDEO_CHARS = 300  # a declared video page with less text has nothing to summarise
MAX_SEARCH_PROSE = 600  # search snippets: below this much prose a search page is refused
MAX_LIST_LINK_DENSITY = 0.6  # a page whose text is mostly links is a list/index page
MIN_LIST_ITEMS = 5  # lines needed before a body can be a list of dated items
MIN_DATED_SHARE = 0.5  # ... when at least this share of them carries a date
MAX_LIST_PROSE_SHARE = 0.5  # ... and less than this share of its text is prose
# Not "s=": WordPress searches use it, but so do share-tracking tags on article links.
_SEARCH_QUERY = re.compile(r"(?:^|&)(?:q|query|keywords?|kw|wd|searchword)=[^&]", re.I)
_SEARCH_PATH = re.compile(r"/(?:search|so|sousuo)(?:[/._?-]|$)", re.I)
_SEARCH_TITLE = re.compile(r"搜索结果|search results|you searched for", re.I)
_ARTICLE_TYPES = re.compile(r"Article|Posting|Report", re.I)


@dataclass(frozen=True, slots=True)
class Declared:
    """What the page says it is, read before pruning drops <head> and form controls."""

    password: bool
    search: bool
    video: bool


def declared(root: lhtml.HtmlElement, url: str | None) -> Declared:
    # C-level walks over the few <input>s and <meta>s (see ``metadata.json_ld``)
    password = any(el.get("type") == "password" for el in root.iter("input"))
    return Declared(password, is_search(root, url), is_video(root))


def is_search(root: lhtml.HtmlElement, url: str | None) -> bool:
    parts = urlsplit(url or "")
    if _SEARCH_QUERY.search(parts.query) or _SEARCH_PATH.search(parts.path):
        return True
    return bool(_SEARCH_TITLE.search(root.findtext(".//title") or ""))


def is_video(root: lhtml.HtmlElement) -> bool:
    og = [
        content
        for el in root.iter("meta")
        if el.get("property") == "og:type" and (content := el.get("content")) is not None
    ]
    if og and str(og[0]).strip().lower().startswith("video"):
        return True
    types = {str(item.get("@type")) for item in json_ld(root)}
    return any("VideoObject" in t for t in types) and not any(
        _ARTICLE_TYPES.search(t) for t in types
    )


def is_list(root: lhtml.HtmlElement, body: Sequence[str]) -> bool:
    prose = [x for x in body if is_paragraph(x)]
    page = root.find("body")
    # (the page's link density last: it reads every link of the page)
    if page is not None and len(prose) < 2 and link_density(page) > MAX_LIST_LINK_DENSITY:
        return True
    if len(body) < MIN_LIST_ITEMS:
        return False
    dated = sum(bool(find_dates(x)) for x in body)
    prose_chars = sum(len(x) for x in prose)
    total = sum(len(x) for x in body) or 1
    return dated >= MIN_DATED_SHARE * len(body) and prose_chars < MAX_LIST_PROSE_SHARE * total


def refuse(
    page: Declared, root: lhtml.HtmlElement, body: Sequence[str], lines: Sequence[str]
) -> NotAnArticle | None:
    """Why this page is not an article (the error to raise), or None when it may be one.
    ``body`` is what the extractors found, empty when they found nothing; then the list
    test reads all the page's ``lines``."""
    size = sum(len(x) for x in body)
    paragraphs = [x for x in body if is_paragraph(x)]
    # A login box in a portal's header sits beside short articles of two paragraphs.
    if page.password and size < MAX_LOGIN_CHARS and len(paragraphs) < 2:
        return LoginWall("login form")
    prose = sum(len(x) for x in paragraphs)
    if page.search and (prose < MAX_SEARCH_PROSE or is_list(root, body)):
        return SearchPage("search results")
    if size < MAX_VIDEO_CHARS and page.video:
        return VideoPage("video page")
    if is_list(root, body or lines):
        return ListPage("list page")
    if body and unreadable("".join(body)):
        return NotAnArticle("unreadable text (binary or wrongly encoded)")
    return None if body else NotAnArticle("no article text found")
