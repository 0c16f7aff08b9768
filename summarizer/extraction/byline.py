"""Info lines and bylines: "来源：云南日报 2020-07-17 09:45:57", "作者：张三 | 编辑：李四",
"（云南日报记者 杨猛 张寅）". Shared by ``extract`` and ``clean``."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from summarizer.boilerplate import BYLINE_RE, TRADITIONAL_MARKERS
from summarizer.dates import SHANGHAI, find_dates

MAX_INFO_LINE_CHARS = 160
MAX_FIELD_CHARS = 30
MAX_BARE_DATE_REST = 20  # a date line without labels may carry this many other letters

_LABEL_RE = re.compile(
    r"(?P<label>来源|稿源|出处|文章来源|本文来源|作者|撰文|文\s*/|记者|发布时间|发布日期|发表时间|"
    r"发表日期|发布于|发表于|发稿时间|更新时间|时间|日期|责任编辑|编辑|责编|浏览次数|点击数|阅读数|"
    r"字号|评论|分享)\s*(?:[:：]|(?<=/)|(?<=于))\s*"
)
_SOURCE_LABELS = frozenset({"来源", "稿源", "出处", "文章来源", "本文来源"})
_AUTHOR_LABELS = frozenset({"作者", "撰文", "记者"})
_DATE_LABELS = frozenset(
    {"发布时间", "发布日期", "发表时间", "发表日期", "发布于", "发表于", "发稿时间", "时间", "日期"}
)
_REPORTER_RE = re.compile(
    r"(?:本报|本台|本网|新华社|央视)?(?:特约)?记者\s*"
    r"(?P<names>[\u4e00-\u9fff·]{2,4}?(?:[\s、,，]+[\u4e00-\u9fff·]{2,4}?){0,4})"
    r"\s*(?:(?:发自|报道)\S{0,6})?"
)
_NAME_RE = re.compile(r"[\u4e00-\u9fff·]{2,4}")
_BRACKETS = re.compile(r"[\[\]【】]")
_SHORT_YEAR_RE = re.compile(
    r"[:：]\s*(?P<y>\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\s*(?:(?P<H>[01]\d|2[0-3]):(?P<M>[0-5]\d))?"
)
_URL_RE = re.compile(r"(?:https?://|www\.)[\w./?=&%#-]+", re.I)
_OUTLET_RE = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,12}")
_WEEKDAY_RE = re.compile(r"星期|周[一二三四五六日天]|礼拜")
_FIELD_END = re.compile(r"\s{2,}|[|｜丨]|\s(?=[\u4e00-\u9fff]{1,6}[:：])")


@dataclass(frozen=True, slots=True)
class InfoLine:
    """Fields read from one info line; ``labelled_date`` when a 发布时间-style label named it."""

    published_at: datetime | None
    source: str | None
    author: str | None
    labelled_date: bool
    has_labels: bool


def _clean_field(value: str, names: bool = False) -> str | None:
    """The value after a label, cut where the next field starts; ``names`` keeps a list of
    Chinese personal names ("宋怡 杨志华")."""
    for d in reversed(find_dates(value)):
        value = value[: d.start] + " " + value[d.end :]
    value = _BRACKETS.sub(" ", value)
    if "=" in value or '"' in value:  # markup leaking into text (size="20")
        return None
    value = _FIELD_END.split(value.strip(), maxsplit=1)[0].strip()
    if value[:1] >= "\u4e00":  # Chinese outlet and reporter names hold no spaces
        tokens = value.split() or [value]
        if names:
            run = [t for t in _leading(tokens, _NAME_RE.fullmatch)]
            value = " ".join(run) if run else tokens[0]
        else:
            value = tokens[0]
    value = value.strip(" \t:：,，;；()（）[]【】")
    value = re.split(r"\s", value, maxsplit=1)[0] if len(value) > MAX_FIELD_CHARS else value
    return value if value and len(value) <= MAX_FIELD_CHARS else None


def _leading(tokens: list[str], ok: Callable[[str], object]) -> list[str]:
    out: list[str] = []
    for t in tokens:
        if not ok(t):
            break
        out.append(t)
    return out


def parse_info_line(line: str) -> InfoLine | None:
    """Read date/source/author from a short info line; None when it is not one."""
    s = line.strip()
    if not s or len(s) > MAX_INFO_LINE_CHARS:
        return None
    labels = list(_LABEL_RE.finditer(s.translate(TRADITIONAL_MARKERS)))
    dates = find_dates(s)
    if not labels and not dates:
        reporters = _REPORTER_RE.fullmatch(s)
        if reporters:  # "本报记者 张三 李四" alone under the headline
            return InfoLine(None, None, collapse_spaces(reporters["names"]), False, True)
        return None
    if not labels:
        # A bare date line is an info line only when little else is on it.
        rest = _URL_RE.sub("", s[: dates[0].start] + s[dates[0].end :])
        if len(re.sub(r"\W", "", rest)) > MAX_BARE_DATE_REST:
            return None
    source = author = None
    labelled = False
    for i, m in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(s)
        value = s[m.end() : end]
        label = re.sub(r"\s", "", m["label"])
        if label in _SOURCE_LABELS and source is None:
            source = _clean_field(value)
        elif label in _AUTHOR_LABELS and author is None:
            author = _clean_field(value, names=True)
        elif label in _DATE_LABELS:
            labelled = True  # even when the date has no year ("发布时间：10-08 12:00")
    if not labels:
        source = _trailing_name(s[dates[0].end :])
    when = dates[0].value if dates else None
    if when is None and labelled:
        when = _short_year_date(s)
    return InfoLine(when, source, author, labelled, bool(labels))


def _short_year_date(line: str) -> datetime | None:
    """A two-digit year after a date label, as 百家号 writes it: 发布时间：18-03-0823:16."""
    m = _SHORT_YEAR_RE.search(line)
    if m is None:
        return None
    try:
        return datetime(
            2000 + int(m["y"]),
            int(m["m"]),
            int(m["d"]),
            int(m["H"] or 0),
            int(m["M"] or 0),
            tzinfo=SHANGHAI,
        )
    except ValueError:
        return None


def collapse_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _trailing_name(rest: str) -> str | None:
    """The outlet after a bare date: "2004年03月15日 08:30 华西在线" -> "华西在线"."""
    name = rest.strip(" \t|｜丨:：")
    if _OUTLET_RE.fullmatch(name) and not _WEEKDAY_RE.search(name):
        return name
    return None


def byline_author(paragraph: str) -> str | None:
    """Reporters named in a closing parenthesis: "…。（云南日报记者 杨猛 张寅）"."""
    m = BYLINE_RE.search(paragraph)
    if not m:
        return None
    by = re.sub(r"\s+[\u4e00-\u9fff]{0,6}报道$", "", m["by"].strip())  # "姚峰 上海报道"
    return re.sub(r"\s+", " ", by).strip() or None


_DATELINE_RE = re.compile(
    r"^(?:[^，,。（(]{2,16}?)(?:\d{1,2}月\d{1,2}日)?电\s*[（(]\s*(?:记者|通讯员)\s*(?P<by>[^（()）]{2,30})[)）]"
)


def dateline_author(paragraph: str) -> str | None:
    """Reporter in an agency dateline: "新华社北京7月16日电（记者 张三 李四）"."""
    m = _DATELINE_RE.match(paragraph.strip())
    return re.sub(r"\s+", " ", m["by"]).strip() if m else None
