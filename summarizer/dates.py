"""Publish-date parsing for Chinese and English news pages and pasted text.

Understands ISO 8601 (``2020-07-17T09:45:57+08:00``), numeric dates with ``-``, ``/``
or ``.`` (``2020-07-17 09:45``), Chinese dates (``2020年7月17日 09:45``,
``2020年07月17日09时45分``), English month names (``english_date`` only) and dates in
URLs (``/2020-07/17/``, ``t20200717_``, ``/20200717/``, ``/2020/0717/``). A time without
a zone is Beijing time: China has kept one zone (UTC+8, no daylight saving) since 1991.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

SHANGHAI: tzinfo = ZoneInfo("Asia/Shanghai")
MIN_YEAR = 1990
MAX_YEAR = 2100

_TIME = (
    r"(?:\s*[T ]?\s*(?P<H>[01]?\d|2[0-3])\s*(?:[:：]|时|点)\s*(?P<M>[0-5]\d)"
    r"(?:\s*(?:[:：]|分)\s*(?P<S>[0-5]\d)(?:\.\d+)?)?"
    r"(?P<tz>Z|[+-]\d\d:?\d\d)?(?:\s*(?P<ampm>[AaPp][Mm])\b)?)?"
)
_DATE_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)\s*(?P<sep>[-/.年])\s*(?P<m>[01]?\d)\s*[-/.月]\s*"
    r"(?P<d>[0-3]?\d)(?!\d)\s*日?" + _TIME
)
# Day-first or month-first with the year last (7/5/2005 9:23:57 PM): the unambiguous
# reading when one number exceeds 12, else day-first (the international order).
_DMY_RE = re.compile(
    r"(?<![\d/])(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/(?P<y>(?:19|20)\d\d)(?!\d)" + _TIME
)
# English month names ("August 23, 2018", "Nov. 18, 2019 3:05 PM", "20 Nov, 2019 05:47"):
# read only by ``english_date``, for the lines around a pasted English headline; in
# ``find_dates`` they would make dated sidebar lines pull the choice of the body.
_MONTH = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ENGLISH_DATES = (
    re.compile(
        r"(?<![A-Za-z])" + _MONTH + r"\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+"
        r"(?P<y>(?:19|20)\d\d)(?!\d),?" + _TIME,
        re.I,
    ),
    re.compile(
        r"(?<![\d.])(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+"
        r"(?P<y>(?:19|20)\d\d)(?!\d),?" + _TIME,
        re.I,
    ),
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
# Compact digits, as in URLs and file names: 20200717 (preceded by a non-digit).
_COMPACT_RE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
_URL_SPLIT_RE = re.compile(
    r"/(?P<y>(?:19|20)\d\d)[-_/]?(?P<m>[01]\d)[-_/]?(?P<d>[0-3]\d)(?=[/_\-.]|$)"
)


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date found in text: ``text[start:end]`` and the value it means."""

    start: int
    end: int
    value: datetime
    has_time: bool


def _build(
    y: str, m: str, d: str, hh: str | None = None, mm: str | None = None, ss: str | None = None
) -> datetime | None:
    try:
        year, month, day = int(y), int(m), int(d)
        if not MIN_YEAR <= year <= MAX_YEAR:
            return None
        return datetime(year, month, day, int(hh or 0), int(mm or 0), int(ss or 0), tzinfo=SHANGHAI)
    except ValueError:
        return None


def _with_zone(value: datetime, tz: str | None) -> datetime:
    if not tz:
        return value
    if tz == "Z":
        return datetime.fromisoformat(value.replace(tzinfo=None).isoformat() + "+00:00")
    sign, digits = tz[0], tz[1:].replace(":", "")
    return datetime.fromisoformat(
        value.replace(tzinfo=None).isoformat() + f"{sign}{digits[:2]}:{digits[2:]}"
    )


def _hour(m: re.Match[str]) -> str | None:
    hour = m["H"]
    if hour and m["ampm"]:
        h = int(hour) % 12 + (12 if m["ampm"].lower() == "pm" else 0)
        return str(h)
    return hour


def find_dates(text: str) -> list[DateMatch]:
    """Every full calendar date (year, month, day; optional time) in ``text``, in order."""
    found: list[DateMatch] = []
    for m in _DATE_RE.finditer(text):
        # "2020年7-17" style mixes are not dates; 年 must pair with 月.
        if m.group("sep") == "年" and "月" not in m.group(0):
            continue
        value = _build(m["y"], m["m"], m["d"], _hour(m), m["M"], m["S"])
        if value is not None:
            found.append(DateMatch(m.start(), m.end(), _with_zone(value, m["tz"]), bool(m["H"])))
    if not found and "/" in text:
        for m in _DMY_RE.finditer(text):
            a, b = int(m["a"]), int(m["b"])
            day, month = (m["b"], m["a"]) if b > 12 >= a else (m["a"], m["b"])
            value = _build(m["y"], month, day, _hour(m), m["M"], m["S"])
            if value is not None:
                found.append(DateMatch(m.start(), m.end(), value, bool(m["H"])))
    return found


def parse_date(text: str | None) -> datetime | None:
    """The first date in ``text`` (ISO, numeric, Chinese or compact ``20200717``)."""
    if not text:
        return None
    found = find_dates(text)
    if found:
        return found[0].value
    m = _COMPACT_RE.search(text)
    return _build(m["y"], m["m"], m["d"]) if m else None


def english_date(text: str) -> datetime | None:
    """The first date written with an English month name in ``text``."""
    found = [m for pattern in _ENGLISH_DATES if (m := pattern.search(text))]
    for m in sorted(found, key=lambda m: m.start()):
        month = str(_MONTHS[m["mon"][:3].lower()])
        value = _build(m["y"], month, m["d"], _hour(m), m["M"], m["S"])
        if value is not None:
            return value
    return None


def date_from_url(url: str | None) -> datetime | None:
    """A date encoded in the URL path: /2020-07/17/, /20200717/, t20200717_, /2020/07/17/."""
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]+", "", url, flags=re.I)
    m = _URL_SPLIT_RE.search(path) or _COMPACT_RE.search(path)
    return _build(m["y"], m["m"], m["d"]) if m else None


def is_timestamp_line(line: str) -> bool:
    """True when the line is only a date/time (as under each item of a related-news list)."""
    s = line.strip()
    if not s or len(s) > 40:
        return False
    found = find_dates(s)
    if not found:
        return False
    rest = s[: found[0].start] + s[found[0].end :]
    return not re.sub(r"[\s|/()（）\[\]【】:：\-]", "", rest)


def format_date(when: datetime | None) -> str:
    """A date as a card shows it: ``2020-07-17``, with `` 09:45`` when the time is known."""
    if when is None:
        return ""
    if (when.hour, when.minute, when.second) == (0, 0, 0):
        return when.strftime("%Y-%m-%d")
    return when.strftime("%Y-%m-%d %H:%M")
