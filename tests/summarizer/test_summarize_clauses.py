"""Clause prefixes that fill the budget, and the training script's fitting on a toy set."""

from __future__ import annotations

import json
from pathlib import Path

from summarizer.model import Sentence
from summarizer.summarize import summarize
from summarizer.summarizers import prepare, train
from summarizer.summarizers.clauses import (
    clean_prefixes,
    continue_from,
    fit_piece,
    longest_prefix,
)
from summarizer.summarizers.features import FEATURES


def sentence(text: str) -> Sentence:
    return Sentence(text, 0, len(text))


def prefixes(text: str) -> list[str]:
    return [p.text for p in clean_prefixes(sentence(text))]


def test_a_prefix_ends_before_a_comma_and_says_something() -> None:
    text = "国家统计局今天发布了最新数据，上半年经济增长5.5%，消费贡献明显。"
    assert prefixes(text) == [
        "国家统计局今天发布了最新数据",
        "国家统计局今天发布了最新数据，上半年经济增长5.5%",
    ]


def test_no_dangling_conjunction_attribution_or_open_quote() -> None:
    assert prefixes("专家们在会上表示，经济运行总体平稳。") == []  # ends on 表示
    assert (
        prefixes("他们这一次的目标非常明确，但是，困难依然很多。")[-1] == "他们这一次的目标非常明确"
    )
    assert prefixes("本次合作的顺利进展，将推动业务发展。") == []  # a topic phrase, too short
    assert prefixes("他说“这项工作，我们一定会完成”。") == []  # quote left open
    # the last clause is subordinate: 虽然… needs its main clause
    assert prefixes("今年全国的粮食产量再创历史新高，虽然部分地区受灾，总体形势良好。") == [
        "今年全国的粮食产量再创历史新高"
    ]
    assert prefixes("这个问题该怎么解决，大家都在问？") == []  # questions are not cut
    # a thousands separator is not a clause boundary; 受…/随着… wait for the main clause
    assert prefixes("目前公司尿素价格1,900元每吨，较上月明显上涨。") == [
        "目前公司尿素价格1,900元每吨"
    ]
    assert prefixes("我们认为随着二手机包袱解决，公司利润将明显改善。") == []
    assert prefixes("受政策面不断出现的向好信号鼓励，股市大涨。") == []


def test_longest_prefix_and_fit_piece_respect_the_budget() -> None:
    s = sentence("国家统计局今天发布了最新数据，上半年经济增长5.5%，消费贡献明显。")
    assert (
        longest_prefix(s, 20) is not None
        and longest_prefix(s, 20).text == "国家统计局今天发布了最新数据"
    )
    assert longest_prefix(s, 5) is None
    assert fit_piece(s, 20).text == "国家统计局今天发布了最新数据"  # 14 chars ≥ half of 20
    assert fit_piece(s, 30).text == "国家统计局今天发布了最新数据，上半年经济增长5.5%"
    assert fit_piece(s, 100) is s
    assert fit_piece(s, 6) is s  # no prefix worth it: the whole sentence


def test_a_summary_fills_the_budget_with_a_clean_prefix() -> None:
    text = (
        "国家统计局16日发布数据，上半年国内生产总值同比增长5.5%。"
        "分季度看，二季度国内生产总值同比增长6.3%，比一季度加快1.8个百分点，"
        "消费对经济增长的贡献率达到77.2%。"
    )
    whole = summarize(text, max_chars=60, max_sentences=3)
    assert whole[0] == "国家统计局16日发布数据，上半年国内生产总值同比增长5.5%。"
    assert len(whole) == 2 and sum(len(s) for s in whole) <= 60
    assert whole[1] == "分季度看，二季度国内生产总值同比增长6.3%"
    assert all(s in text for s in whole)


def test_training_fits_every_scorer_on_a_toy_set(tmp_path: Path) -> None:
    news = {
        "text": "市政府今天宣布新建三座公园。公园将在明年开放。市民对此表示欢迎。",
        "summary": "市政府宣布新建三座公园",
        "title": "新建公园",
        "reference_type": "weak-title",
    }
    short = {
        "text": "公园将在明年开放。市政府今天宣布新建三座公园。",
        "summary": "市政府宣布新建三座公园",
    }
    weights = train.fit_all([short, short], [news, news], [news])
    assert set(weights) == {"short", "news", "report"}
    assert all(len(w) == len(FEATURES) for w in weights.values())
    # the conditional logit learns to prefer the sentence that holds the summary
    x, y = next(train.short_rows([short]))
    assert int(y.argmax()) == 1
    scores = x @ weights["short"]
    assert scores[1] > scores[0]


def test_shipped_weights_match_the_features() -> None:
    path = Path(train.__file__).resolve().parents[1] / "data" / "summary_weights.json"
    data = json.loads(path.read_text("utf-8"))
    assert data["features"] == list(FEATURES)
    assert set(data["weights"]) == {"short", "news", "report"}


def test_a_short_post_is_read_on_from_the_chosen_sentence() -> None:
    post = (
        "市政府今天宣布新建三座公园。公园将在明年开放。"
        "市民对此表示欢迎，认为城市环境会越来越好，周末有了新去处。"
    )
    doc = prepare(post)
    chosen = continue_from(doc, 0, max_sentences=3, max_chars=45)
    assert [s.text for s in chosen] == [
        "市政府今天宣布新建三座公园。",
        "公园将在明年开放。",
        "市民对此表示欢迎，认为城市环境会越来越好",
    ]
    assert len(continue_from(doc, 0, max_sentences=1, max_chars=45)) == 1
    # a start longer than the budget with no prefix worth it: that sentence alone, whole
    assert continue_from(doc, 2, max_sentences=3, max_chars=10) == [doc.candidates[2]]
    # the summarizer picks its start with the learned scorer and never overruns here
    out = summarize(post, max_chars=40)
    assert sum(map(len, out)) <= 40 and all(s in post for s in out)
    starts = [post.index(s) for s in out]
    assert starts == sorted(starts)
