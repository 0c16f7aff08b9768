"""Property tests: every card Telegram is sent is one it accepts (issue 18, item 2).

``render_card`` + ``split_message`` over hostile articles (non-BMP characters, which count
twice in Telegram's UTF-16 limit, markup-like text, very long titles, links and entity
names): every part is non-empty, at most 4,096 UTF-16 units, and balanced HTML that
Telegram's parser (the fake Bot API's re-implementation) accepts; nothing is lost.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.telegram.render import card_buttons, render_card, render_full_text, split_message
from summarizer.model import Article, EntityCount
from tests.helpers.telegram_html import TEXT_LIMIT, parse_html, utf16_len

# BMP CJK, supplementary-plane CJK (Extension B) and emoji: the last two are 2 UTF-16 units
_CHARS = st.sampled_from([*list("新闻摘要上海 ab.。！\n&<>\"'"), "𠀀", "𪚥", "😀", "🇨", "\u200b"])
_TEXT = st.text(alphabet=_CHARS, max_size=80)
_LONG = st.one_of(
    st.text(alphabet=_CHARS, max_size=300),
    st.builds(
        lambda c, n: c * n, st.sampled_from(["😀", "𠀀", "新", "&", " "]), st.integers(0, 5000)
    ),
)
_URLS = st.one_of(
    st.none(),
    st.just("javascript:alert(1)"),
    st.builds(
        lambda s, n: "https://news.example.cn/" + s * n,
        st.sampled_from(["a", "&", "<", "%", "𠀀", "😀"]),
        st.integers(0, 4000),
    ),
)


@st.composite
def cards(draw: st.DrawFn) -> tuple[Article, list[str], list[EntityCount], str]:
    article = Article(
        title=draw(_LONG),
        text=draw(_LONG),
        url=draw(_URLS),
        source=draw(st.one_of(st.none(), _TEXT)),
        published_at=datetime(2026, 12, 6, tzinfo=UTC),
    )
    summary = draw(st.lists(_LONG, max_size=4))
    entities = draw(
        st.lists(
            st.builds(
                EntityCount, _LONG, st.sampled_from(["PER", "LOC", "ORG"]), st.integers(1, 9)
            ),
            max_size=30,
        )
    )
    return article, summary, entities, draw(st.sampled_from(["zh", "en"]))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_accepted(parts: list[str]) -> None:
    for part in parts:
        assert utf16_len(part) <= TEXT_LIMIT
        text, _ = parse_html(part)  # raises on anything Telegram would refuse
        assert text.strip(), f"empty part {part!r}"
        assert utf16_len(text) <= TEXT_LIMIT


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards())
def test_every_card_part_is_one_telegram_accepts(
    card: tuple[Article, list[str], list[EntityCount], str],
) -> None:
    article, summary, entities, lang = card
    html = render_card(article, summary, entities, lang=lang, outlets=2)
    parts = split_message(html)
    assert parts, "a card always says something (at least its headline)"
    assert_accepted(parts)
    assert _squash("".join(parse_html(p)[0] for p in parts)) == _squash(parse_html(html)[0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards())
def test_full_text_parts_are_accepted(
    card: tuple[Article, list[str], list[EntityCount], str],
) -> None:
    assert_accepted(render_full_text(card[0]))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**63 - 1), _URLS, st.sampled_from(["zh", "en"]))
def test_buttons_fit_telegram_limits(article_id: int, url: str | None, lang: str) -> None:
    for row in card_buttons(article_id, url, lang).inline_keyboard:
        for button in row:
            assert (
                button.callback_data is None or 1 <= len(str(button.callback_data).encode()) <= 64
            )
            assert button.url is None or len(button.url.encode()) <= 2048


_INVISIBLE = st.sampled_from([" ", "\n", "\t", "\u3000", "<b>", "</b>", "&#32;", "<i></i>"])


@given(st.lists(_INVISIBLE, max_size=40).map("".join))
def test_nothing_visible_gives_no_part(source: str) -> None:
    try:
        parse_html(source)
    except ValueError:
        return  # not well-formed input: not what the bot renders
    assert split_message(source) == [] or all(
        parse_html(p)[0].strip() for p in split_message(source)
    )
