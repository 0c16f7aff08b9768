"""split_message: property tests against the fake Bot API's Telegram HTML parser."""

from __future__ import annotations

import html
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.telegram.render import split_message
from tests.helpers.telegram_html import parse_html, utf16_len

_TEXT = st.text(
    alphabet=st.sampled_from(list("新闻摘要报道上海云南 abc.。！？\n&<>\"'😀")),
    min_size=0,
    max_size=60,
)
_TAGS = ["b", "i", "u", "s", "code", "tg-spoiler", "blockquote", "a"]


@st.composite
def telegram_html(draw: st.DrawFn, depth: int = 0) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        if depth < 3 and draw(st.booleans()):
            tag = draw(st.sampled_from(_TAGS))
            inner = draw(telegram_html(depth + 1))
            if tag == "a":
                url = "https://example.cn/" + draw(st.text('abc&?="', max_size=10))
                parts.append(f'<a href="{html.escape(url)}">{inner}</a>')
            else:
                parts.append(f"<{tag}>{inner}</{tag}>")
        else:
            parts.append(html.escape(draw(_TEXT)))
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from(["\n", "\n\n", " "])))
    return "".join(parts)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(telegram_html(), st.integers(min_value=256, max_value=600))
def test_chunks_are_valid_balanced_and_within_limit(source: str, limit: int) -> None:
    chunks = split_message(source, limit)
    plain, _ = parse_html(source)
    for chunk in chunks:
        assert utf16_len(chunk) <= limit
        parse_html(chunk)  # raises on unbalanced or broken tags/entities
    # nothing lost, nothing duplicated (white space at the cuts may go)
    assert _squash("".join(parse_html(c)[0] for c in chunks)) == _squash(plain)


@given(telegram_html())
def test_short_messages_are_left_alone(source: str) -> None:
    if parse_html(source)[0].strip() and utf16_len(source) <= 4096:
        assert split_message(source) == [source]
    elif not parse_html(source)[0].strip():
        assert split_message(source) == []  # Telegram refuses an empty message


def test_cuts_on_paragraph_boundaries_first() -> None:
    paragraphs = [f"<b>第{i}段</b>" + "新闻内容。" * 30 for i in range(6)]
    chunks = split_message("\n\n".join(paragraphs), limit=400)
    assert all(chunk.startswith("<b>第") for chunk in chunks)
    assert len(chunks) == 3


def test_open_tags_are_closed_and_reopened_at_a_cut() -> None:
    source = '<a href="https://x.cn/?a=1&amp;b=2"><b>' + "很长的一句话。" * 100 + "</b></a>"
    chunks = split_message(source, limit=300)
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.startswith('<a href="https://x.cn/?a=1&amp;b=2"><b>')
        assert chunk.endswith("</b></a>")
        assert chunk.count("。") >= 1  # cut after a sentence, not mid-sentence


def test_never_cuts_inside_an_entity() -> None:
    chunks = split_message("&amp;" * 2000, limit=101)
    assert all(re.fullmatch(r"(&amp;)+", c) for c in chunks)


def test_blank_input_gives_no_messages() -> None:
    assert split_message("  \n\n ") == []
