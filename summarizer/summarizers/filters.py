"""Which sentences may appear in a summary at all, and the dateline trimmed off.

A summary sentence must make sense alone. Never eligible: credit and byline lines
(责任编辑, 记者 … 摄, 通讯员), end marks (（完）), photo captions (图为…, （…摄）),
share/follow widgets, bare attribution fragments (``他说。``) and very short
headings. A dateline such as ``新华社北京7月16日电（记者 张三）`` is not content: it is
cut off the front of the sentence it starts (the rest is still a substring of the
article text, and the sentence itself is not cut), and so is an opening that only says
when or how the news arrived (``日前，``, ``记者从公安部获悉，``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from summarizer.model import Sentence

# Shortest sentence worth showing, in content characters (CJK chars + Latin words).
MIN_CONTENT = 6
# Longer than this (characters) is not a sentence but a wall of text with no full stop
# (a table dump, garbage); showing it as a summary would flood the chat.
MAX_SENTENCE = 500
# A line without a full stop shorter than this is a heading or a label.
HEADING_MAX = 24
# Credit lines (记者 张三 李四 / 责任编辑：王五) are short; a long sentence starting with
# 记者 is a report (记者2月1日从公安部获悉…).
CREDIT_MAX = 20

DATELINE = re.compile(
    r"^\s*(?:"
    r"(?:[\u4e00-\u9fff]{1,12}?(?:社|网|报|台|电视台|客户端|新闻|日报|晚报|时报))?\s*"
    r"[\u4e00-\u9fff]{0,10}\s*\d{1,2}月\d{1,2}日\s*(?:电|讯|消息)"
    r"|本报讯|据[\u4e00-\u9fff]{2,12}(?:报道|消息)[，,]"
    r"|【[^】]{1,30}】|\[[^\]]{1,30}\]"
    r"|[\u4e00-\u9fff]{2,8}讯"
    r")\s*(?:[（(][^）)]{0,40}[）)])?\s*[：:，,]?\s*"
)
# A leading time or source adverbial (日前，/ 据悉，/ 记者从…获悉，/ 7月16日，): it only
# says when or how the news arrived; a one-line summary drops it (LCSTS headlines do:
# measured on the short dev posts, Lead without it R-1 21.7 vs 21.3).
LEADING_ADVERBIAL = re.compile(
    r"^(?:日前|近日|昨天|昨日|今天|今日|目前|此前|近期|近年来|最近|据悉|据了解|据报道"
    r"|据[^，。]{1,12}(?:报道|消息|统计|介绍|披露)|记者[^，。]{1,15}(?:获悉|了解到)"
    r"|(?:\d{4}年)?\d{1,2}月\d{1,2}日(?:[上下]午|晚|晚间|凌晨)?|(?:今年|去年)\d{1,2}月份?"
    r"|本周[一二三四五六日]?)[，,]\s*"
)
_CREDIT = re.compile(
    r"^[（(【\[]?\s*(?:"
    r"完|责任编辑|编辑|校对|审核|监制|统筹|策划|来源|本文来源|图片来源|原标题|原题|"
    r"记者|通讯员|实习生|作者|摄影|摄像|视频|制图|文[/／]|图[/／]|点击|更多|关注|分享|扫码|长按"
    r")"
)
_CAPTION = re.compile(
    r"^(?:图为|▲|△|图[：:]|资料图|图片[：:])|[（(][^（）()]{0,24}摄[）)]\s*[。.]?$"
)
_FRAGMENT = re.compile(
    r"^[\u4e00-\u9fff]{0,8}(?:说|表示|称|指出|强调|介绍|认为|告诉记者|问道|答道)"
    r"[道到]?[：:。！？!?，,]?$"
)
_CLAUSE = re.compile(r"[，,；;]")
_CONTENT = re.compile(r"[\u3400-\u9fff]|[A-Za-z0-9]+")
_TERMINAL_END = re.compile(r"[。！？!?.…][”’」』）)]*$")


@lru_cache(maxsize=4096)  # a sentence is measured by the filters and again by the scorer
def content_length(text: str) -> int:
    """ROUGE-style length: one per CJK character, one per Latin word or number."""
    return len(_CONTENT.findall(text))


def trim_dateline(sentence: Sentence) -> Sentence:
    """The sentence without a leading dateline or time/source adverbial (offsets moved),
    or unchanged."""
    cut = 0
    for pattern in (DATELINE, LEADING_ADVERBIAL):
        m = pattern.match(sentence.text[cut:])
        if m is not None and content_length(sentence.text[cut + m.end() :]) >= MIN_CONTENT:
            cut += m.end()
    if cut == 0:
        return sentence
    return Sentence(sentence.text[cut:], sentence.start + cut, sentence.end, sentence.paragraph)


def is_heading(sentence: Sentence, alone_in_paragraph: bool) -> bool:
    text = sentence.text.strip()
    return (
        alone_in_paragraph
        and not _TERMINAL_END.search(text)
        and content_length(text) <= HEADING_MAX
    )


def is_eligible(sentence: Sentence, *, alone_in_paragraph: bool = False) -> bool:
    """Can this (already dateline-trimmed) sentence stand in a summary?"""
    text = sentence.text.strip()
    if len(text) > MAX_SENTENCE or content_length(text) < MIN_CONTENT:
        return False
    if _CAPTION.search(text) or _FRAGMENT.match(text):
        return False
    if _CREDIT.match(text) and content_length(text) <= CREDIT_MAX and not _CLAUSE.search(text):
        return False
    return not is_heading(sentence, alone_in_paragraph)


def candidates(
    sentences: list[Sentence] | tuple[Sentence, ...], limit: int | None = None
) -> list[Sentence]:
    """Eligible sentences, datelines trimmed, in document order (the first ``limit``)."""
    per_paragraph: dict[int, int] = {}
    for s in sentences:
        per_paragraph[s.paragraph] = per_paragraph.get(s.paragraph, 0) + 1
    out = []
    for s in sentences:
        trimmed = trim_dateline(s)
        if is_eligible(trimmed, alone_in_paragraph=per_paragraph[s.paragraph] == 1):
            out.append(trimmed)
            if limit is not None and len(out) >= limit:
                break
    return out
