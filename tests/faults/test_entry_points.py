"""Every public entry point of ``summarizer`` under hostile input.

The invariant is the one DESIGN.md states for the public API: a well-formed result, or
one of the package's typed errors (``SummarizerError``) with a reason a user can read.
On top of it, each result keeps its own promise: spans are slices of the source, a
summary sentence is a substring of the text, in document order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from summarizer import Article, analyze, clean_text, extract_article, find_entities, summarize
from summarizer.errors import SummarizerError
from summarizer.model import Sentence
from summarizer.sentences import split_sentences
from tests.faults.strategies import (
    encoded_html,
    hostile_bytes,
    hostile_html,
    hostile_text,
    news_page,
)

T = TypeVar("T")
FUZZ = settings(
    deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


def result_or_typed_error(call: Callable[[], T]) -> T | None:
    """``call()``'s result, or None when it raised a typed error a user can read."""
    try:
        return call()
    except SummarizerError as error:
        assert error.user_message("zh") and error.user_message("en")
        return None


def assert_article(article: Article) -> None:
    assert isinstance(article, Article)
    assert isinstance(article.title, str) and isinstance(article.text, str)
    assert article.text.strip(), "an article is returned only when it has a body"


def assert_spans(text: str, spans: list[Sentence] | tuple[Sentence, ...]) -> None:
    last = 0
    for s in spans:
        assert text[s.start : s.end] == s.text and s.text
        assert last <= s.start < s.end
        last = s.end


@FUZZ
@given(st.one_of(hostile_html, news_page))
def test_extract_article_on_str(html: str) -> None:
    article = result_or_typed_error(lambda: extract_article(html, url="https://news.example/a"))
    if article is not None:
        assert_article(article)


@FUZZ
@given(st.one_of(encoded_html, news_page.map(lambda html: html.encode("utf-8", "surrogatepass"))))
def test_extract_article_on_bytes(page: bytes) -> None:
    article = result_or_typed_error(lambda: extract_article(page))
    if article is not None:
        assert_article(article)


@FUZZ
@given(st.one_of(hostile_html, news_page, hostile_bytes))
@example(b"\x00<script></script>\x01")
@example("</title></head><body><script></script>\x1f")
def test_extract_article_on_control_characters(page: str | bytes) -> None:
    article = result_or_typed_error(lambda: extract_article(page))
    if article is not None:
        assert_article(article)


@FUZZ
@given(hostile_text)
def test_clean_text(text: str) -> None:
    article = result_or_typed_error(lambda: clean_text(text))
    if article is not None:
        assert_article(article)


@FUZZ
@given(hostile_text)
def test_split_sentences_spans_are_slices_in_order(text: str) -> None:
    assert_spans(text, split_sentences(text))


@FUZZ
@given(hostile_text, st.integers(1, 5), st.one_of(st.none(), st.integers(0, 300)))
def test_summary_sentences_are_substrings_in_document_order(
    text: str, max_sentences: int, max_chars: int | None
) -> None:
    picked = result_or_typed_error(
        lambda: summarize(text, max_sentences=max_sentences, max_chars=max_chars)
    )
    if picked is None:
        return
    assert len(picked) <= max_sentences
    at = 0
    for sentence in picked:
        assert sentence and sentence in text
        found = text.find(sentence, at)
        assert found >= 0, "sentences come in document order"
        at = found + len(sentence)


@FUZZ
@given(hostile_text)
def test_entity_text_is_the_source_slice(text: str) -> None:
    entities = result_or_typed_error(lambda: find_entities(text))
    for e in entities or []:
        assert text[e.start : e.end] == e.text and e.text
        assert e.type in ("PER", "LOC", "ORG")


@FUZZ
@given(hostile_text, hostile_text)
def test_analyze_keeps_every_span_in_the_article(title: str, text: str) -> None:
    analysis = result_or_typed_error(lambda: analyze(Article(title=title, text=text)))
    if analysis is None:
        return
    assert_spans(text, analysis.sentences)
    assert_spans(text, analysis.summary)
    for chosen in analysis.summary:  # a sentence, perhaps with its dateline trimmed off
        assert any(s.start <= chosen.start and chosen.end <= s.end for s in analysis.sentences)
    for e in analysis.entities:
        assert text[e.start : e.end] == e.text


@FUZZ
@given(hostile_text)
def test_a_pasted_page_goes_through_the_whole_pipeline(text: str) -> None:
    article = result_or_typed_error(lambda: clean_text(text))
    if article is not None:
        analysis = analyze(article)
        assert_spans(article.text, analysis.summary)


def test_a_lone_surrogate_does_not_crash_entity_search() -> None:
    # Found by test_entity_text_is_the_source_slice: the gazetteer hashed names as strict
    # UTF-8, and JSON (an ingest file, a Bot API update) may carry a lone surrogate.
    text = "国务院总理李强今天主持召开国务院常务会议。\ud800李强说。"
    for e in find_entities(text):
        assert text[e.start : e.end] == e.text
