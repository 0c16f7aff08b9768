"""Pasted text -> Article, including whole copied web pages (menus, share buttons,
kicker and deck, editor line, disclaimer, related-story lists, footer).

The same line rules as ``extract`` (``summarizer.boilerplate``) drop the furniture;
the body is the densest run of prose lines; the headline is the line just above the
page's info line ("来源:云南日报 2020-07-17 09:45:57"), else a line the page repeats,
else the first short line; source, time and author come from that info line and
from the byline in parentheses closing the article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from summarizer.boilerplate import classify, filter_lines, related_runs, tail_start, unreadable
from summarizer.dates import english_date
from summarizer.errors import EmptyText, NotAnArticle
from summarizer.extraction.body import join_broken_lines, prose_blocks
from summarizer.extraction.byline import (
    InfoLine,
    byline_author,
    dateline_author,
    parse_info_line,
)
from summarizer.extraction.html import collapse
from summarizer.extraction.lang import detect_lang
from summarizer.model import Article

MAX_TITLE_CHARS = 80  # a headline is one short line
MAX_LATIN_TITLE_CHARS = 150  # in Latin script a character says less
MIN_TITLE_CHARS = 4
MIN_TITLE_WORDS = 3
MIN_MENU_ITEMS = 5  # a Chinese line of this many space-separated items is a menu
INFO_BONUS = 3.0  # weight of a prose run that starts just below an info line
HEAD_LOOKBACK_LINES = 12  # how far above the body the headline and info line may sit
MAX_SWALLOWED_HEAD = 4  # lines at the top of a prose run that may be headline + info
INFO_SPREAD = 2  # date, 来源 and 作者 may each sit on their own line this close together
TITLE_ABOVE_INFO = 2  # the headline sits at most this many lines above the info line
_BULLET = re.compile(r"^[\s•·●▪◦■□◆◇▶►\-*>]+")
_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]?")
_HAN = re.compile(r"[\u4e00-\u9fff]")
HEAD_WINDOW = 8  # lines above a Latin-script body searched for its headline
MAX_LATIN_INFO_CHARS = 100  # an English date or byline line
_BY = re.compile(r"^By\s+(?P<name>[A-Z][\w.'-]+(?:\s+(?:and\s+)?[A-Z][\w.'-]+){0,4})\s*$")
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")
# Three or more straight quotes in a row are never prose: a scraper's or a program's
# string delimiters ("""全文…""") copied with the text.
_QUOTE_RUN = re.compile(r"\"{3,}|'{3,}")


def _lines(text: str) -> list[str]:
    out = []
    text = _QUOTE_RUN.sub("", text)
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = collapse(_BULLET.sub("", raw)) if _BULLET.match(raw) else collapse(raw)
        if line:
            out.append(line)
    return out


def _key(s: str) -> str:
    return re.sub(r"\s", "", s)


def _is_title_like(line: str) -> bool:
    """A headline: one short line, no sentence break inside, not furniture or info; in
    Latin script at least ``MIN_TITLE_WORDS`` words (Home, search, RT Shop and the font
    widget "T + -" are not headlines)."""
    han = _HAN.search(line) is not None
    return (
        MIN_TITLE_CHARS <= len(line) <= (MAX_TITLE_CHARS if han else MAX_LATIN_TITLE_CHARS)
        # a Chinese line of many space-separated items is a menu: 首页 iPhone iPad Mac 应用游戏
        and (len(line.split()) < MIN_MENU_ITEMS if han else _words(line) >= MIN_TITLE_WORDS)
        and "。" not in line
        and line.count(">") + line.count("›") < 2  # breadcrumbs
        and line.count("|") < 2
        and classify(line) is None
        and parse_info_line(line) is None
    )


def _words(line: str) -> int:
    return sum(1 for token in line.split() if any(ch.isalnum() for ch in token))


def _headline(lines: Sequence[str], body_start: int) -> tuple[str | None, InfoLine | None]:
    """(headline, its info line) from the lines above the body.

    The info line nearest the body wins; the headline is the longest title-like line
    at most ``TITLE_ABOVE_INFO`` lines above it (a byline name may sit in between).
    """
    head = lines[:body_start]
    info_at = [(i, parse_info_line(x)) for i, x in enumerate(head)]
    infos = [i for i, f in info_at if _is_head_info(f)]
    for i in reversed(infos):
        above = [head[j] for j in range(max(0, i - TITLE_ABOVE_INFO), i) if _is_title_like(head[j])]
        if above:
            return max(above, key=len), _merged_info(head, i)
    info = _merged_info(head, infos[-1]) if infos else None
    seen: dict[str, int] = {}
    for i, line in enumerate(head):
        if _is_title_like(line):
            if _key(line) in seen:
                return head[seen[_key(line)]], info
            seen[_key(line)] = i
    if info is None and head and not _HAN.search("".join(head[-HEAD_WINDOW:])):
        return _latin_headline(head[-HEAD_WINDOW:]), _latin_info(head[-HEAD_WINDOW:])
    first = next((x for x in head if _is_title_like(x)), None)
    return first, info


def _latin_headline(near: Sequence[str]) -> str | None:
    """A Latin-script page pasted whole: the longest title-like line just above the body
    that is not a date or byline (site menus come first on such pages, the headline last)."""
    found = [
        x
        for x in near
        if _is_title_like(x) and not (english_date(x) or x.startswith("By ") or _CLOCK.search(x))
    ]
    return max(found, key=len, default=None)


def _latin_info(near: Sequence[str]) -> InfoLine | None:
    """Date and byline among the lines just above a Latin-script body ("Nov 20, 2019 12:03",
    "By Marcia Dunn"), or None."""
    when = next((d for x in near if (d := english_date(x)) is not None), None)
    author = next((m["name"] for x in near if (m := _BY.match(x))), None)
    if when is None and author is None:
        return None
    return InfoLine(when, None, author, False, False)


def _is_latin_info(line: str) -> bool:
    """A short English date or byline line ("20 Nov, 2019 05:47", "By HNN Staff")."""
    return (
        len(line) <= MAX_LATIN_INFO_CHARS
        and not _HAN.search(line)
        and (english_date(line) is not None or line.startswith("By "))
    )


def _fallback_title(body: Sequence[str]) -> str:
    first = _SENTENCE.match(body[0])
    sentence = (first.group(0) if first else body[0]).strip()
    return sentence[:MAX_TITLE_CHARS]


def _body_block(
    lines: Sequence[str], where: Sequence[int], kept: Sequence[str], related: set[int]
) -> tuple[int, int]:
    """The prose run that is the article: the densest one, with runs that start just
    below an info line (the article's own 来源/时间 line) counted ``INFO_BONUS`` times."""
    dated = [i for i, x in enumerate(lines) if i not in related and _is_info(x)]
    best = (0.0, 0, 0)
    for score, start, end in prose_blocks(kept):
        above = where[start]
        near = any(0 < above - i <= HEAD_LOOKBACK_LINES for i in dated)
        weighted = score * (INFO_BONUS if near else 1.0)
        if weighted > best[0]:
            best = (weighted, start, end)
    return best[1], best[2]


def _is_info(line: str) -> bool:
    info = parse_info_line(line)
    return bool(info and info.published_at)


def _after_info(lines: Sequence[str], where: Sequence[int], start: int, end: int) -> int:
    """Move the body start past a headline + info line that the prose run swallowed
    (a headline with commas and a closing ！ looks like prose)."""
    last = where[min(start + MAX_SWALLOWED_HEAD, end - 1)]
    for i in range(last, where[start] - 1, -1):
        if _is_head_info(parse_info_line(lines[i])):
            nxt = next((k for k in range(start, end) if where[k] > i), None)
            return nxt if nxt is not None else start
    return start


def _is_head_info(info: InfoLine | None) -> bool:
    return bool(info and (info.published_at or info.source or info.labelled_date))


def _merged_info(lines: Sequence[str], at: int) -> InfoLine:
    """Fields of the info lines around ``at`` together (date and 来源 on separate lines)."""
    infos = [parse_info_line(x) for x in lines[max(0, at - INFO_SPREAD) : at + INFO_SPREAD + 1]]
    found = [f for f in infos if f is not None]
    return InfoLine(
        published_at=next((f.published_at for f in found if f.published_at), None),
        source=next((f.source for f in found if f.source), None),
        author=next((f.author for f in found if f.author), None),
        labelled_date=any(f.labelled_date for f in found),
        has_labels=any(f.has_labels for f in found),
    )


def clean_text(text: str) -> Article:
    """Clean pasted text into an Article; raises EmptyText / NotAnArticle."""
    if not text or not text.strip():
        raise EmptyText("no text")
    lines = _lines(text)
    lines = lines[: tail_start(lines)]
    related = related_runs(lines)
    where = [i for i, x in enumerate(lines) if i not in related and classify(x) is None]
    kept = [lines[i] for i in where]
    if not kept:
        raise NotAnArticle("only page furniture, no article text")
    start, end = _body_block(lines, where, kept, related)
    if end <= start:  # no prose line: a short note or a headline-only paste
        start, end = 0, len(kept)
    start = _after_info(lines, where, start, end)
    # Info lines are credit-like ("来源:…") and so not in ``kept``: look in all lines.
    title, info = _headline(lines, where[start])
    body = [x for x in filter_lines(kept[start:end]) if title is None or _key(x) != _key(title)]
    if not body:
        raise NotAnArticle("no article text")
    if unreadable("".join(body)):
        raise NotAnArticle("unreadable text (binary or wrongly encoded)")
    if title is None or (start == 0 and title == body[0]):
        if len(body) > 1 and _is_title_like(body[0]):  # a paste that starts with its headline
            title, body = body[0], body[1:]
        else:
            title = _fallback_title(body)
    while len(body) > 1 and _is_latin_info(body[0]):  # Nov 20, 2019 05:47 / By Marcia Dunn
        info = info or _latin_info(body[:1])
        body = body[1:]
    author = (info.author if info else None) or byline_author(body[-1]) or dateline_author(body[0])
    return Article(
        title=title,
        text="\n".join(join_broken_lines(body)),
        source=info.source if info else None,
        author=author,
        published_at=info.published_at if info else None,
        lang=detect_lang(title + "".join(body[:3])),
    )
