"""Admin end to end: the real Zhaiyao Application polling the loopback fake Bot API,
pages from the loopback page server, the bot's own SQLite file. No mocks of our code."""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
from datetime import timedelta
from pathlib import Path

from bot.admin import handlers as admin_handlers
from bot.app import build_application
from bot.settings import Settings
from bot.texts import ADMIN_COMMANDS
from storage import connect
from storage.admin import AuditLog, Moderation
from storage.articles import ArticleRepository
from storage.feeds import FeedRepository
from tests.bot.conftest import ADMIN_ID
from tests.helpers.fake_bot_api import FakeBotAPI, StoredMessage
from tests.helpers.pages import PageServer
from tests.storage.conftest import make_analysis

NEWS = [
    "国家统计局3月1日发布数据显示，2月份全国居民消费价格同比上涨0.7%，环比上涨1.0%。",
    "国家统计局城市司首席统计师董莉娟解读称，受春节因素影响，食品和服务价格上涨较多。",
    "专家表示，随着节日效应消退，预计3月份物价将保持温和上涨态势，市场供应总体充足。",
    "北京、上海、广州等地的超市负责人表示，节后蔬菜、水果价格已开始回落，货源稳定。",
]


def page(title: str, lead: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in [lead, *NEWS])
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<article><h1>{title}</h1><div class='info'>2024-03-01 08:00 来源：测试日报</div>"
        f"{body}</article></body></html>"
    )


async def command(api: FakeBotAPI, text: str, *, chat: int = ADMIN_ID) -> StoredMessage:
    before = len(api.sent(chat))
    api.send_text(chat, text)
    found = await api.wait_for_messages(chat, before + 1, timeout=30)
    return found[before]


async def test_admin_stats_show_what_happened(
    running_bot: FakeBotAPI, page_server: PageServer
) -> None:
    first = page_server.add_html("/a", page("物价温和上涨", "第一篇报道的导语。"))
    second = page_server.add_html("/b", page("蔬菜价格回落", "第二篇报道的导语不同。"))
    missing = page_server.url("/gone")  # 404
    running_bot.send_text(11, first)
    await running_bot.wait_for_final(11, timeout=60)
    running_bot.send_text(12, f"{second}")
    await running_bot.wait_for_final(12, timeout=60)
    running_bot.send_text(12, missing)
    await running_bot.wait_for_final(12, 2, timeout=60)

    stats = await command(running_bot, "/stats")
    text = stats.text
    assert "用户：3" in text  # 11, 12 and the admin (who reads Chinese: language_code zh)
    assert "文章：2" in text
    assert "请求：今天 3 · 7 天 3" in text
    failures = text.split("失败（7 天）\n")[1].split("\n来源")[0]
    assert len(failures.splitlines()) == 1 and failures.endswith(": 1")
    assert "• 127.0.0.1: 3" in text
    assert re.search(r"p50 \d+ ms · p95 \d+ ms", text)


async def test_non_admin_ban_reveals_nothing_and_does_nothing(
    running_bot: FakeBotAPI, bot_settings: Settings
) -> None:
    running_bot.send_text(21, "/nosuchcommand 22")
    await running_bot.settle(quiet=0.5)
    unknown_answer = running_bot.sent(21)
    running_bot.send_text(21, "/ban 22 spam")
    running_bot.send_text(21, "/stats")
    await running_bot.settle(quiet=0.5)
    assert running_bot.sent(21) == unknown_answer == []  # the same: silence
    # and a real admin's command in the same bot does answer (the test can fail)
    assert (await command(running_bot, "/unban 22")).text == "22 未被封禁"

    db = await connect(bot_settings.db)
    try:
        assert not await Moderation(db).is_banned(22)
        assert [e.action for e in await AuditLog(db).recent()] == ["unban"]
    finally:
        await db.close()


async def test_banned_user_link_is_never_fetched(
    running_bot: FakeBotAPI, page_server: PageServer
) -> None:
    url = page_server.add_html("/news", page("物价温和上涨", "导语。"))
    reply = await command(running_bot, "/ban 31 广告机器人")
    assert reply.text == "已封禁 31"
    running_bot.send_text(31, url)
    running_bot.send_text(31, "/start")
    await running_bot.settle(quiet=0.5)
    assert page_server.requested("/news") == []
    assert running_bot.sent(31) == []

    user = await command(running_bot, "/user 31")
    assert "广告机器人" in user.text and "封禁：是" in user.text
    await command(running_bot, "/unban 31")
    running_bot.send_text(31, url)
    await running_bot.wait_for_final(31, timeout=60)
    assert len(page_server.requested("/news")) == 1

    audit = await command(running_bot, "/audit")
    lines = audit.text.splitlines()
    assert " unban user_id=31" in lines[1] and " user user_id=31" in lines[2]
    assert " ban reason=广告机器人, user_id=31" in lines[3]


async def test_allow_only_mode_and_daily_quota(
    running_bot: FakeBotAPI, page_server: PageServer
) -> None:
    a = page_server.add_html("/q1", page("物价温和上涨", "导语一。"))
    b = page_server.add_html("/q2", page("蔬菜价格回落", "导语二不同。"))
    await command(running_bot, "/allowonly on")
    running_bot.send_text(41, a)
    await running_bot.settle(quiet=0.5)
    assert page_server.requested("/q1") == [] and running_bot.sent(41) == []
    await command(running_bot, "/allow 41")
    await command(running_bot, "/quota 41 1")
    running_bot.send_text(41, a)
    await running_bot.wait_for_final(41, timeout=60)
    running_bot.send_text(41, b)
    over = (await running_bot.wait_for_messages(41, 2, timeout=30))[1]
    assert over.text == "今天的文章额度（1 篇）已用完，请明天再来。"
    assert page_server.requested("/q2") == []
    await command(running_bot, "/allow 43")
    await command(running_bot, "/quota 43 0")
    running_bot.send_text(43, "/lang en")
    await running_bot.wait_for_final(43)
    running_bot.send_text(43, b)
    over = (await running_bot.wait_for_messages(43, 2, timeout=30))[1]
    assert over.text == "You have used today's quota of 0 articles; please come back tomorrow."
    assert (await command(running_bot, "/allowonly off")).text == "仅白名单模式：关"


async def test_admin_commands_menu_only_in_admin_chat(running_bot: FakeBotAPI) -> None:
    await command(running_bot, "/health")  # the start-up work has run by now
    admin_menu = [c["command"] for c in running_bot.commands[(f"chat:{ADMIN_ID}", "")]]
    names = set(ADMIN_COMMANDS)
    assert names == set(admin_handlers._COMMANDS)  # every handler has menu text
    assert names <= set(admin_menu)
    en_menu = {c["command"] for c in running_bot.commands[(f"chat:{ADMIN_ID}", "en")]}
    assert names <= en_menu
    assert "start" in admin_menu  # the regular commands are kept
    public = [
        c["command"]
        for key, cs in running_bot.commands.items()
        for c in cs
        if key[0] in ("default", "all_private_chats", "all_group_chats")
    ]
    assert public and not {"stats", "ban", "broadcast"} & set(public)


async def test_health_shows_versions_and_queue(running_bot: FakeBotAPI) -> None:
    text = (await command(running_bot, "/health")).text
    assert "python-telegram-bot 22." in text and "更新队列：" in text and "运行时间：" in text


async def store_three_articles(path: Path) -> int:
    """Three distinct articles, titled 新闻0..2; returns the database's size in bytes."""
    db = await connect(path)
    try:
        repo = ArticleRepository(db)
        for i in range(3):
            await repo.save(make_analysis(f"新闻{i}", f"第{i}篇报道的正文内容各不相同。"))
        return int(await db.scalar("PRAGMA page_count") * await db.scalar("PRAGMA page_size"))
    finally:
        await db.close()


async def test_backup_and_export_documents(
    fake_bot_api: FakeBotAPI, bot_settings: Settings, tmp_path: Path
) -> None:
    await store_three_articles(bot_settings.db)
    async with fake_bot_api.polling(build_application(bot_settings)):
        backup = await command(fake_bot_api, "/backup")
        export = await command(fake_bot_api, "/export")
    assert backup.document is not None and backup.document["file_name"].endswith(".db")
    copy = tmp_path / "copy.db"
    copy.write_bytes(fake_bot_api.document_bytes(backup))
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
    assert export.document is not None
    lines = gzip.decompress(fake_bot_api.document_bytes(export)).decode().splitlines()
    titles = sorted(json.loads(x)["row"]["title"] for x in lines if '"articles"' in x)
    assert titles == ["新闻0", "新闻1", "新闻2"]


async def test_backup_and_export_over_the_upload_limit(
    fake_bot_api: FakeBotAPI, bot_settings: Settings
) -> None:
    size = await store_three_articles(bot_settings.db)
    exports = bot_settings.db.resolve().parent / "exports"
    async with fake_bot_api.polling(build_application(bot_settings)) as app:
        service = app.bot_data.admin
        assert service.upload_limit == 50_000_000 and service.keep_dir == exports
        # a backup is at least that size; gzipped, its mostly empty pages shrink under it
        service.upload_limit = size - 1
        packed = await command(fake_bot_api, "/backup")
        service.upload_limit = 100
        kept_backup = await command(fake_bot_api, "/backup")
        kept_export = await command(fake_bot_api, "/export")
    assert packed.document is not None and packed.document["file_name"].endswith(".db.gz")
    copy = bot_settings.db.parent / "copy.db"
    copy.write_bytes(gzip.decompress(fake_bot_api.document_bytes(packed)))
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 3
    kept = sorted(exports.iterdir())
    assert [p.suffixes[-2:] for p in kept] == [[".db", ".gz"], [".jsonl", ".gz"]]
    for reply, path in ((kept_backup, kept[0]), (kept_export, kept[1])):
        assert reply.document is None
        assert "文件太大" in reply.text and "Telegram 上限" in reply.text
        assert str(path) in reply.text and "100 B" in reply.text
    lines = gzip.decompress(kept[1].read_bytes()).decode().splitlines()
    assert sum('"articles"' in x for x in lines) == 3


async def test_purge_reindex_and_feeds(fake_bot_api: FakeBotAPI, bot_settings: Settings) -> None:
    db = await connect(bot_settings.db)
    try:
        repo = ArticleRepository(db)
        for i in range(3):
            await repo.save(make_analysis(f"新闻{i}", f"第{i}篇报道的正文内容各不相同。"))
        feeds = FeedRepository(db)
        ok, _ = await feeds.add(-1001, "https://news.example.cn/rss")
        bad, _ = await feeds.add(-1002, "https://broken.example.cn/feed")
        await feeds.polled_failed(bad.id, "HTTP 503 <busy>", backoff=timedelta(minutes=5))
    finally:
        await db.close()
    async with fake_bot_api.polling(build_application(bot_settings)):
        assert (await command(fake_bot_api, "/purge 2")).text == "已删除文章 2"
        assert (await command(fake_bot_api, "/purge 2")).text == "没有文章 2"
        assert (await command(fake_bot_api, "/purge x")).text == "用法：/purge ARTICLE_ID"
        note = await command(fake_bot_api, "/reindex")
        await fake_bot_api.wait_for(
            lambda: (
                "重建索引完成：2 篇文章" in fake_bot_api.messages[(ADMIN_ID, note.message_id)].text
            )
        )
        listing = (await command(fake_bot_api, "/feeds")).text
    lines = listing.splitlines()
    assert lines[0].endswith("(2)")
    assert f"#{bad.id} 会话 -1002 · ⚠️ 失败 1 次" in lines[1] and "HTTP 503 <busy>" in lines[2]
    assert f"#{ok.id} 会话 -1001 · ✅ · 上次抓取 从未" in lines[3]
