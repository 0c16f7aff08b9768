"""Chunking an article for a tagger, and cleaning the spans it returns.

Taggers see at most :data:`CHUNK_CHARS` characters at a time (MSRA's chunk length),
cut at sentence ends, then at commas, never mid-line. Raw spans come back in article
offsets and are cleaned here, whatever the backend: edge punctuation and white space
trimmed, titles and roles cut off person names (``李强书记`` → ``李强``), single
characters dropped unless they are a known place abbreviation (``沪``, ``美``; a
province's such as ``沪`` only where the text does not also name ``上海``), overlaps
resolved in favour of the longer span.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from summarizer.model import Entity

CHUNK_CHARS = 100
_SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’」』）)\"']*")
_CLAUSE_END = re.compile(r"[，、：,:]")

# One-character abbreviations that newswire uses as places, with the full names they
# stand for. Provinces, municipalities and SARs (GB/T 2260 short forms): a lone 沪 is a
# place worth listing, but 沪滇 in an article that names 上海 and 云南 only repeats those
# names, so such an abbreviation is dropped where the text also has a full name.
# Countries, China (华, as in 访华) and continents (巴 Pakistan/Brazil, 以 Israel ...)
# are always kept: MSRA tags 中/美 in 中美关系 as places even next to 中国 and 美国
# (dropping them there costs 1.3 points of MSRA dev F1; the provinces cost 0.1).
DOMESTIC_ABBREVIATIONS: dict[str, str] = {
    "京": "北京", "津": "天津", "沪": "上海", "渝": "重庆", "冀": "河北", "晋": "山西",
    "蒙": "内蒙古", "辽": "辽宁", "吉": "吉林", "黑": "黑龙江", "苏": "江苏", "浙": "浙江",
    "皖": "安徽", "闽": "福建", "赣": "江西", "鲁": "山东", "豫": "河南", "鄂": "湖北",
    "湘": "湖南", "粤": "广东", "桂": "广西", "琼": "海南", "川": "四川", "蜀": "四川",
    "黔": "贵州", "贵": "贵州", "滇": "云南", "藏": "西藏", "陕": "陕西", "秦": "陕西",
    "甘": "甘肃", "陇": "甘肃", "青": "青海", "宁": "宁夏", "新": "新疆", "港": "香港",
    "澳": "澳门", "台": "台湾", "淮": "淮河",
}  # fmt: skip
SINGLE_CHAR_PLACES = frozenset(
    "".join(DOMESTIC_ABBREVIATIONS)
    + "中华美英法德俄日韩朝印越泰加意欧亚非巴以阿伊叙埃斯罗奥缅柬菲老葡西荷比瑞挪芬波捷匈"
)
_PAIRS = {"《": "》", "“": "”", "（": "）", "(": ")", "「": "」", "〈": "〉", "‘": "’"}

# Titles and roles, cut longest first so that 总书记 goes before 书记.
_ROLES = (
    "总书记 书记 副书记 主席 副主席 总理 副总理 总统 副总统 首相 省长 副省长 市长 副市长 "
    "县长 区长 镇长 村长 部长 副部长 局长 厅长 处长 科长 主任 委员 常委 同志 先生 女士 "
    "小姐 教授 博士 院士 记者 通讯员 总经理 经理 董事长 董事 总裁 院长 校长 社长 所长 "
    "队长 大使 将军 上将 中将 少将 老师 医生 律师 法官 检察官 警官 议员 发言人 代表"
)
ROLE_WORDS: tuple[str, ...] = tuple(sorted(_ROLES.split(), key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class RawSpan:
    """A tagger's span in article offsets, before cleaning."""

    start: int
    end: int
    type: str


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Cut [start, end) into pieces of at most ``limit``, preferring clause ends."""
    pieces: list[tuple[int, int]] = []
    while end - start > limit:
        cut = start + limit
        for m in _CLAUSE_END.finditer(text, start, start + limit):
            if m.end() > start + limit // 3:
                cut = m.end()
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


def chunk_text(text: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """(offset, chunk) pairs covering every non-blank line; chunks hold whole sentences."""
    chunks: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        sentences: list[tuple[int, int]] = []
        last = 0
        for m in _SENTENCE_END.finditer(line):
            sentences.append((last, m.end()))
            last = m.end()
        if last < len(line):
            sentences.append((last, len(line)))
        cur_start, cur_end = -1, -1
        for s, e in sentences:
            for ps, pe in _split_long(line, s, e, limit):
                if cur_start >= 0 and pe - cur_start <= limit:
                    cur_end = pe
                    continue
                if cur_start >= 0:
                    chunks.append((pos + cur_start, line[cur_start:cur_end]))
                cur_start, cur_end = ps, pe
        if cur_start >= 0:
            chunks.append((pos + cur_start, line[cur_start:cur_end]))
        pos += len(line) + 1
    return [(off, c) for off, c in chunks if c.strip()]


def _is_junk_char(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] in "PSZC"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop edge white space and punctuation, but keep a bracket whose partner is inside
    the span (MSRA writes 《诗探索》编辑部 as one organisation)."""
    closers = set(_PAIRS.values())
    while start < end and _is_junk_char(text[start]):
        if text[start] in _PAIRS and _PAIRS[text[start]] in text[start + 1 : end]:
            break
        start += 1
    while end > start and _is_junk_char(text[end - 1]):
        ch = text[end - 1]
        if ch in closers and any(o in text[start : end - 1] for o, c in _PAIRS.items() if c == ch):
            break
        end -= 1
    return start, end


def _strip_roles(text: str, start: int, end: int) -> tuple[int, int]:
    changed = True
    while changed and end > start:
        changed = False
        for role in ROLE_WORDS:
            if text.startswith(role, start, end) and end - start - len(role) >= 2:
                start, changed = start + len(role), True
            elif text.endswith(role, start, end) and end - start - len(role) >= 2:
                end, changed = end - len(role), True
    return start, end


def _repeats_full_names(text: str, start: int, end: int) -> bool:
    """沪 or 沪滇: only province abbreviations, and the text names each of them in full."""
    full = DOMESTIC_ABBREVIATIONS
    return end > start and all(c in full and full[c] in text for c in text[start:end])


def clean_spans(text: str, raw: list[RawSpan]) -> list[Entity]:
    """Trim, filter and de-overlap raw spans into article-ordered entities."""
    kept: list[tuple[int, int, str]] = []
    for span in raw:
        start, end = _trim(text, max(0, span.start), min(len(text), span.end))
        if span.type == "PER":
            start, end = _strip_roles(text, start, end)
            if any(text.startswith(r, start, end) for r in ROLE_WORDS) and end - start <= 3:
                continue  # a bare title such as 书记 or 主任 is no name
        if span.type == "LOC" and _repeats_full_names(text, start, end):
            continue
        if end - start == 1 and not (span.type == "LOC" and text[start] in SINGLE_CHAR_PLACES):
            continue
        if end <= start or not any(ch.isalpha() for ch in text[start:end]):
            continue
        kept.append((start, end, span.type))
    kept.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[Entity] = []
    for start, end, typ in kept:
        if out and start < out[-1].end:
            if end - start <= out[-1].end - out[-1].start:
                continue
            out.pop()
        out.append(Entity(text[start:end], typ, start, end))
    return out
