"""extract_article on small pages written for these tests (tests/fixtures/extract/)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer.errors import (
    EmptyText,
    ListPage,
    LoginWall,
    NotAnArticle,
    SearchPage,
    SummarizerError,
    VideoPage,
)
from summarizer.extract import extract_article
from summarizer.model import Article

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "extract"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def news() -> Article:
    return extract_article(page("news_page.html"), url="https://news.example.cn/a/1.html")


def test_title_is_headline_without_site_suffix(news: Article) -> None:
    assert news.title == "山区小学开通远程课堂 孩子们第一次上英语课"


def test_info_line_gives_date_source_author(news: Article) -> None:
    assert news.published_at is not None
    assert news.published_at.replace(tzinfo=None) == datetime(2021, 3, 9, 14, 20)
    assert news.published_at.utcoffset() is not None  # Asia/Shanghai when the page gives none
    assert news.published_at.utcoffset().total_seconds() == 8 * 3600  # type: ignore[union-attr]
    assert news.source == "滇南日报"
    assert news.author == "周小溪"
    assert news.lang == "zh"
    assert news.url == "https://news.example.cn/a/1.html"


def test_body_keeps_paragraphs_one_per_line(news: Article) -> None:
    lines = news.text.split("\n")
    assert lines[0].startswith("3月8日上午，位于高黎贡山脚下")
    assert lines[-1].startswith("据了解，全县计划在年底前")
    assert "（滇南日报记者 周小溪 通讯员 王远山）" in lines[-1]
    assert all(line == line.strip() and line for line in lines)


def test_body_keeps_table_rows_as_lines(news: Article) -> None:
    assert "岩脚村小学 3月 英语、音乐" in news.text.split("\n")


@pytest.mark.parametrize(
    "furniture",
    [
        "教育观察",  # kicker above the headline
        "山区小学开通远程课堂 孩子们第一次上英语课",  # the headline itself
        "来源：滇南日报",  # info line
        "责任编辑",  # credit line
        "免责声明",  # disclaimer
        "分享到",  # share widget
        "关注微信",
        "相关新闻",  # related list
        "全省新增三百所智慧校园",
        "2021-03-01",
        "热点推荐",  # sidebar
        "春耕时节看田间新变化",
        "ICP备",  # footer
        "版权所有",
        "举报",
        "点击进入专题",  # topic link
        "图为学生们",  # image caption
        "网友评论",  # comments
        "首页",  # navigation
    ],
)
def test_body_drops_page_furniture(news: Article, furniture: str) -> None:
    assert furniture not in news.text


def test_comment_time_is_not_the_publish_date(news: Article) -> None:
    assert news.published_at is not None
    assert news.published_at.date().isoformat() == "2021-03-09"


def test_meta_tags_give_title_date_author_source() -> None:
    a = extract_article(page("meta_page.html"))
    assert a.title == "Harbour ferry returns after winter refit"
    assert a.published_at is not None
    assert a.published_at.isoformat() == "2022-04-02T07:15:00+01:00"
    assert a.author == "Jane Marlow"
    assert a.source == "Coastline Gazette"
    assert a.lang == "en"
    assert len(a.paragraphs) == 3
    assert "Copyright" not in a.text and "Finally!" not in a.text


def test_gbk_bytes_with_lying_charset_on_a_table_layout_page() -> None:
    # The page says utf-8 in <meta> but its bytes are GBK, as on many 2003-2005 sites.
    data = page("old_table_gbk.html").encode("gbk")
    a = extract_article(data)
    assert a.title == "春季农资供应充足 价格总体平稳"
    assert a.published_at is not None
    assert a.published_at.replace(tzinfo=None) == datetime(2004, 3, 15, 8, 30)
    assert a.source == "华西在线"
    assert len(a.paragraphs) == 3
    assert a.paragraphs[0].startswith("本报讯 记者从省供销社获悉")
    assert "农机补贴新政出台" not in a.text  # left column of links
    assert "版权所有" not in a.text


def test_date_from_url_when_the_page_has_none() -> None:
    html = page("meta_page.html").replace("article:published_time", "x-unrelated")
    html = html.replace("Posted 2022-04-05 by reader: Finally!", "Great news.")
    a = extract_article(html, url="https://gazette.example/2022/04/01/harbour-ferry.html")
    assert a.published_at is not None
    assert a.published_at.date().isoformat() == "2022-04-01"


def test_title_from_json_ld_when_no_heading_matches() -> None:
    html = page("meta_page.html").replace(
        "</head>",
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Harbour ferry returns after winter refit", '
        '"datePublished": "2022-04-03T09:00:00Z"}</script></head>',
    )
    html = html.replace(
        '<meta property="og:title" content="Harbour ferry returns after winter refit">', ""
    )
    html = html.replace(
        '<meta property="article:published_time" content="2022-04-02T07:15:00+01:00">', ""
    )
    a = extract_article(html)
    assert a.title == "Harbour ferry returns after winter refit"
    assert a.published_at is not None
    assert a.published_at.date().isoformat() == "2022-04-03"


@pytest.mark.parametrize(
    ("name", "url", "error"),
    [
        ("list_page.html", None, ListPage),
        ("scroll_list_page.html", "https://www.example.cn/roll/", ListPage),
        ("login_page.html", None, LoginWall),
        ("search_page.html", "https://www.example.cn/search?q=%E9%99%8D%E6%B8%A9", SearchPage),
        ("search_page.html", None, SearchPage),
        ("video_page.html", "https://v.example.cn/v/108.html", VideoPage),
    ],
)
def test_pages_without_an_article_say_what_they_are(
    name: str, url: str | None, error: type[NotAnArticle]
) -> None:
    with pytest.raises(error) as caught:
        extract_article(page(name), url)
    assert caught.value.user_message("zh") != NotAnArticle.reason_zh
    assert caught.value.user_message("en") != NotAnArticle.reason


def test_an_article_with_an_embedded_video_is_still_read() -> None:
    html = page("video_page.html").replace("</h1>", f"</h1>{PROSE * 3}")
    assert extract_article(html).text.startswith("市气象台预计")


@pytest.mark.parametrize("html", ["", "   ", b""])
def test_empty_input_raises_empty_text(html: str | bytes) -> None:
    with pytest.raises(EmptyText):
        extract_article(html)


def test_binary_garbage_is_not_an_article() -> None:
    with pytest.raises(NotAnArticle):
        extract_article(bytes(range(256)) * 20)


def test_never_returns_an_empty_body_on_a_headline_only_page() -> None:
    with pytest.raises(NotAnArticle):
        extract_article(
            "<html><head><title>标题_某网</title></head><body><h1>标题</h1></body></html>"
        )


PROSE = (
    "<p>市气象台预计，本周后期将有一次明显降温过程，最低气温将降至零下五度左右，"
    "请市民及时添衣保暖，注意出行安全。</p>"
    "<p>交通部门表示，已提前储备融雪物资，并安排人员在重点路段值守，确保道路畅通，"
    "遇到恶劣天气将及时发布出行提示。</p>"
)


def test_h1_is_the_title_when_title_tag_is_only_the_site_name() -> None:
    html = (
        "<html><head><title>滨江网</title></head><body>"
        '<h1><a href="/">滨江网</a></h1>'
        f"<div class='content'><h1>本周后期将迎明显降温</h1>{PROSE}</div></body></html>"
    )
    assert extract_article(html).title == "本周后期将迎明显降温"


def test_kicker_and_deck_around_the_headline_are_not_body() -> None:
    html = (
        "<html><head><title>本周后期将迎明显降温_滨江网</title></head><body><div class='article'>"
        "<p>天气预报</p><h1>本周后期将迎明显降温</h1><p>最低气温零下五度</p>"
        f"<p>2022-12-01 08:00 来源：滨江晚报</p>{PROSE}</div></body></html>"
    )
    a = extract_article(html)
    assert a.title == "本周后期将迎明显降温"
    assert a.text.startswith("市气象台预计")
    assert a.source == "滨江晚报"
    assert a.published_at is not None and a.published_at.date().isoformat() == "2022-12-01"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=400), st.binary(max_size=400)))
def test_any_input_gives_an_article_or_a_typed_error(data: str | bytes) -> None:
    try:
        a = extract_article(data)
    except SummarizerError:
        return
    assert a.text.strip()
    assert a.title is not None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([PROSE, "<p>分享到</p>", "<div>", "</div>", "<h1>标题</h1>"])))
def test_tag_soup_never_returns_an_empty_body(parts: list[str]) -> None:
    try:
        a = extract_article("<html><body>" + "".join(parts))
    except SummarizerError:
        return
    assert a.text.strip()


def test_comment_time_is_never_used_when_the_page_has_no_date() -> None:
    html = page("meta_page.html").replace("article:published_time", "x-unrelated")
    a = extract_article(html)
    assert a.published_at is None  # "Posted 2022-04-05 by reader" is a comment's time


BIG5_PAGE = (
    "<html><head><title>颱風過境 全臺停班停課_港灣日報</title></head><body>"
    "<h1>颱風過境 全臺停班停課</h1><p>2023年09月03日 10:20 來源：港灣日報</p>"
    "<p>中央氣象局表示，颱風中心預計今天下午通過北部海面，各地風雨明顯增強，請民眾注意安全。</p>"
    "<p>各縣市政府已宣布停班停課，交通部門也提醒民眾減少外出，避免前往山區及海邊等危險地區。</p>"
    "</body></html>"
)


def test_big5_bytes_without_a_charset() -> None:
    a = extract_article(BIG5_PAGE.encode("big5"))
    assert a.title == "颱風過境 全臺停班停課"
    assert a.paragraphs[0].startswith("中央氣象局表示")
    assert a.published_at is not None and a.published_at.date().isoformat() == "2023-09-03"
    assert a.source == "港灣日報"


def test_cascade_reports_which_extractor_won() -> None:
    from summarizer.extract import extract_body
    from summarizer.extraction.html import parse, prune

    html = page("news_page.html")
    root = parse(html)
    prune(root)
    body = extract_body(root, html, None)
    assert body.extractor == "readability"
    assert body.size >= 200
    empty = parse("<html><body><p>短</p></body></html>")
    nothing = extract_body(empty, "<html><body><p>短</p></body></html>", None)
    assert (nothing.extractor, nothing.lines) == ("none", ())


def test_threads_extract_concurrently() -> None:
    from concurrent.futures import ThreadPoolExecutor

    html = page("news_page.html")
    with ThreadPoolExecutor(max_workers=4) as pool:
        titles = list(pool.map(lambda _: extract_article(html).title, range(8)))
    assert set(titles) == {"山区小学开通远程课堂 孩子们第一次上英语课"}


def test_article_split_across_layout_tables_is_read_whole() -> None:
    # Old table-layout pages sometimes put each part of one article in its own table;
    # readability keeps one part, the page's densest prose run holds them all.
    parts = [
        f"<table><tr><td><p>第{i}部分：{PROSE[3:-4]}</p></td>"
        "<td><a href='#'>链接</a></td></tr></table>"
        for i in range(1, 7)
    ]
    html = "<html><body><table><tr><td>" + "".join(parts) + "</td></tr></table></body></html>"
    a = extract_article(html)
    assert all(f"第{i}部分" in a.text for i in range(1, 7))


CONTROL_PAGE = (
    "<html><head><title>本周后期将迎明显降温_滨江网</title></head><body>\x00"
    "<h1>本周后期将\x0c迎明显降温</h1>"
    "<p>市气象台预计，本周后期\x00将有一次明显降温过程，最低气温将降至零下五度左右，"
    "请市民及时添衣保暖，注意出行安全。\x1b</p>"
    "<p>交通部门表示，已提前储备融雪物资，并安排人员在重点路段值守，确保道路畅通，"
    "遇到恶劣天气将及时发布出行提示。\x7f\ufffe</p></body></html>"
)


@pytest.mark.parametrize("data", [CONTROL_PAGE, CONTROL_PAGE.encode("utf-8", "surrogatepass")])
def test_control_characters_are_dropped_and_the_page_is_read(data: str | bytes) -> None:
    # Regression (issue 18): lxml raised an untyped ValueError "All strings must be XML
    # compatible" on NUL and other control characters.
    a = extract_article(data)
    assert a.title == "本周后期将迎明显降温"
    assert a.text.startswith("市气象台预计，本周后期将有一次明显降温过程")
    assert not any(ch in a.text for ch in "\x00\x0c\x1b\x7f\ufffe")


def test_a_few_invalid_bytes_are_replaced_not_a_reason_to_refuse() -> None:
    # A UTF-8 page with a run of broken emoji (cut 4-byte sequences) in its text.
    good = (
        "<html><head><meta charset='utf-8'><title>本周后期将迎明显降温_滨江网</title>"
        f"</head><body><h1>本周后期将迎明显降温</h1>{PROSE * 6}</body></html>"
    ).encode()
    cut = "注意出行安全。".encode()
    broken = good.replace(cut, cut + b"\xf0\x9f\x98" * 3, 1)
    a = extract_article(broken)
    assert "注意出行安全" in a.text
    assert "交通部门表示" in a.text


EN_PROSE = (
    "<p>The harbour ferry returned to service on Monday after a three-month refit, "
    "the port authority said, with new engines and a wider passenger deck.</p>"
    "<p>Commuters who had relied on the replacement bus said the crossing now takes "
    "twelve minutes, half the time the road route needed during the works.</p>"
)


def test_site_name_suffix_learned_from_the_page_is_cut_from_the_title() -> None:
    html = (
        "<html><head><title>芯片设计迎来新机遇-EDN 电子技术设计</title>"
        '<meta property="og:site_name" content="EDN 电子技术设计"></head>'
        f"<body><div class='post'>{PROSE}</div></body></html>"
    )
    assert extract_article(html).title == "芯片设计迎来新机遇"


def test_title_that_is_only_the_site_name_gives_way_to_the_h1() -> None:
    html = (
        "<html><head><title>滨江日报新闻网</title>"
        '<meta name="application-name" content="滨江日报新闻网"></head><body>'
        f"<div class='content'><h1>本周后期将迎明显降温</h1>{PROSE}</div></body></html>"
    )
    assert extract_article(html).title == "本周后期将迎明显降温"


def test_declared_publish_date_wins_over_a_modified_time() -> None:
    html = (
        "<html><head><title>Harbour ferry returns after refit</title>"
        '<meta property="article:modified_time" content="2024-05-01T10:00:00Z">'
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2024-03-03T08:00:00Z"}</script></head>'
        f"<body><h1>Harbour ferry returns after refit</h1>{EN_PROSE}</body></html>"
    )
    a = extract_article(html)
    assert a.published_at is not None and a.published_at.date().isoformat() == "2024-03-03"


def test_english_dateline_under_the_headline_gives_the_date() -> None:
    html = (
        "<html><head><title>Harbour ferry returns after refit</title></head><body>"
        "<h1>Harbour ferry returns after refit</h1><p>By Jane Doe | March 3, 2024</p>"
        f"{EN_PROSE}</body></html>"
    )
    a = extract_article(html)
    assert a.published_at is not None and a.published_at.date().isoformat() == "2024-03-03"


def test_a_short_article_beside_a_header_login_box_is_read() -> None:
    html = (
        "<html><head><title>本周后期将迎明显降温_滨江网</title></head><body>"
        "<div class='top'><form><input name='u'><input type='password' name='p'></form></div>"
        f"<div class='content'><h1>本周后期将迎明显降温</h1>{PROSE}</div></body></html>"
    )
    a = extract_article(html, "https://news.example.cn/a/2.html?s=20")
    assert a.text.startswith("市气象台预计")
