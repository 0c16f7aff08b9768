from __future__ import annotations

import gzip
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import Database
from storage.admin import AuditLog, BroadcastStore, Moderation, backup, export_jsonl
from storage.admin.broadcasts import INTERRUPTED
from storage.articles import ArticleRepository
from storage.errors import StorageError
from tests.storage.conftest import make_analysis


async def save_articles(db: Database, n: int) -> None:
    repo = ArticleRepository(db)
    for i in range(n):
        await repo.save(make_analysis(f"标题{i}", f"第{i}篇新闻的正文。内容{i}不同。"))


async def test_ban_unban_and_allow_only(db: Database) -> None:
    mod = Moderation(db)
    assert await mod.may_use(7)
    await mod.ban(7, by=1, reason="spam")
    await mod.ban(7, by=2, reason="spam again")  # re-ban updates, no error
    ban = await mod.ban_of(7)
    assert ban is not None and ban.reason == "spam again" and ban.banned_by == 2
    assert not await mod.may_use(7)
    assert await mod.unban(7)
    assert not await mod.unban(7)
    assert await mod.may_use(7)

    await mod.set_allow_only(True)
    assert await mod.allow_only()
    assert not await mod.may_use(8)
    await mod.allow(8, by=1)
    assert await mod.may_use(8)
    await mod.ban(8, by=1)
    assert not await mod.may_use(8)  # a ban beats the allowlist
    await mod.set_allow_only(False)
    assert await mod.may_use(9)


async def test_quota_is_consumed_per_day_and_refuses_over_limit(db: Database) -> None:
    mod = Moderation(db)
    day1 = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert await mod.consume(5, 10, now=day1)  # no quota set: unlimited
    await mod.set_quota(5, 3, by=1)
    q = await mod.quota(5, now=day1)
    assert (q.limit, q.used, q.remaining) == (3, 10, 0)
    assert not await mod.consume(5, 1, now=day1)
    day2 = day1 + timedelta(days=1)
    assert await mod.consume(5, 2, now=day2)
    assert not await mod.consume(5, 2, now=day2)  # 2 + 2 > 3: nothing counted
    assert await mod.consume(5, 1, now=day2)
    assert (await mod.quota(5, now=day2)).used == 3
    await mod.set_quota(5, None, by=1)
    assert await mod.consume(5, 100, now=day2)
    with pytest.raises(ValueError):
        await mod.set_quota(5, -1, by=1)


async def test_audit_log_keeps_arguments(db: Database) -> None:
    audit = AuditLog(db)
    await audit.record(1, "ban", {"user_id": 7, "reason": "广告"})
    await audit.record(2, "purge", {"article_id": 3}, origin="shell")
    entries = await audit.recent()
    assert [e.action for e in entries] == ["purge", "ban"]
    assert entries[1].args == {"user_id": 7, "reason": "广告"}
    assert entries[0].origin == "shell" and entries[0].admin_id == 2
    assert [e.action for e in await audit.recent(action="ban")] == ["ban"]


async def test_broadcast_deliveries_resume_without_duplicates(db: Database) -> None:
    store = BroadcastStore(db)
    await store.mark(1, 99, "blocked")  # no such row: harmless, but 99 is now unreachable
    bid = await store.create("hello", "users", created_by=1)
    assert await store.start(bid, [10, 11, 12, 12, 99])
    assert not await store.start(bid, [13])  # only a draft starts
    assert (await store.counts(bid)).total == 3  # duplicate and unreachable skipped
    assert await store.claim(bid, 10)
    assert not await store.claim(bid, 10)
    await store.mark(bid, 10, "sent")
    assert await store.claim(bid, 11)  # "crash" while 11 is in flight
    assert [b.id for b in await store.unfinished()] == [bid]
    assert await store.recover_interrupted(bid) == 1
    assert await store.pending(bid) == [12]
    statuses = await store.statuses(bid)
    assert statuses == {10: "sent", 11: "failed", 12: "pending"}
    assert await store.claim(bid, 12)
    await store.mark(bid, 12, "blocked", "Forbidden: bot was blocked by the user")
    await store.finish(bid)
    counts = await store.counts(bid)
    assert (counts.sent, counts.failed, counts.blocked, counts.pending) == (1, 1, 1, 0)
    assert (await store.get(bid)).state == "done"
    assert await store.unfinished() == []
    row = await db.fetchone(
        "SELECT error FROM broadcast_deliveries WHERE broadcast_id=? AND recipient_id=11", (bid,)
    )
    assert row is not None and row[0] == INTERRUPTED
    later = await store.create("again", "users", created_by=1)
    await store.start(later, [12, 13])
    assert await store.pending(later) == [13]  # 12 blocked the bot


async def test_backup_is_a_consistent_sqlite_file(db: Database, tmp_path: Path) -> None:
    await save_articles(db, 20)
    assert await ArticleRepository(db).count() == 20
    if db.dialect == "postgresql":
        with pytest.raises(StorageError, match="pg_dump"):
            await backup(db, tmp_path / "b" / "backup.db")
        return
    out = await backup(db, tmp_path / "b" / "backup.db")
    with sqlite3.connect(out) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM articles").fetchone()[0] == 20
        assert copy.execute("SELECT count(*) FROM bans").fetchone()[0] == 0


async def test_export_writes_gzip_jsonl(db: Database, tmp_path: Path) -> None:
    await ArticleRepository(db).save(make_analysis("新闻 <b>", "正文一句。"))
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO requests(user_id, kind, target, outcome, latency_ms)"
            " VALUES (5, 'url', 'https://a.cn/1', 'ok', 12.5)"
        )
    result = await export_jsonl(db, tmp_path / "e.jsonl.gz", ("articles", "requests", "nope"))
    assert result.rows == {"articles": 1, "requests": 1, "nope": 0}
    with gzip.open(result.path, "rt", encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    assert [line["table"] for line in lines] == ["articles", "requests"]
    article, request = lines[0]["row"], lines[1]["row"]
    assert article["title"] == "新闻 <b>" and isinstance(article["fingerprint"], str)
    assert (request["user_id"], request["latency_ms"]) == (5, 12.5)
