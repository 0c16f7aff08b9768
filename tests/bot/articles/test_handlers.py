"""End to end: the real Zhaiyao Application, polling the loopback fake Bot API, reading
pages from the loopback page server. No mocks of our own code."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import closing
from pathlib import Path

from bot.app import build_application
from bot.settings import Settings
from summarizer.clean import clean_text
from summarizer.errors import BlockedAddress, TooLarge
from tests.bot.conftest import ADMIN_CHAT
from tests.helpers.articles import NEWS, PRICES, article_html
from tests.helpers.fake_bot_api import FakeBotAPI
from tests.helpers.pages import PageServer

ROOT = Path(__file__).parents[3]
SEED = (ROOT / "examples" / "seed_page.txt").read_text(encoding="utf-8")
EXPECTED = {
    "title": "深化沪滇深厚情谊 谱写合作发展新篇",
    "source": "云南日报",
    "date": "2020-07-17 09:45",
}
GBK_PAGE = (ROOT / "tests" / "fixtures" / "bot" / "article_gbk.html").read_text(encoding="utf-8")


async def test_seed_page_pasted_as_text_gives_the_card(running_bot: FakeBotAPI) -> None:
    running_bot.send_text(101, SEED)
    card = (await running_bot.wait_for_final(101, timeout=60))[-1]
    lines = card.text.split("\n")
    assert lines[0] == EXPECTED["title"]
    assert lines[1] == f"{EXPECTED['source']} · {EXPECTED['date']}"
    assert "上海云南扶贫协作第二十三次联席会议" in card.text  # the summary
    assert "人物：" in card.text and "李强" in card.text and "陈豪" in card.text
    assert "地点：" in card.text and "广南县" in card.text
    assert "责任编辑" not in card.text and "免责声明" not in card.text
    buttons = [b["text"] for b in card.reply_markup["inline_keyboard"][0]]  # type: ignore[index]
    assert buttons == ["全文", "实体", "相关"]  # no 原文 link: pasted text has no URL
    assert card.parse_mode == "HTML"
    assert not running_bot.calls_to("sendMessage", ok=False)


async def test_link_to_a_gbk_page(running_bot: FakeBotAPI, page_server: PageServer) -> None:
    url = page_server.add_html("/news/1.html", GBK_PAGE, encoding="gbk")
    running_bot.send_text(102, f"看看这个 {url}")
    card = (await running_bot.wait_for_final(102, timeout=60))[-1]
    assert card.text.startswith("杭州亚运村正式开村\n")
    assert "亚运村" in card.text.split("\n", 2)[2]
    assert {"type": "text_link", "offset": 0, "length": 9, "url": url} in card.entities
    source_button = card.reply_markup["inline_keyboard"][0][-1]  # type: ignore[index]
    assert source_button == {"text": "原文", "url": url}


async def test_two_links_in_one_message_give_two_cards_in_order(
    running_bot: FakeBotAPI, page_server: PageServer
) -> None:
    first = page_server.add_html("/a", article_html("物价温和上涨", NEWS))
    second = page_server.add_html("/b", GBK_PAGE, encoding="gbk")
    running_bot.send_text(103, f"{first}\n{second}")
    cards = await running_bot.wait_for_final(103, 2, timeout=60)
    await running_bot.settle()
    assert [c.text.split("\n")[0] for c in running_bot.sent(103)] == [
        "物价温和上涨",
        "杭州亚运村正式开村",
    ]
    assert len(cards) == 2


async def test_a_huge_page_is_refused_politely(
    fake_bot_api: FakeBotAPI, bot_settings: Settings, page_server: PageServer
) -> None:
    settings = bot_settings.model_copy(update={"fetch_max_bytes": 100_000})
    url = page_server.add_stream(
        "/huge", [b"<p>" + "很长的新闻。".encode() * 1000 + b"</p>"], repeat=50
    )
    async with fake_bot_api.polling(build_application(settings)):
        fake_bot_api.send_text(104, url)
        reply = (await fake_bot_api.wait_for_final(104, timeout=60))[-1]
    assert reply.text == TooLarge().user_message("zh")


async def test_a_long_article_is_split_and_every_part_is_valid(
    running_bot: FakeBotAPI, page_server: PageServer
) -> None:
    paragraphs = [f"第{i}段：" + NEWS[i % 4] * 6 for i in range(40)]  # ~16k characters
    url = page_server.add_html("/long", article_html("长篇报道", paragraphs))
    running_bot.send_text(105, url)
    card = (await running_bot.wait_for_final(105, timeout=60))[-1]
    running_bot.click(card, card.reply_markup["inline_keyboard"][0][0]["callback_data"])  # type: ignore[index]
    parts = await running_bot.wait_for_final(105, 4, timeout=30)
    await running_bot.settle()
    full = running_bot.sent(105)[1:]
    assert len(full) >= 3 and all(len(m.text) <= 4096 for m in full)
    assert "第0段" in full[0].text and "第39段" in full[-1].text
    assert len(parts) >= 4
    assert not running_bot.calls_to("sendMessage", ok=False)


async def test_redirect_to_the_metadata_address_is_refused_and_logged(
    running_bot: FakeBotAPI, page_server: PageServer, bot_settings: Settings
) -> None:
    url = page_server.add_redirect("/go", "http://169.254.169.254/latest/meta-data/")
    running_bot.send_text(106, url, language_code="en")
    reply = (await running_bot.wait_for_final(106, timeout=30))[-1]
    assert reply.text == BlockedAddress().user_message("en")
    with closing(sqlite3.connect(bot_settings.db)) as db:
        rows = db.execute("SELECT user_id, kind, target, outcome, error FROM requests").fetchall()
    assert rows == [(106, "url", url, "refused", rows[0][4])]
    assert rows[0][4].startswith("BlockedAddress")


async def test_html_looking_article_text_is_rendered_safely(running_bot: FakeBotAPI) -> None:
    title = "<b>假新闻</b> & <script>alert('x')</script> 标题"
    paragraphs = [p.replace("。", " <i>&amp;</i> & <script>x</script>。", 1) for p in NEWS * 2]
    pasted = title + "\n\n" + "\n\n".join(paragraphs)
    running_bot.send_text(107, pasted)
    card = (await running_bot.wait_for_final(107, timeout=60))[-1]
    assert card.parse_mode == "HTML"  # not the plain-text fallback
    # whatever headline the cleaner picks, it reaches the user verbatim, tags and all
    assert card.text.split("\n")[0] == clean_text(pasted).title
    assert "<script>x</script>" in card.text and "<i>&amp;</i> &" in card.text
    assert not running_bot.calls_to("sendMessage", ok=False)


async def test_a_429_in_the_middle_of_a_reply_still_delivers_once(
    running_bot: FakeBotAPI, page_server: PageServer
) -> None:
    first = page_server.add_html("/r1", article_html("物价温和上涨", NEWS))
    second = page_server.add_html("/r2", GBK_PAGE, encoding="gbk")
    running_bot.fail_next("sendMessage", 1, retry_after=1, after=1)  # the second card
    running_bot.send_text(108, f"{first} {second}")
    await running_bot.wait_for_final(108, 2, timeout=60)
    await running_bot.settle(quiet=1.5)
    titles = [m.text.split("\n")[0] for m in running_bot.sent(108)]
    assert titles == ["物价温和上涨", "杭州亚运村正式开村"]
    assert [c.error_code for c in running_bot.calls_to("sendMessage", ok=False)] == [429]


async def test_twenty_users_at_once_are_all_answered(running_bot: FakeBotAPI) -> None:
    for user in range(200, 220):
        lead = f"第{user}号新闻：某地举行第{user}届文化节，吸引大批游客参观。"
        running_bot.send_text(user, "\n".join([f"文化节开幕{user}", lead, *NEWS]))
    await running_bot.wait_for(
        lambda: all(
            (found := running_bot.sent(user)) and found[0].raw != "正在读取…"
            for user in range(200, 220)
        ),
        timeout=120,
    )
    for user in range(200, 220):
        (card,) = running_bot.sent(user)
        assert card.text.startswith(f"文化节开幕{user}\n")


async def test_a_slow_page_edits_the_reading_placeholder_into_the_card(
    running_bot: FakeBotAPI, page_server: PageServer
) -> None:
    url = page_server.add("/slow", article_html("物价温和上涨", NEWS).encode(), delay=2.0)
    running_bot.send_text(109, url)
    placeholder = await running_bot.wait_for_message(109, timeout=30)
    assert placeholder.raw == "正在读取…"
    await running_bot.wait_for(lambda: placeholder.edits, timeout=30)
    assert placeholder.text.startswith("物价温和上涨\n") and placeholder.reply_markup
    await running_bot.settle()
    assert len(running_bot.sent(109)) == 1


async def test_groups_answer_only_when_addressed_unless_auto(
    running_bot: FakeBotAPI, page_server: PageServer
) -> None:
    url = page_server.add_html("/g", article_html("物价温和上涨", NEWS))
    group, admin, member = -500, 501, 502
    running_bot.send_text(group, f"大家看 {url}", user_id=member)
    running_bot.send_text(group, f"@{running_bot.bot_user['username']} {url}", user_id=member)
    await running_bot.wait_for_final(group, timeout=60)
    await running_bot.settle(quiet=1.0)
    assert len(running_bot.sent(group)) == 1  # only the mention was answered

    running_bot.send_text(group, "/auto on", user_id=member)
    await running_bot.wait_for_final(group, 2)
    assert running_bot.sent(group)[-1].text == "只有群管理员可以修改。"
    running_bot.set_chat_member(group, admin, "administrator")
    running_bot.send_text(group, "/auto on", user_id=admin)
    await running_bot.wait_for_final(group, 3)
    running_bot.send_text(group, f"大家看 {url}", user_id=member)
    card = (await running_bot.wait_for_final(group, 4, timeout=60))[-1]
    assert card.text.startswith("物价温和上涨")


async def test_buttons_commands_and_preferences(running_bot: FakeBotAPI) -> None:
    chat = 110
    running_bot.send_text(chat, "/start a999")
    assert (await running_bot.wait_for_final(chat))[-1].text == "找不到这篇文章，可能已被删除。"
    running_bot.send_text(chat, "/lang en")
    assert (await running_bot.wait_for_final(chat, 2))[-1].text.startswith("OK")
    running_bot.send_text(chat, "/summary 1")
    await running_bot.wait_for_final(chat, 3)
    running_bot.send_text(chat, "\n".join(["物价温和上涨", *NEWS]))
    card = (await running_bot.wait_for_final(chat, 4, timeout=60))[-1]
    assert "People: " in card.text or "Places: " in card.text
    assert len(card.text.split("\n\n")) >= 3
    summary_blocks = card.text.split("\n\n")[1:-1]
    assert sum(1 for b in summary_blocks if not b.startswith(("People", "Places", "Org"))) == 1

    running_bot.click(card, card.reply_markup["inline_keyboard"][0][1]["callback_data"])  # type: ignore[index]
    entities = (await running_bot.wait_for_final(chat, 5))[-1]
    assert "Places: " in entities.text and "北京" in entities.text
    article_id = card.reply_markup["inline_keyboard"][0][0]["callback_data"].split(":")[1]  # type: ignore[index]
    running_bot.send_text(chat, f"/start a{article_id}")
    deep = (await running_bot.wait_for_final(chat, 6))[-1]
    assert deep.text.split("\n")[0] == "物价温和上涨"
    running_bot.send_text(chat, "/search 统计局")
    found = (await running_bot.wait_for_final(chat, 7))[-1]
    assert "物价温和上涨" in found.text
    running_bot.send_text(
        chat, "/related", reply_to=running_bot.bot_message_json(chat, deep.message_id)
    )
    related = (await running_bot.wait_for_final(chat, 8))[-1]
    assert related.text == "No related stories yet." or "Related" in related.text
    assert len(running_bot.calls_to("answerCallbackQuery")) == 1


async def test_documents_and_forwarded_posts_become_cards(running_bot: FakeBotAPI) -> None:
    running_bot.send_document(111, SEED.encode("gb18030"), "seed.txt")
    card = (await running_bot.wait_for_final(111, timeout=60))[-1]
    assert card.text.startswith(EXPECTED["title"])
    running_bot.send_document(112, GBK_PAGE.encode("gbk"), "page.html", mime_type="text/html")
    card = (await running_bot.wait_for_final(112, timeout=60))[-1]
    assert card.text.startswith("杭州亚运村正式开村")
    running_bot.forward_channel_post(113, "\n".join(["物价温和上涨", *NEWS[:2]]))
    card = (await running_bot.wait_for_final(113, timeout=60))[-1]
    assert card.text.startswith("物价温和上涨")


async def test_short_text_gets_a_hint_and_commands_are_registered(running_bot: FakeBotAPI) -> None:
    running_bot.send_text(114, "你好")
    assert (await running_bot.wait_for_final(114))[-1].text == "请发送新闻链接或粘贴文章正文。"
    private_zh = running_bot.commands[("all_private_chats", "")]
    group_en = running_bot.commands[("all_group_chats", "en")]
    names = {c["command"] for c in private_zh}
    assert {"start", "help", "lang", "summary", "search", "related", "auto"} <= names
    assert {"help", "search"} <= {c["command"] for c in group_en}
    running_bot.send_text(114, "/help")
    help_text = (await running_bot.wait_for_final(114, 2))[-1].text
    assert all(f"/{name}" in help_text for name in names)


async def test_rate_limit_replies_politely_once(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    settings = bot_settings.model_copy(update={"rate_limit_per_minute": 2})
    async with fake_bot_api.polling(build_application(settings)):
        for i in range(4):
            fake_bot_api.send_text(115, "\n".join([f"第{i}条新闻标题", *NEWS]))
            await asyncio.sleep(0.05)
        await fake_bot_api.wait_for_final(115, 3, timeout=60)
        await fake_bot_api.settle(quiet=1.0)
    texts = [m.text for m in fake_bot_api.sent(115)]
    assert texts.count("请求太频繁了，请稍等一分钟再试。") == 1
    assert len(texts) == 3


async def test_unexpected_errors_reach_the_admin_chat_with_a_traceback(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    from telegram.ext import CommandHandler

    app = build_application(bot_settings)

    async def boom(update: object, context: object) -> None:
        raise RuntimeError("kaboom")

    app.add_handler(CommandHandler("boom", boom))
    async with fake_bot_api.polling(app):
        fake_bot_api.send_text(116, "/boom")
        user_reply = (await fake_bot_api.wait_for_final(116))[-1]
        alert = (await fake_bot_api.wait_for_final(ADMIN_CHAT))[-1]
    assert user_reply.text == "抱歉，处理时出错了，管理员已收到通知。"
    assert "RuntimeError" in alert.text and "kaboom" in alert.text and "Traceback" in alert.text


async def test_html_telegram_rejects_is_resent_as_plain_text(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    from bot.telegram.send import send as send_html

    app = build_application(bot_settings)
    async with app:
        await send_html(app.bot, 117, "<b>未闭合 &amp; 标签")
    (msg,) = fake_bot_api.sent(117)
    assert msg.text == "未闭合 & 标签" and msg.parse_mode is None
    assert json.dumps(fake_bot_api.calls_to("sendMessage", ok=False)[0].error_code) == "400"


async def test_a_bad_gateway_is_retried_and_the_card_arrives_once(
    running_bot: FakeBotAPI,
) -> None:
    running_bot.fail_next_with("sendMessage", 502, "Bad Gateway", times=2)
    running_bot.send_text(118, "\n".join(["物价温和上涨", *NEWS]))
    card = (await running_bot.wait_for_final(118, timeout=60))[-1]
    await running_bot.settle(quiet=1.0)
    assert card.text.startswith("物价温和上涨") and len(running_bot.sent(118)) == 1
    assert [c.error_code for c in running_bot.calls_to("sendMessage", ok=False)] == [502, 502]


async def test_being_added_to_a_group_introduces_the_bot(running_bot: FakeBotAPI) -> None:
    running_bot.my_chat_member(-600, old="left", new="member", by_user=601)
    hello = await running_bot.wait_for_message(-600)
    assert "摘要" in hello.text
    running_bot.my_chat_member(-600, old="member", new="left", by_user=601)
    await running_bot.settle(quiet=0.5)
    assert len(running_bot.sent(-600)) == 1


async def test_a_slow_page_does_not_hold_up_another_chat(
    running_bot: FakeBotAPI, page_server: PageServer
) -> None:
    slow = page_server.add("/stall", article_html("物价温和上涨", NEWS).encode(), delay=4.0)
    running_bot.send_text(119, slow)
    await running_bot.wait_for_message(119, timeout=30)  # the placeholder: the fetch hangs
    running_bot.send_text(120, "\n".join(["另一条新闻", *reversed(NEWS)]))
    (other,) = await running_bot.wait_for_final(120, timeout=60)
    assert other.text.startswith("另一条新闻")
    assert running_bot.sent(119)[0].raw == "正在读取…"  # still reading the slow page
    (card,) = await running_bot.wait_for_final(119, timeout=60)
    assert card.text.startswith("物价温和上涨")


async def test_links_beyond_the_per_message_limit_are_skipped_with_a_note(
    fake_bot_api: FakeBotAPI, bot_settings: Settings, page_server: PageServer
) -> None:
    settings = bot_settings.model_copy(update={"max_links_per_message": 2})
    urls = [page_server.add_html(f"/m{i}", article_html(f"新闻{i}号", NEWS)) for i in range(3)]
    async with fake_bot_api.polling(build_application(settings)):
        fake_bot_api.send_text(121, " ".join(urls))
        await fake_bot_api.wait_for_final(121, 3, timeout=60)
        await fake_bot_api.settle(quiet=1.0)
    texts = [m.text for m in fake_bot_api.sent(121)]
    assert [t.split("\n")[0] for t in texts[:2]] == ["新闻0号", "新闻1号"]
    assert texts[2] == "这条消息里的链接太多，我只读取了前 2 个。"
    assert page_server.requested("/m2") == []


async def test_a_republished_copy_says_also_reported_and_related_lists_stories(
    running_bot: FakeBotAPI, page_server: PageServer
) -> None:
    story = article_html("物价温和上涨", NEWS)
    first = page_server.add_html("/outlet-a/1", story)
    copy = page_server.add_html("/outlet-b/9", story.replace("测试日报", "另一家报"))
    other = page_server.add_html("/outlet-c/2", article_html("统计局发布物价数据", PRICES))
    running_bot.send_text(122, first)
    await running_bot.wait_for_final(122, 1, timeout=60)
    running_bot.send_text(122, other)
    await running_bot.wait_for_final(122, 2, timeout=60)
    running_bot.send_text(122, copy)
    card = (await running_bot.wait_for_final(122, 3, timeout=60))[-1]
    assert "另有 1 家媒体转载" in card.text
    running_bot.click(card, card.reply_markup["inline_keyboard"][0][2]["callback_data"])  # type: ignore[index]
    related = (await running_bot.wait_for_final(122, 4, timeout=30))[-1]
    assert related.text.startswith("相关报道") and "统计局发布物价数据" in related.text
