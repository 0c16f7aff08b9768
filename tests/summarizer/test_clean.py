"""clean_text on pasted text: the bundled seed page dump and small pastes written here."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.clean import clean_text
from summarizer.errors import EmptyText, NotAnArticle, SummarizerError

ROOT = Path(__file__).resolve().parents[2]
SEED_PAGE = ROOT / "examples" / "seed_page.txt"
# What a good cleaner makes of the seed page (the contract of ../shared/seed/expected.json).
SEED_TITLE = "深化沪滇深厚情谊 谱写合作发展新篇"
SEED_SOURCE = "云南日报"
SEED_TIME = "2020-07-17T09:45:57"
SEED_FIRST = "7月16日,上海云南扶贫协作第二十三次联席会议在文山壮族苗族自治州广南县举行。"
SEED_LAST_END = "陈舜介绍了云南省脱贫攻坚情况。(云南日报记者 杨猛 张寅 解放日报记者 谈燕)"
SEED_MUST_NOT = [
    "关注微信",
    "关注微博",
    "责任编辑",
    "免责声明",
    "推荐",
    "2024年02月28日",
    "ICP备",
    "版权所有",
    "新闻爆料热线",
    "举报",
    "法律顾问",
    "来自福建省厦门市",
]
SHARED_EXPECTED = ROOT.parent / "shared" / "seed" / "expected.json"


def ws(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


@pytest.fixture(scope="module")
def seed():  # type: ignore[no-untyped-def]
    return clean_text(SEED_PAGE.read_text(encoding="utf-8"))


def test_seed_title_source_time(seed) -> None:  # type: ignore[no-untyped-def]
    assert ws(seed.title) == SEED_TITLE
    assert seed.source == SEED_SOURCE
    assert seed.published_at.replace(tzinfo=None).isoformat() == SEED_TIME
    assert seed.lang == "zh"


def test_seed_body_is_the_eight_paragraphs_in_order(seed) -> None:  # type: ignore[no-untyped-def]
    paragraphs = [ws(p) for p in seed.text.split("\n")]
    assert len(paragraphs) == 8
    assert paragraphs[0].startswith(SEED_FIRST)
    assert (
        paragraphs[1]
        == "中共中央政治局委员、上海市委书记李强出席会议并讲话,云南省委书记陈豪主持会议并讲话。"
    )
    assert paragraphs[-1].endswith(SEED_LAST_END)
    for kicker_or_deck in ("上海云南扶贫协作联席会议在广南举行", "李强讲话 陈豪主持"):
        assert kicker_or_deck not in paragraphs


@pytest.mark.parametrize("junk", SEED_MUST_NOT)
def test_seed_body_has_no_page_furniture(seed, junk: str) -> None:  # type: ignore[no-untyped-def]
    assert junk not in seed.text


def test_seed_byline_becomes_the_author(seed) -> None:  # type: ignore[no-untyped-def]
    assert seed.author is not None and "杨猛" in seed.author and "谈燕" in seed.author


@pytest.mark.skipif(not SHARED_EXPECTED.exists(), reason="shared seed data not present")
def test_seed_matches_shared_expected_json(seed) -> None:  # type: ignore[no-untyped-def]
    expected = json.loads(SHARED_EXPECTED.read_text(encoding="utf-8"))
    assert ws(seed.title) == ws(expected["title"])
    assert seed.source == expected["source"]
    assert seed.published_at.replace(tzinfo=None).isoformat() == expected["published_at"]
    assert [ws(p) for p in seed.text.split("\n")] == [ws(p) for p in expected["body_paragraphs"]]
    assert not [s for s in expected["body_must_not_contain"] if s in seed.text]


PASTE = """网站首页 | 新闻 | 体育 | 财经
分享到：微信 微博 QQ空间
城市夜间公交线路再扩容

发布时间：2023年11月02日 08:15  来源：江城晚报  作者：林清
江城晚报讯 11月1日起，江城新开通4条夜间公交线路，覆盖火车站、三个商圈和两所高校，\
末班车延长至次日凌晨一点，方便夜间出行的市民。
公交集团相关负责人介绍，新线路根据手机信令数据和市民建议规划，沿线设置了七十多个站点，并在主要换乘站增设了照明和实时到站信息屏。
市民王女士说，她在商场上班，以前下班后只能打车回家，现在坐夜班车十几分钟就到，每月能省下不少交通费。
原标题：江城夜间公交再添四条线路
责任编辑：周舟
相关阅读
地铁三号线南延段月底通车
2023-10-30 09:00
共享单车停放新规下月实施
2023-10-28 15:20
Copyright © 2023 江城晚报 版权所有
"""


def test_plain_paste_with_info_line() -> None:
    a = clean_text(PASTE)
    assert a.title == "城市夜间公交线路再扩容"
    assert a.source == "江城晚报"
    assert a.author == "林清"
    assert a.published_at is not None
    assert a.published_at.replace(tzinfo=None) == datetime(2023, 11, 2, 8, 15)
    assert len(a.paragraphs) == 3
    for junk in (
        "原标题",
        "责任编辑",
        "相关阅读",
        "地铁三号线",
        "2023-10-30",
        "版权所有",
        "分享到",
    ):
        assert junk not in a.text


def test_article_without_furniture_keeps_every_paragraph() -> None:
    text = (
        "春雨过后茶园迎来采摘季\n\n"
        "清明前后，山区茶园迎来一年中最忙的采摘季，茶农们天不亮就上山，赶在露水未干时采下嫩芽。\n\n"
        "今年雨水充足，新茶产量比去年增加一成以上，收购价格也保持稳定，茶农们脸上露出了笑容。"
    )
    a = clean_text(text)
    assert a.title == "春雨过后茶园迎来采摘季"
    assert len(a.paragraphs) == 2
    assert a.published_at is None


def test_a_headline_with_an_exclamation_stays_whole_and_leaves_the_body() -> None:
    a = clean_text(
        "绝不姑息！联赛打假球，俱乐部老总回应，篮协介入调查\n"
        "上海队以4分优势战胜对手晋级八强，但比赛末段出现离奇失误。篮协迅速宣布展开调查。"
    )
    assert a.title == "绝不姑息！联赛打假球，俱乐部老总回应，篮协介入调查"
    assert a.text.startswith("上海队以4分优势")


def test_runs_of_straight_quotes_around_a_scraped_text_are_dropped() -> None:
    a = clean_text('解放军东部战区组织演训\n"""东部战区空军出动多型战机，执行联合侦察任务。"""')
    assert a.text == "东部战区空军出动多型战机，执行联合侦察任务。"


def test_a_list_of_short_items_inside_the_text_does_not_end_it() -> None:
    first = (
        "第二十二条 被调查人涉嫌严重职务违法或者职务犯罪，"
        "并有下列情形之一的，经依法审批，可以将其留置在特定场所："
    )
    later = (
        "第二十三条 监察机关调查涉嫌严重职务违法或者职务犯罪，"
        "根据工作需要，可以依照规定查询、冻结涉案单位和个人的存款。"
    )
    items = [
        "（一）涉及案情重大、复杂的；",
        "（二）可能逃跑、自杀的；",
        "（三）可能串供的；",
        "（四）可能有其他妨碍调查行为的。",
    ]
    a = clean_text("\n".join(["中华人民共和国监察法", first, *items, later]))
    assert first[:10] in a.text and later[-10:] in a.text


def test_one_or_two_english_words_are_a_menu_not_a_headline() -> None:
    a = clean_text(
        "Home\nsearch\nStorm Ciaran hits Cornwall\n"
        "Storm Ciaran brought winds of more than 100 miles per hour to the coast of Cornwall, "
        "and thousands of homes lost power overnight as trees fell across the lines.\n"
        "Engineers from the regional network operator worked through the night to restore it."
    )
    assert a.title == "Storm Ciaran hits Cornwall"


def test_a_pasted_english_page_takes_the_headline_above_the_body() -> None:
    a = clean_text(
        "Skip to content\nWorld News Sport Business\nMost Read Stories This Week\n"
        "Scientists spot water vapor on Jupiter's moon Europa\nWed, Nov 20, 2019 12:03\n"
        "By Marcia Dunn\n"
        "Scientists using a Hawaii telescope have found water vapor above the icy surface "
        "of Europa, one of Jupiter's moons, for the first time.\n"
        "The discovery adds to evidence of an ocean beneath the ice, researchers said."
    )
    assert a.title == "Scientists spot water vapor on Jupiter's moon Europa"
    assert a.published_at is not None and a.published_at.date().isoformat() == "2019-11-20"
    assert a.author == "Marcia Dunn"


def test_a_font_size_widget_is_not_the_headline() -> None:
    a = clean_text(
        "女警打百个电话遭停机 运营商回应\n2019-09-07 16:28:35 来源: 新京报 举报\n分享到：\n"
        "T + -\n女民警一天拨一百个电话，被电信停机 （来源：梨视频）\n"
        "近日，一名女民警因为一天之内拨打了一百多个电话，手机号码被运营商当作疑似诈骗号码停机。"
        "运营商表示，系统会根据拨打频次自动识别可疑号码，民警可以到营业厅申请恢复。"
    )
    assert a.title == "女警打百个电话遭停机 运营商回应"
    assert a.published_at is not None and a.published_at.date().isoformat() == "2019-09-07"


def test_a_menu_line_is_not_the_headline() -> None:
    a = clean_text(
        "首页 iPhone iPad Apple Watch Mac 实用技巧 应用游戏\n"
        "苹果发布新iPhone 11：64GB售5499元\n2019-09-11 08:12 来源：新浪科技\n"
        "苹果公司在秋季发布会上推出了新款iPhone 11，起售价为5499元，比上一代有所下调。"
        "新机搭载双摄像头，续航时间比上一代延长一小时。"
    )
    assert a.title == "苹果发布新iPhone 11：64GB售5499元"


def test_an_english_lead_without_a_full_stop_is_kept() -> None:
    lead = (
        "Chelsea have this morning paid the record fee to the Spanish league to secure the "
        "signing of Athletic Bilbao goalkeeper Kepa Arrizabalaga"
    )
    a = clean_text(
        "Home\nChelsea pay record fee for Kepa Arrizabalaga\n"
        + lead
        + "\nThe 23-year-old flew to London yesterday evening and will spend the day completing "
        "the formalities of the deal, which Chelsea hope to announce later today.\n"
        "He will become the most expensive goalkeeper in history when the move is confirmed."
    )
    assert a.text.startswith(lead)


def test_a_long_english_headline_and_its_date_line_leave_the_body() -> None:
    headline = (
        "‘He died in my hands’: three demonstrators killed in clashes with police and "
        "soldiers near a barricaded fuel plant"
    )
    body = (
        "Three people have died during protests against the interim government, after "
        "violent clashes erupted between supporters of the former president and the army."
    )
    a = clean_text(f"Home\n{headline}\n20 Nov, 2019 05:47\n{body}\n{body}")
    assert a.title == headline
    assert a.text.startswith("Three people have died")
    assert a.published_at is not None and a.published_at.date().isoformat() == "2019-11-20"


def test_single_paragraph_gets_a_title_from_its_first_sentence() -> None:
    a = clean_text(
        "今天上午，全市举行了防汛应急演练，三千多人参加。演练持续了两个小时，检验了各部门协同能力。"
    )
    assert a.title == "今天上午，全市举行了防汛应急演练，三千多人参加。"
    assert a.text.startswith("今天上午")


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_text_raises(text: str) -> None:
    with pytest.raises(EmptyText):
        clean_text(text)


def test_only_furniture_is_not_an_article() -> None:
    with pytest.raises(NotAnArticle):
        clean_text("分享到：微信 微博\n责任编辑：张三\n京ICP备00000000号\n版权所有 某某网")


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=600))
def test_any_text_gives_an_article_or_a_typed_error(text: str) -> None:
    try:
        a = clean_text(text)
    except SummarizerError:
        return
    assert a.text.strip() and a.title

    def squeeze(s: str) -> str:  # the white space clean_text collapses
        return re.sub(r"[\s\u200b\ufeff]", "", s)

    assert all(squeeze(line) in squeeze(text) for line in a.text.split("\n"))
