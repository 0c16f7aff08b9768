"""The shared line rules (summarizer.boilerplate), date parsing (summarizer.dates) and
info-line / byline parsing used by both extract and clean."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from summarizer.boilerplate import Family, classify, filter_lines, related_runs, tail_start
from summarizer.dates import date_from_url, english_date, find_dates, is_timestamp_line, parse_date
from summarizer.extraction.body import join_broken_lines
from summarizer.extraction.byline import byline_author, dateline_author, parse_info_line
from summarizer.extraction.metadata import strip_site_name


@pytest.mark.parametrize(
    ("line", "family"),
    [
        ("责任编辑：刘兵兵", Family.CREDIT),
        ("[责任编辑：王五]", Family.CREDIT),
        ("编辑：李四", Family.CREDIT),
        ("（原标题：民警电话遭停机）", Family.CREDIT),
        ("来源：新华社", Family.CREDIT),
        ("免责声明：本网转载内容仅代表作者观点。", Family.DISCLAIMER),
        ("凡本网注明“来源：某某网”的所有作品，版权均属于某某网。", Family.DISCLAIMER),
        ("分享到：微信 微博", Family.SHARE),
        ("关注微信", Family.SHARE),
        ("微信 微博 QQ空间", Family.SHARE),
        ("相关新闻", Family.RELATED),
        ("推荐阅读：", Family.RELATED),
        ("延伸 · 推荐", Family.RELATED),
        ("热点", Family.RELATED),
        ("猜你喜欢", Family.RELATED),
        ("滇ICP备19003617号", Family.FOOTER),
        ("滇公网安备:53010202000680号", Family.FOOTER),
        ("云南经济日报社版权所有 未经书面授权,请勿转载", Family.FOOTER),
        ("24小时网站违法和不良信息举报电话:0871-64108623", Family.FOOTER),
        ("点击进入专题：乡村振兴", Family.TOPIC),
        ("图为村民在采摘茶叶。李华 摄", Family.CAPTION),
        ("（新华社记者 王晓 摄）", Family.CAPTION),
        ("2024年02月28日 13:35", Family.TIMESTAMP),
    ],
)
def test_boilerplate_families(line: str, family: Family) -> None:
    assert classify(line) is family


@pytest.mark.parametrize(
    "line",
    [
        "7月16日，上海云南扶贫协作第二十三次联席会议在文山壮族苗族自治州广南县举行。",
        "他说，编辑部收到了大量读者来信，大家都很关心这件事的后续进展，希望尽快公布调查结果。",
        "记者从省供销社获悉，今年全省春耕所需化肥储备已达到往年同期水平。",
        "陈舜介绍了云南省脱贫攻坚情况。（云南日报记者 杨猛 张寅）",
        "The council approved the budget on Tuesday after a long debate.",
    ],
)
def test_article_sentences_are_not_boilerplate(line: str) -> None:
    assert classify(line) is None


def test_related_list_is_recognised_by_timestamp_lines() -> None:
    lines = [
        "正文最后一段。",
        "全省新增三百所智慧校园",
        "2021-03-01 10:00",
        "乡村教师培训计划启动",
        "2021年02月26日 09:12",
        "县城中学开展送教下乡",
        "2021-02-20",
    ]
    assert related_runs(lines) == set(range(1, 7))


def test_one_headline_with_one_date_is_not_a_list() -> None:
    assert related_runs(["深化沪滇深厚情谊", "2020-07-17 09:45:57", "正文。"]) == set()


def test_tail_is_cut_at_related_heading_only_near_the_end() -> None:
    body = ["第一段，内容很长很长很长很长很长很长很长很长很长很长很长很长很长很长。"] * 6
    assert tail_start([*body, "相关新闻", "另一条新闻标题"]) == 6
    # an inline box near the top does not end the article
    assert tail_start(["相关新闻", *body]) == 7


def test_filter_lines_strips_trailing_editor_credit() -> None:
    out = filter_lines(["最后一段正文内容到此结束。（责任编辑：王五）", "分享到"])
    assert out == ["最后一段正文内容到此结束。"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-07-17 09:45:57", datetime(2020, 7, 17, 9, 45, 57)),
        ("2020/07/17 09:45", datetime(2020, 7, 17, 9, 45)),
        ("2020.7.17", datetime(2020, 7, 17)),
        ("2020年7月17日 09:45", datetime(2020, 7, 17, 9, 45)),
        ("2020年07月17日09:45", datetime(2020, 7, 17, 9, 45)),
        ("发布时间：2019年10月08日 12时00分", datetime(2019, 10, 8, 12, 0)),
        ("9/17/2004 5:54:13 AM", datetime(2004, 9, 17, 5, 54, 13)),
        ("7/5/2005 9:23:57 PM", datetime(2005, 5, 7, 21, 23, 57)),
    ],
)
def test_chinese_and_numeric_dates(text: str, expected: datetime) -> None:
    value = parse_date(text)
    assert value is not None
    assert value.replace(tzinfo=None) == expected
    assert value.utcoffset() == timedelta(hours=8)  # Asia/Shanghai when none is given


def test_iso_date_keeps_its_zone() -> None:
    value = parse_date("2019-09-07T13:43:45Z")
    assert value is not None and value.utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["2020-13-01", "2020年2月30日", "第1990号", "12306", "1234-56-78"])
def test_impossible_dates_are_ignored(text: str) -> None:
    assert find_dates(text) == []


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("http://www.xinhuanet.com/politics/2020-07/17/c_1126248.htm", "2020-07-17"),
        ("http://www.gov.cn/zhengce/content/t20200717_1234.html", "2020-07-17"),
        ("https://news.sina.com.cn/c/2019-11-25/doc-iihnzahi3275702.shtml", "2019-11-25"),
        ("https://example.com/2021/03/09/story.html", "2021-03-09"),
        ("https://example.com/news/20210309/123.html", "2021-03-09"),
    ],
)
def test_dates_in_urls(url: str, day: str) -> None:
    value = date_from_url(url)
    assert value is not None and value.date().isoformat() == day


def test_url_without_date() -> None:
    assert date_from_url("https://example.com/news/12345.html") is None


def test_timestamp_line() -> None:
    assert is_timestamp_line("2024年02月28日 13:35")
    assert is_timestamp_line("(2021-03-01)")
    assert not is_timestamp_line("来源:云南日报 2020-07-17 09:45:57")


def test_info_line_fields() -> None:
    info = parse_info_line("来源:云南日报 2020-07-17 09:45:57")
    assert info is not None
    assert info.source == "云南日报"
    assert info.published_at is not None and info.published_at.hour == 9
    info = parse_info_line("发布时间：2021年03月09日 14:20 来源：滇南日报 作者：周小溪")
    assert info is not None
    assert (info.source, info.author, info.labelled_date) == ("滇南日报", "周小溪", True)
    info = parse_info_line("ggjjzhzz 发表于 2005-9-15 11:46:00")
    assert info is not None and info.labelled_date


def test_long_paragraph_is_not_an_info_line() -> None:
    text = "2020年7月17日，" + "会议强调要深入学习贯彻有关精神，进一步深化合作。" * 8
    assert parse_info_line(text) is None


def test_bylines() -> None:
    assert byline_author("……出席会议。（云南日报记者 杨猛 张寅）") == "云南日报记者 杨猛 张寅"
    assert byline_author("没有署名的段落。") is None
    assert dateline_author("新华社北京7月16日电（记者 张三 李四）国务院……") == "张三 李四"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "最强“中国芯”本月商用 华为抢跑5G芯片大战|中国芯|芯片_新浪新闻",
            "最强“中国芯”本月商用 华为抢跑5G芯片大战",
        ),
        ("中华人民共和国监察法-纪检", "中华人民共和国监察法"),
        (
            "Harbour ferry returns after winter refit | Coastline Gazette",
            "Harbour ferry returns after winter refit",
        ),
        ("COVID-19 cases fall", "COVID-19 cases fall"),
    ],
)
def test_site_name_is_stripped_from_title(title: str, expected: str) -> None:
    assert strip_site_name(title) == expected


@pytest.mark.parametrize(
    "line", ["【纠错】 【责任编辑：王五】", "打印  关闭窗口", "返回搜狐，查看更多", "Advertisement"]
)
def test_lines_made_of_widgets_are_boilerplate(line: str) -> None:
    assert classify(line) is not None


@pytest.mark.parametrize(
    ("line", "family"),
    [
        ("Like this story? Share it with a friend!", Family.SHARE),
        ("Follow RT on", Family.SHARE),
        (
            "A cyclist rides next to a blocked petrol plant in the outskirts of La Paz, "
            "Bolivia, November 19, 2019. © Reuters / David Mercado",
            Family.CAPTION,
        ),
    ],
)
def test_english_widgets_and_photo_captions(line: str, family: Family) -> None:
    assert classify(line) is family


def test_english_prose_with_a_copyright_sign_inside_is_text() -> None:
    line = (
        "The company added the © sign to its logo in 1998 and, its spokesman said on "
        "Tuesday, never thought about it again until the lawsuit arrived."
    )
    assert classify(line) is None


def test_reporter_line_names_the_author() -> None:
    info = parse_info_line("本报记者 张三 李四")
    assert info is not None and info.author == "张三 李四"
    assert parse_info_line("记者从省供销社获悉，今年春耕农资储备充足。") is None


@pytest.mark.parametrize(
    ("line", "family"),
    [("責任編輯：王五", Family.CREDIT), ("相關新聞", Family.RELATED), ("版權所有", Family.FOOTER)],
)
def test_traditional_markers(line: str, family: Family) -> None:
    assert classify(line) is family


def test_traditional_info_line() -> None:
    info = parse_info_line("2023年09月03日 10:20 來源：港灣日報")
    assert info is not None and info.source == "港灣日報"


def test_author_fields() -> None:
    info = parse_info_line("编辑： 金金 来源： 21世纪经济报道 作者：宋怡 杨志华")
    assert info is not None
    assert (info.source, info.author) == ("21世纪经济报道", "宋怡 杨志华")
    info = parse_info_line("本报记者罗科苏盈发自北京")
    assert info is not None and info.author == "罗科苏盈"
    assert byline_author("……过程吗？”（姚峰 上海报道）") == "姚峰"
    info = parse_info_line("2004年7月16日08:19 [ 黄宇 ] 来源：[ 国际金融报 ]")
    assert info is not None and info.source == "国际金融报"


def test_lines_broken_inside_a_sentence_are_one_paragraph() -> None:
    lines = [
        "下周一，",
        "京沪高速施工就将进入第二阶段，",
        "也是影响最大的一段。",
        "什么？",
        "Hello,",
        "world.",
    ]
    assert join_broken_lines(lines) == [
        "下周一，京沪高速施工就将进入第二阶段，也是影响最大的一段。",
        "什么？",
        "Hello, world.",
    ]
    assert join_broken_lines(["第一段。", "第二段："]) == ["第一段。", "第二段："]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed, Nov 20, 2019 12:03", "2019-11-20T12:03"),
        ("August 23, 2018", "2018-08-23T00:00"),
        ("20 Nov, 2019 05:47", "2019-11-20T05:47"),
        ("Updated 3:05 PM, Nov. 18, 2019", "2019-11-18T00:00"),
    ],
)
def test_english_month_name_dates(text: str, expected: str) -> None:
    found = english_date(text)
    assert found is not None and found.isoformat(timespec="minutes").startswith(expected)


def test_english_dates_are_not_read_as_info_lines() -> None:
    assert english_date("May 2019 was hot") is None
    assert find_dates("August 23, 2018") == []  # sidebars must not steer the body choice


def test_a_labelled_two_digit_year_is_read() -> None:
    info = parse_info_line("发布时间：18-03-0823:16")  # 百家号
    assert info is not None and info.published_at is not None
    assert info.published_at.isoformat(timespec="minutes") == "2018-03-08T23:16+08:00"
    no_year = parse_info_line("发布时间：10-0812:00优质原创作者")
    assert no_year is not None and no_year.published_at is None
    assert find_dates("编号18-03-08的批次") == []  # only after a date label


def test_a_promo_line_with_a_bracketed_call_to_action_is_boilerplate() -> None:
    promo = (
        "“只有潮水退了才知道谁在裸泳”，一张榜单尽显中国经济的“大事”与“大势”！"
        "“2018十大经济年度人物评选”火热进行中！【点击投票】Pick你心目中的商业领袖"
    )
    assert classify(promo) is Family.TOPIC
    assert classify("这段视频的点击量超过一百万次，网友纷纷留言，认为景区应当尽快整改。") is None
