from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.digests.compose import DigestOptions, collapse, compose
from summarizer.model import EntityCount, ListedStory
from tests.helpers.telegram_html import TEXT_LIMIT, parse_html, utf16_len

T0 = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
END = T0 + timedelta(days=1)


def story(
    article_id: int,
    title: str,
    *,
    family: int | None = None,
    source: str = "新华社",
    hours: int = 1,
    keywords: tuple[str, ...] = (),
    entities: tuple[EntityCount, ...] = (),
    outlets: int = 1,
) -> ListedStory:
    return ListedStory(
        article_id=article_id,
        duplicate_of=family,
        title=title,
        url=f"https://news.example/{article_id}",
        source=source,
        published_at=T0 + timedelta(hours=hours),
        seen_at=T0 + timedelta(hours=hours),
        sentence=f"{title}的一句话摘要。",
        keywords=keywords,
        entities=entities,
        outlets=outlets,
    )


def test_duplicates_collapse_with_outlet_count_and_rank_first() -> None:
    stories = [
        story(1, "央行降准", source="新华社", hours=1),
        story(2, "央行宣布降准", family=1, source="人民网", hours=2),
        story(3, "央行降准0.5个百分点", family=1, source="澎湃新闻", hours=3),
        story(4, "台风登陆", hours=10),
    ]
    entries = collapse(stories)
    assert [e.lead.article_id for e in entries] == [1, 4]  # 3 outlets beats recency
    assert entries[0].outlets == 3 and entries[0].related == ()
    digest = compose(stories, period_start=T0, period_end=END)
    text = "\n".join(digest.messages)
    assert "3 家媒体" in text and text.count("news.example/") == 2  # one line per family
    assert "人民网" not in text and "澎湃" not in text
    assert "2 条新闻" in digest.messages[0]


def test_related_stories_cluster_under_one_headline() -> None:
    kw = ("地震", "四川", "救援", "伤亡")
    stories = [
        story(1, "四川发生地震", keywords=kw, hours=1),
        story(2, "四川地震救援进展", keywords=(*kw, "武警"), hours=5, outlets=2),
        story(3, "股市收盘", keywords=("股市", "收盘", "指数"), hours=6),
    ]
    entries = collapse(stories)
    assert len(entries) == 2
    quake = entries[0]
    assert quake.lead.article_id == 2  # the better-covered story leads the cluster
    assert [s.article_id for s in quake.related] == [1]
    text = compose(stories, period_start=T0, period_end=END).messages[0]
    assert "↳ 相关：" in text and text.index("四川地震救援进展") < text.index("股市收盘")


def test_stories_whose_words_are_close_cluster_without_shared_keywords() -> None:
    stories = [
        story(1, "白沙瓦清真寺爆炸", keywords=("清真寺", "爆炸", "死亡"), hours=1),
        story(2, "巴基斯坦爆炸袭击", keywords=("巴基斯坦", "袭击", "伤亡"), hours=2),
        story(3, "股市收盘", keywords=("股市", "收盘", "指数"), hours=3),
    ]
    assert len(collapse(stories)) == 3  # keywords alone do not join 1 and 2
    similarity = [[0.0, 0.31, 0.02], [0.31, 0.0, 0.01], [0.02, 0.01, 0.0]]
    entries = collapse(stories, similarity)
    assert sorted(
        sorted([e.lead.article_id, *(r.article_id for r in e.related)]) for e in entries
    ) == [
        [1, 2],
        [3],
    ]


def test_ties_go_to_the_most_recent() -> None:
    entries = collapse([story(1, "旧闻", hours=1), story(2, "新闻", hours=9)])
    assert [e.lead.article_id for e in entries] == [2, 1]


def test_entity_line_counts_across_stories_and_can_be_off() -> None:
    xi = EntityCount("李强", "PER", 2)
    bj = EntityCount("北京", "LOC", 1)
    stories = [story(1, "甲", entities=(xi, bj)), story(2, "乙", entities=(xi,))]
    digest = compose(stories, period_start=T0, period_end=END)
    assert digest.top_entities[0] == EntityCount("李强", "PER", 4)
    assert "人物：李强" in digest.messages[-1] and "地点：北京" in digest.messages[-1]
    off = compose(stories, period_start=T0, period_end=END, options=DigestOptions(entities=False))
    assert "人物" not in "".join(off.messages)


def test_article_text_is_escaped_and_english_header() -> None:
    evil = story(1, "<script>alert(1)</script> & <b>", source="A&B")
    digest = compose([evil], period_start=None, period_end=END, options=DigestOptions("en"))
    message = digest.messages[0]
    assert "<script>" not in message and "&lt;script&gt;" in message and "A&amp;B" in message
    assert message.startswith("📰 <b>News digest</b>") and "1 story" in message
    parse_html(message)  # Telegram would accept it


def test_empty_digest_says_so() -> None:
    digest = compose([], period_start=T0, period_end=END)
    assert len(digest.messages) == 1 and "没有新的报道" in digest.messages[0]


titles = st.text(min_size=1, max_size=300).filter(lambda t: t.strip() != "")


@settings(max_examples=40, deadline=None)
@given(st.lists(titles, min_size=1, max_size=60))
def test_messages_are_valid_html_below_the_limit_and_keep_every_story(names: list[str]) -> None:
    stories = [story(i + 1, name, keywords=(name,)) for i, name in enumerate(names)]
    digest = compose(stories, period_start=T0, period_end=END, options=DigestOptions(stories=50))
    for message in digest.messages:
        assert utf16_len(parse_html(message)[0]) <= TEXT_LIMIT
        assert len(message) <= 4096
    assert "条新闻" in digest.messages[0]
    joined = "\n".join(digest.messages)
    assert all(f'href="https://news.example/{e.lead.article_id}"' in joined for e in digest.entries)


wide = st.sampled_from(["😀", "𠀀", "新", "&"])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(wide, wide, st.integers(1, 500)), min_size=1, max_size=12))
def test_supplementary_plane_digests_stay_below_the_limit_in_utf16_units(
    shapes: list[tuple[str, str, int]],
) -> None:
    """Characters outside the BMP count twice in Telegram's limit (issue 18, item 2)."""
    stories = [
        replace(
            story(i + 1, t * 200, keywords=(f"k{i}",)),
            url="https://news.example/" + u * n,
            sentence=t * 400,
        )
        for i, (t, u, n) in enumerate(shapes)
    ]
    digest = compose(stories, period_start=T0, period_end=END, options=DigestOptions(stories=50))
    for message in digest.messages:
        assert utf16_len(message) <= TEXT_LIMIT
        assert parse_html(message)[0].strip()
