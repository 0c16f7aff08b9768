"""Keywords: TF-IDF over jieba words with a title boost and stopwords removed."""

from __future__ import annotations

from summarizer.keywords import STOPWORDS, extract_keywords

ARTICLE = (
    "新华社北京7月16日电 国家统计局16日发布数据，上半年国内生产总值同比增长5.5%。\n"
    "国家统计局新闻发言人说，上半年国民经济恢复向好，国内生产总值稳步增长。\n"
    "分季度看，二季度国内生产总值同比增长6.3%，消费对经济增长的贡献率明显提高。"
)


def test_finds_the_topic_words_first() -> None:
    keywords = extract_keywords(ARTICLE, top_k=5)
    assert len(keywords) == 5
    assert "生产总值" in keywords[:3]
    assert "国家统计局" in keywords


def test_no_stopwords_numbers_or_single_characters() -> None:
    keywords = extract_keywords(ARTICLE, top_k=50)
    assert keywords
    for word in keywords:
        assert word.lower() not in STOPWORDS
        assert len(word) >= 2
        assert not any(ch.isdigit() for ch in word[:1])


def test_title_boost_promotes_a_title_word() -> None:
    plain = extract_keywords(ARTICLE, top_k=20)
    boosted = extract_keywords(ARTICLE, title="消费贡献率提高", top_k=20)
    assert boosted.index("贡献率") < plain.index("贡献率")


def test_top_k_and_empty_input() -> None:
    assert extract_keywords(ARTICLE, top_k=2) == extract_keywords(ARTICLE, top_k=10)[:2]
    assert extract_keywords("", top_k=5) == []
    assert extract_keywords(ARTICLE, top_k=0) == []


def test_english_keywords_keep_their_case() -> None:
    text = "Apple released a new iPhone. The iPhone sold well in China. Apple shares rose."
    keywords = extract_keywords(text, top_k=3)
    assert "iPhone" in keywords and "Apple" in keywords
    assert "the" not in [k.lower() for k in keywords]
