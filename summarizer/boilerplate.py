"""Line-level rules for the furniture around Chinese (and English) news articles.

Shared by ``extract`` (lines of an HTML article container) and ``clean`` (lines of a
pasted page dump). Each family is a named pattern so that tests can cover them one
by one: credit lines (责任编辑/编辑/来源/原标题), disclaimers (免责声明), share widgets
(分享到/关注微信), related-story headings (相关新闻/推荐阅读/热点), site footers
(ICP备/公网安备/版权所有/举报), topic links (点击进入专题) and image captions.
A related-story list is recognised by its shape: items each followed by a
timestamp line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from enum import Enum

from summarizer.dates import is_timestamp_line

MAX_CREDIT_CHARS = 60  # a credit line is short; a paragraph that mentions 编辑 is not one
MAX_WIDGET_CHARS = 40
MAX_CAPTION_CHARS = 80
MIN_RELATED_ITEMS = 2  # timestamp-followed items needed before a run counts as a list
MAX_TAIL_SHARE = 0.35  # text after a related/footer heading must be this small to be cut


class Family(Enum):
    CREDIT = "credit"
    DISCLAIMER = "disclaimer"
    SHARE = "share"
    RELATED = "related"
    FOOTER = "footer"
    TOPIC = "topic"
    CAPTION = "caption"
    TIMESTAMP = "timestamp"


# Traditional forms of the characters in the markers below, matched as simplified
# (one character for one, so offsets into the original line stay valid).
TRADITIONAL_MARKERS = str.maketrans(
    "來記發佈時間責編輯標題處關註聲明載權備舉報導閱讀熱點薦圖攝專護網頁頂擊聞鏈歡號掃碼維許證聯業務廣",
    "来记发布时间责编辑标题处关注声明载权备举报导阅读热点荐图摄专护网页顶击闻链欢号扫码维许证联业务广",
)
_OPEN = r"^[\s(（【\[{<《]*"
CREDIT_RE = re.compile(
    _OPEN + r"(?:责任编辑|责编|编辑|值班编辑|实习编辑|网络编辑|审核|审校|校对|监制|终审|初审|"
    r"复审|主编|原标题|稿源|本文来源|文章来源|来源|作者|记者|通讯员|撰文|文字|摄影|摄像|"
    r"图片来源|图源|出品|策划|制作|翻译|编译|排版|美编|视频编辑|见习编辑|统筹|Editor|"
    r"Edited by|Source)\s*[:：|丨]",
    re.I,
)
DISCLAIMER_RE = re.compile(
    _OPEN + r"(?:免责声明|版权声明|特别声明|声明[:：]|转载声明|风险提示|"
    r"本文(?:仅)?(?:代表|系)作者|本文为.{0,12}原创|凡本网注明|凡注明|未经.{0,10}授权|"
    r"转载请注明|本网站?(?:所)?(?:刊|转)载|本文系转载|文章仅代表|以上内容仅供参考)"
)
SHARE_RE = re.compile(
    r"分享到|分享至|关注微信|关注微博|扫一扫|扫描二维码|微信扫码|长按(?:识别|二维码)|"
    r"打开微信|点击右上角|一键分享|收藏本文|(?:字号|字体)[:：]?\s*[【\[]?[大中小]|【?\s*打印\s*】?$|"
    r"打印本页|关闭本页|保存本页|推荐给朋友|手机看新闻|扫码阅读|返回列表|我要纠错|^(?:上一篇|下一篇)|"
    r"关闭窗口|^[\s【\[]*(?:纠错|打印|收藏|点赞|评论|举报|返回顶部|返回首页)[\s】\]]*$|"
    r"^(?:微信|微博|QQ空间|QQ|朋友圈|豆瓣|人人网|Facebook|Twitter|LinkedIn|Email|"
    r"Share|Tweet|\s|[/|,，、·•])+$|^Advertisement$|^Story continues below|^Sign up (?:for|to)|"
    r"^Subscribe (?:to|now)|^Follow (?:us|@)|^Follow \S+(?: \S+)? on$|^Click here|"
    r"^Like this (?:story|article)\b|Share (?:it|this) with a friend|^Share this with\b|"
    r"^Get short URL$|^Skip to (?:main )?(?:content|article)$|^Continue reading the main story$",
    re.I,
)
_HEADING_PUNCT = re.compile(r"[\s·•|｜丨:：>»【】\[\]■◆▶►\-—_/]+")
# Matched against a heading with spaces and decoration removed ("延伸 · 推荐" -> "延伸推荐").
RELATED_RE = re.compile(
    r"^(?:(?:相关|延伸|扩展|推荐|热点|热门|精彩|更多|最新|今日|编辑|为你|往期|猜你|本周|"
    r"24小时|一周|实时|重点|要闻)+(?:新闻|阅读|文章|报道|链接|推荐|图片|回顾|专题|视频|喜欢|"
    r"排行|热点|资讯|内容)*|猜你喜欢|大家都在看|点击排行|排行榜|你可能(?:还)?(?:感兴趣|喜欢)|"
    r"Related(?:Articles|Stories|News|Posts)?|Readmore|Morefrom.*|Recommended(?:forYou)?|"
    r"MoreStories|YouMayAlsoLike|Trending(?:Now)?|PopularNow|MostRead)$",
    re.I,
)
FOOTER_RE = re.compile(
    r"ICP备|ICP证|公网安备|网安备|版权所有|Copyright|©|\(c\)\s*\d{4}|举报电话|举报邮箱|"
    r"违法和不良信息|不良信息举报|法律顾问|新闻爆料|爆料热线|投稿邮箱|出版许可证|"
    r"新闻信息服务许可证|网络文化经营许可证|广播电视节目制作|信息网络传播视听|"
    r"关于我们\s*[|｜丨]|联系我们\s*[|｜丨]|网站地图|广告服务|All Rights Reserved|"
    r"主管\s+.{2,20}\s+主办",
    re.I,
)
TOPIC_RE = re.compile(
    r"点击进入.{0,12}专题|进入专题|专题[:：]|点击查看(?:更多|专题|原文)|查看原文|"
    r"阅读原文|阅读全文|展开全文|点击(?:阅读|查看)|查看更多$|下载客户端|打开APP|APP内打开",
    re.I,
)
CAPTION_RE = re.compile(
    r"^[\s(（]*(?:图[一二三四五六七八九十\d]*\s*[:：)）]|图片[:：]|资料图|配图[:：]|视频截图|截图[:：]|"
    r"图为|新华社发|(?:新华社|中新社)?记者.{1,10}摄)|"
    r"[(（]\s*(?:图片来源|图源|摄影|资料图片?|视频截图|[^()（）]{0,16}\s*摄)\s*[:：]?[^()（）]*[)）]\s*$|"
    r"[\s。]\s*(?:[\u4e00-\u9fff]{2,4}\s*){1,3}[/／]?\s*摄\s*$"
)
# A bracketed call to action marks a promo line however long it is: …火热进行中！【点击投票】
CALL_TO_ACTION_RE = re.compile(r"【\s*点击[^】]{0,8}】")
MAX_PROMO_CHARS = 200
# An English photo caption ends with its credit: "… November 19, 2019. © Reuters / D. Mercado".
PHOTO_CREDIT_RE = re.compile(r"©\s*[A-Z][\w.&' -]{1,30}(?:\s*/\s*[\w.' -]{1,40})?\s*$")
MAX_PHOTO_CAPTION_CHARS = 300
# Byline in parentheses at the end of a paragraph: （云南日报记者 杨猛 张寅）.
BYLINE_RE = re.compile(
    r"[(（]\s*(?P<by>[^()（）]{0,40}?(?:记者|通讯员|特约撰稿|撰稿|报道员)[^()（）]{0,60}?|"
    r"(?:[\u4e00-\u9fff]{2,4}\s+){1,4}[\u4e00-\u9fff]{0,6}报道)\s*[)）]\s*$"
)


def classify(line: str) -> Family | None:
    """The boilerplate family of one line, or None when it may be article text.

    A line made of several widgets ("【纠错】 【责任编辑：王五】") is boilerplate when every
    part of it is.
    """
    family = _classify_one(line.strip())
    if family is not None or len(line) > MAX_CREDIT_CHARS * 2:
        return family
    parts = [p for p in _WIDGET_SPLIT.split(line) if p.strip()]
    if len(parts) < 2:
        return None
    families = []
    for part in parts:  # the first part that is not furniture decides: stop there
        found = _classify_one(part.strip())
        if found is None:
            return None
        families.append(found)
    return families[0]


def _classify_one(s: str) -> Family | None:
    if not s:
        return None
    s = s.translate(TRADITIONAL_MARKERS)
    n = len(s)
    if n <= MAX_CREDIT_CHARS and CREDIT_RE.match(s):
        return Family.CREDIT
    if DISCLAIMER_RE.match(s):
        return Family.DISCLAIMER
    if n <= MAX_WIDGET_CHARS * 2 and FOOTER_RE.search(s):
        return Family.FOOTER
    if n <= MAX_WIDGET_CHARS and RELATED_RE.match(_HEADING_PUNCT.sub("", s)):
        return Family.RELATED
    if n <= MAX_WIDGET_CHARS and SHARE_RE.search(s):
        return Family.SHARE
    if n <= MAX_WIDGET_CHARS and TOPIC_RE.search(s):
        return Family.TOPIC
    if n <= MAX_PROMO_CHARS and CALL_TO_ACTION_RE.search(s):
        return Family.TOPIC
    if n <= MAX_CAPTION_CHARS and CAPTION_RE.search(s) and not _is_sentence_paragraph(s):
        return Family.CAPTION
    if n <= MAX_PHOTO_CAPTION_CHARS and PHOTO_CREDIT_RE.search(s):
        return Family.CAPTION
    if is_timestamp_line(s):
        return Family.TIMESTAMP
    return None


_WIDGET_SPLIT = re.compile(r"(?<=[】\]])\s*|\s{2,}|\s*[|｜丨]\s*")


def _is_sentence_paragraph(s: str) -> bool:
    # Captions rarely hold two full sentences; paragraphs that cite a photo do.
    return len(re.findall(r"[。！？!?]", s)) >= 2


def related_runs(lines: Sequence[str]) -> set[int]:
    """Indexes of lines in related-story lists: items each followed by a timestamp line.

    A run is text/timestamp pairs (blank lines ignored); it counts only when it has at
    least ``MIN_RELATED_ITEMS`` pairs, so a headline followed by one date line survives.
    """
    idx = [i for i, ln in enumerate(lines) if ln.strip()]
    stamps = [is_timestamp_line(lines[i]) for i in idx]
    drop: set[int] = set()
    k = 0
    while k < len(idx):
        run: list[int] = []
        j = k
        while j + 1 < len(idx) and not stamps[j] and stamps[j + 1]:
            run += [idx[j], idx[j + 1]]
            j += 2
        if len(run) >= 2 * MIN_RELATED_ITEMS:
            drop.update(run)
            k = j
        else:
            k += 1
    return drop


def strip_trailing_credit(line: str) -> str:
    """Remove an editor credit glued to the end of a paragraph: "…。（责任编辑：王五）"."""
    return re.sub(
        r"\s*[(（\[【]\s*(?:责任编辑|责编|编辑|原标题)\s*[:：][^()（）\[\]【】]{0,40}[)）\]】]\s*$",
        "",
        line,
    )


def is_boilerplate(line: str) -> bool:
    return classify(line) is not None


def tail_start(lines: Sequence[str]) -> int:
    """Index where the page furniture after the article begins (len(lines) if none).

    A related-stories heading or a footer line ends the article when what follows it
    is at most ``MAX_TAIL_SHARE`` of the text (so an inline box mid-article does not).
    """
    return _tail_start(lines, classify)


def _tail_start(lines: Sequence[str], family: Callable[[str], Family | None]) -> int:
    total = sum(len(x) for x in lines) or 1
    after = total
    for i, line in enumerate(lines):
        after -= len(line)
        # (the share first: it spares classifying the lines of the article's top part)
        if after <= MAX_TAIL_SHARE * total and family(line) in (Family.RELATED, Family.FOOTER):
            return i
    return len(lines)


def filter_lines(
    lines: Sequence[str], families: dict[str, Family | None] | None = None
) -> list[str]:
    """Article lines with every boilerplate family removed, in order.

    Each distinct line is classified once (the tail test and the filter read most lines
    both, and pages repeat their furniture); ``families`` keeps those answers, to share
    them between calls on lines of one page."""
    if families is None:
        families = {}

    def family(line: str) -> Family | None:
        if line not in families:
            families[line] = classify(line)
        return families[line]

    lines = lines[: _tail_start(lines, family)]
    related = related_runs(lines)
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in related:
            continue
        s = strip_trailing_credit(line.strip())
        if s and family(s) is None:
            out.append(s)
    return out


MIN_LETTER_SHARE = 0.5  # less than this share of letters: binary junk, not prose
MAX_REPLACED_SHARE = 0.01  # more U+FFFD than this share: wrongly decoded, not a few bad bytes


def unreadable(text: str) -> bool:
    """Binary junk or wrongly decoded bytes: too few letters, or many U+FFFD (a handful
    of replaced bytes in a long article is a damaged page that is still worth reading)."""
    letters = sum(ch.isalpha() for ch in text)
    replaced = text.count("\ufffd")
    too_many = replaced > max(3, MAX_REPLACED_SHARE * len(text))
    return letters < MIN_LETTER_SHARE * len(text) or too_many
