"""The card: escaped, linked safely, grouped entities, related stories, buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.telegram.render import card_buttons, escape, parse_callback, render_card, safe_href
from summarizer.model import Article, EntityCount
from tests.helpers.telegram_html import parse_html


@dataclass(frozen=True)
class Story:
    article_id: int
    title: str
    url: str | None
    source: str | None
    published_at: datetime | None


ARTICLE = Article(
    title="上海<b>云南</b> & 扶贫",
    text="正文",
    url='https://news.example.cn/a?id=1&x="2"',
    source="云南日报",
    published_at=datetime(2020, 7, 17, 9, 45, 57),
)
ENTITIES = (
    EntityCount("李强", "PER", 5),
    EntityCount("陈豪", "PER", 4),
    EntityCount("云南", "LOC", 9),
    EntityCount("上海市委", "ORG", 2),
)


def test_card_has_linked_title_meta_summary_entities_and_related() -> None:
    related = [Story(2, "沪滇协作<script>", "https://b.cn/2", "解放日报", datetime(2020, 7, 16))]
    html = render_card(
        ARTICLE, ["第一句。", "A < B & C。"], ENTITIES, lang="zh", outlets=3, related=related
    )
    text, entities = parse_html(html)
    assert text.startswith("上海<b>云南</b> & 扶贫\n云南日报 · 2020-07-17 09:45")
    assert "A < B & C。" in text
    assert "人物：李强 ×5、陈豪 ×4" in text
    assert "地点：云南 ×9" in text and "机构：上海市委 ×2" in text
    assert "另有 2 家媒体转载" in text
    assert "• 沪滇协作<script>（解放日报 · 2020-07-16）" in text
    links = [e["url"] for e in entities if e["type"] == "text_link"]
    assert links == ['https://news.example.cn/a?id=1&x="2"', "https://b.cn/2"]


def test_english_card_labels() -> None:
    text, _ = parse_html(render_card(ARTICLE, ["x"], ENTITIES, lang="en", outlets=2))
    assert "People: 李强 ×5, 陈豪 ×4" in text and "Organisations: 上海市委 ×2" in text
    assert "Also reported by 1 other outlet(s)" in text


def test_only_http_links_become_links() -> None:
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "http://", "https://a b.cn", None):
        assert safe_href(bad) is None
        html = render_card(Article(title="t", text="x", url=bad), [], [])
        assert "<a " not in html
        assert all(b.url is None for b in card_buttons(1, bad, "zh").inline_keyboard[0])


@given(st.text(max_size=300), st.text(max_size=100))
def test_any_article_strings_render_to_valid_telegram_html(title: str, body: str) -> None:
    html = render_card(
        Article(title=title, text=body, source=body[:20], url="https://a.cn/" + title[:10]),
        [body],
        [EntityCount(body[:5] or "x", "PER", 2)],
        related=[Story(1, title, "https://a.cn", body[:5], None)],
    )
    parse_html(html)  # raises if anything slipped through unescaped
    assert len(html) <= 4096


def test_buttons_and_callback_data_round_trip() -> None:
    markup = card_buttons(42, "https://a.cn/x", "zh")
    labels = [b.text for b in markup.inline_keyboard[0]]
    assert labels == ["全文", "实体", "相关", "原文"]
    datas = [b.callback_data for b in markup.inline_keyboard[0][:3]]
    assert [parse_callback(d) for d in datas if isinstance(d, str)] == [
        ("full", 42),
        ("ent", 42),
        ("rel", 42),
    ]
    assert parse_callback("rm:1") is None and parse_callback("full:x") is None
    assert escape('<a href="x">&') == "&lt;a href=&quot;x&quot;&gt;&amp;"
