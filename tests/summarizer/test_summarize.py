"""The default summarizer on hand-written articles: what it must pick and never pick."""

from __future__ import annotations

import subprocess
import sys

from summarizer.model import Entity
from summarizer.sentences import split_sentences
from summarizer.summarize import char_budget, select_summary, summarize
from summarizer.summarizers.filters import candidates, trim_dateline

NEWS = (
    "新华社北京7月16日电（记者 张三 李四）国家统计局16日发布数据，上半年国内生产总值同比增长5.5%，"
    "国民经济恢复向好。\n"
    "分季度看，二季度国内生产总值同比增长6.3%，比一季度加快1.8个百分点。\n"
    "国家统计局新闻发言人付凌晖说，消费对经济增长的贡献率明显提高。\n"
    "他说。\n"
    "图为发布会现场。（新华社记者 王五 摄）\n"
    "（完）\n"
    "责任编辑：赵六"
)


def test_dateline_is_trimmed_not_the_sentence() -> None:
    first = split_sentences(NEWS)[0]
    trimmed = trim_dateline(first)
    assert trimmed.text.startswith("国家统计局16日发布数据")
    assert NEWS[trimmed.start : trimmed.end] == trimmed.text
    assert trimmed.end == first.end


def test_credits_captions_and_fragments_are_never_candidates() -> None:
    texts = [c.text for c in candidates(split_sentences(NEWS))]
    assert texts == [
        "国家统计局16日发布数据，上半年国内生产总值同比增长5.5%，国民经济恢复向好。",
        "分季度看，二季度国内生产总值同比增长6.3%，比一季度加快1.8个百分点。",
        "国家统计局新闻发言人付凌晖说，消费对经济增长的贡献率明显提高。",
    ]


def test_a_report_sentence_starting_with_reporter_is_kept() -> None:
    # not a credit line; only its "how the news arrived" opening goes, like the dateline
    text = "中新网北京2月1日电 (记者郭超凯) 记者2月1日从公安部获悉，近日警方找回4名被拐儿童。"
    assert [c.text for c in candidates(split_sentences(text))] == ["近日警方找回4名被拐儿童。"]


def test_a_leading_time_adverbial_is_trimmed_but_not_a_whole_short_sentence() -> None:
    text = "日前，方舟子发文直指爱碧丽推销假保健品。日前，他说了话。"
    assert [c.text for c in candidates(split_sentences(text))] == [
        "方舟子发文直指爱碧丽推销假保健品。",
        "日前，他说了话。",
    ]


def test_summary_of_news_leads_with_the_news() -> None:
    out = summarize(NEWS, max_sentences=2, max_chars=200)
    assert out[0].startswith("国家统计局16日发布数据")
    assert all(s in NEWS for s in out)


def test_one_sentence_for_a_digest_line() -> None:
    out = summarize(NEWS, max_sentences=1)
    assert len(out) == 1


def test_budget_smaller_than_every_sentence_still_gives_one_sentence() -> None:
    out = summarize(NEWS, max_chars=10)
    assert len(out) == 1 and out[0] in NEWS


def test_near_duplicates_are_not_both_picked() -> None:
    text = (
        "国家统计局发布数据显示，上半年国内生产总值同比增长5.5%。"
        "国家统计局发布的数据显示，上半年国内生产总值同比增长5.5%。"
        "专家认为，下半年经济有望继续回升向好。"
    )
    out = summarize(text, max_sentences=3, max_chars=200)
    assert len([s for s in out if "国内生产总值" in s]) == 1


def test_entities_and_title_are_accepted() -> None:
    sentences = split_sentences(NEWS)
    start = NEWS.index("付凌晖")
    chosen = select_summary(
        NEWS,
        sentences,
        title="统计局：上半年GDP增长5.5%",
        entities=[Entity("付凌晖", "PER", start, start + 3)],
        keywords=["国内生产总值"],
        max_sentences=1,
        max_chars=100,
    )
    assert len(chosen) == 1 and NEWS[chosen[0].start : chosen[0].end] == chosen[0].text


def test_english_article() -> None:
    text = (
        "Apple said on Monday that iPhone sales in China rose 5 percent in the second quarter.\n"
        "The company's shares rose 2 percent in New York after the announcement.\n"
        "He said.\n"
        "Analysts at Morgan Stanley expect demand to stay strong through the holiday season."
    )
    out = summarize(text, max_sentences=2, max_chars=200)
    assert out and "He said." not in out
    assert out[0].startswith("Apple said on Monday")
    assert sum(len(s) for s in out) <= 200


def test_empty_and_boilerplate_only() -> None:
    assert summarize("") == []
    assert summarize("责任编辑：赵六\n（完）") == []


def test_importing_the_summarizer_loads_nothing() -> None:
    code = (
        "import sys, summarizer.summarize, summarizer.keywords, summarizer.sentences;"
        "print('jieba' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_walls_of_text_and_huge_inputs() -> None:
    blob = "没有标点的一大段文字" * 300  # 3,000 characters, no full stop
    assert summarize(blob, max_chars=100) == []
    huge = (NEWS + "\n") * 2000  # ~0.4 MB: only the first candidates are scored
    out = summarize(huge, max_chars=200)
    assert out and all(len(s) <= 200 for s in out)


def test_a_budget_for_chinese_text_triples_for_latin_script() -> None:
    assert char_budget(200, "zh") == 200 and char_budget(200, "ja") == 200
    assert char_budget(200, None) == 200
    assert char_budget(200, "en") == 600 and char_budget(120, "de") == 360
