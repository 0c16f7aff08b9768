"""The contract every summarizer of the family keeps (sumy-style meta-test).

Substrings of the input, in document order, whole sentences or clean clause prefixes
(ending before a comma or semicolon, never mid-clause), budgets respected (with the
one-sentence rule), deterministic, and never a dateline, credit line or bare ``他说。``.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer.sentences import split_sentences
from summarizer.summarize import select_summary, summarize
from summarizer.summarizers import SUMMARIZERS, prepare
from summarizer.summarizers.clauses import PREFIX_SHARE, longest_prefix

ARTICLE = (
    "新华社北京7月16日电（记者 张三）国家统计局16日发布数据，上半年国内生产总值同比增长5.5%。\n"
    "国家统计局新闻发言人付凌晖在发布会上介绍，上半年国民经济恢复向好，高质量发展稳步推进。\n"
    "“经济运行整体回升。”他说。\n"
    "他说。\n"
    "分季度看，二季度国内生产总值同比增长6.3%，比一季度加快1.8个百分点。\n"
    "消费对经济增长的贡献率达到77.2%，服务业增加值同比增长6.4%。\n"
    "图为发布会现场。（新华社记者 李四 摄）\n"
    "责任编辑：王五"
)

SENTENCE = st.sampled_from(
    [
        "国家统计局发布数据，上半年经济增长5.5%。",
        "消费对经济增长的贡献率明显提高。",
        "他说。",
        "责任编辑：王五",
        "专家认为，下半年经济有望继续回升向好，但外部环境依然复杂严峻。",
        "“我们有信心完成全年目标。”他表示。",
        "Apple said on Monday that iPhone sales rose 5 percent in China.",
        "新华社北京7月16日电 数据显示，工业生产稳定增长。",
    ]
)
ARTICLES = st.lists(st.lists(SENTENCE, min_size=1, max_size=4), min_size=1, max_size=6).map(
    lambda paragraphs: "\n".join("".join(p) for p in paragraphs)
)
BUDGETS = st.one_of(st.none(), st.integers(min_value=1, max_value=200))


@pytest.mark.parametrize("method", sorted(SUMMARIZERS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ARTICLES, max_sentences=st.integers(min_value=1, max_value=4), max_chars=BUDGETS)
def test_contract(method: str, text: str, max_sentences: int, max_chars: int | None) -> None:
    sentences = split_sentences(text)
    chosen = select_summary(
        text, sentences, max_sentences=max_sentences, max_chars=max_chars, method=method
    )
    assert chosen == select_summary(
        text, sentences, max_sentences=max_sentences, max_chars=max_chars, method=method
    )
    assert len(chosen) <= max_sentences
    starts = [s.start for s in chosen]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    for s in chosen:
        assert text[s.start : s.end] == s.text  # a substring at its own offsets
        # never cut mid-clause: the span ends where a sentence of the splitter ends, or
        # (ours) right before a clause mark of the sentence it starts
        whole = any(s.end == t.end and t.start <= s.start for t in sentences)
        assert whole or (method == "zhaiyao" and text[s.end] in "，；,;")
        assert s.text not in {"他说。", "责任编辑：王五"}
        assert not s.text.startswith("新华社北京7月16日电")
    if max_chars is not None and len(chosen) > 1:
        assert sum(len(s.text) for s in chosen) <= max_chars
    if max_chars is not None and len(chosen) == 1 and len(chosen[0].text) > max_chars:
        # over budget: one whole candidate, and only when nothing shorter was worth it
        doc = prepare(text, sentences)
        assert chosen[0] in doc.candidates
        if method == "zhaiyao":
            prefix = longest_prefix(chosen[0], max_chars)
            assert prefix is None or len(prefix.text) < PREFIX_SHARE * max_chars
        else:
            assert all(len(c.text) > max_chars for c in doc.candidates)
    if prepare(text, sentences).candidates:
        assert chosen  # at least one sentence whenever there is one to give


@pytest.mark.parametrize("method", sorted(SUMMARIZERS))
def test_article_summary(method: str) -> None:
    out = summarize(ARTICLE, max_chars=120, method=method)
    assert out
    assert sum(len(s) for s in out) <= 120
    for s in out:
        assert s in ARTICLE
        assert "记者" not in s and "责任编辑" not in s and s != "他说。"
