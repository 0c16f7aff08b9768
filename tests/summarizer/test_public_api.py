"""The public API in DESIGN.md: the names benchmarks and outside checks import."""

from __future__ import annotations

import importlib


def test_public_names_are_the_functions_even_after_submodule_imports() -> None:
    # Importing the stage modules first must not shadow the functions of the same name.
    importlib.import_module("summarizer.analyze")
    importlib.import_module("summarizer.summarize")
    import summarizer
    from summarizer import analyze, clean_text, extract_article, find_entities, summarize

    for fn in (analyze, clean_text, extract_article, find_entities, summarize):
        assert callable(fn), fn
    assert summarizer.summarize is summarize
    assert summarizer.analyze is analyze


def test_summarize_and_analyze_through_the_package() -> None:
    from summarizer import Article, analyze, summarize

    text = "第一句话说明了事件的经过。第二句话补充了更多细节。第三句话是结尾。"
    picked = summarize(text, max_sentences=1)
    assert len(picked) == 1 and picked[0] in text
    analysis = analyze(Article(title="测试", text=text))
    assert all(text[s.start : s.end] == s.text for s in analysis.sentences)
