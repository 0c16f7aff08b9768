"""``zhaiyao db check`` and ``zhaiyao db copy`` (SQLite to PostgreSQL), the latter killed
with SIGKILL half-way and run again, as an operator would."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from alembic.script import ScriptDirectory

from storage import Database, connect
from storage.admin import AuditLog, Moderation
from storage.articles import ArticleRepository
from storage.db import read_time
from storage.feeds import FeedRepository
from storage.manage import check
from storage.migrations.runner import config
from storage.requests import RequestLog
from storage.subscriptions import DigestLog, SubscriptionRepository
from storage.users import UserRepository
from storage.workers import Worker
from summarizer.tokenize import search_words
from tests.helpers.postgres import fresh_database
from tests.storage.conftest import make_analysis
from tests.storage.corpus import FLOOD, LAUNCH, republish

ARTICLES = 120
T0 = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)


async def test_check_finds_a_healthy_store_healthy_and_names_what_drifted(db: Database) -> None:
    repo = ArticleRepository(db)
    first = await repo.save(make_analysis("郑州暴雨", FLOOD))
    await repo.save(make_analysis("郑州暴雨", republish(FLOOD), source="乙网"))
    await repo.save(make_analysis("神舟十三号发射", LAUNCH))
    assert await check(db) == []
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM article_bands WHERE article_id = ?", (first.article_id,))
        await conn.execute("UPDATE index_stats SET value = 7 WHERE name = 'indexed_docs'")
    problems = await check(db)
    assert "1 articles without near-duplicate bands" in problems
    assert any("the index counts 7" in p for p in problems)


async def _fill(db: Database) -> None:
    """A store with rows in every table the bot writes."""
    repo = ArticleRepository(db)
    words = [f"{a}{b}" for a in "春夏秋冬东南西北" for b in "山水田林湖海城村"]
    analyses = [
        make_analysis(
            f"第{i}号报道",
            "".join(words[(i * 7 + k * k) % len(words)] for k in range(50)) + "。",
            url=f"https://news.example.com/{i}",
            published_at=T0 + timedelta(hours=i),
        )
        for i in range(ARTICLES)
    ]
    await repo.save_many(analyses)
    await repo.save(make_analysis("郑州暴雨", FLOOD, source="甲报"))
    await repo.save(make_analysis("郑州暴雨", republish(FLOOD), source="乙网"))
    await RequestLog(db).record(5, -9, "url", "https://news.example.com/1", "ok", 12.5, 1)
    await UserRepository(db).touch_user(5, username="u", language_code="zh")
    await UserRepository(db).touch_chat(-9, type="group", title="g")
    subs = SubscriptionRepository(db)
    await subs.ensure(-9, "group", title="g", now=T0)
    await subs.set_schedule(-9, "daily 08:00", T0 + timedelta(days=1))
    await subs.record_story(-9, 1, at=T0)
    async with Worker(db) as worker:
        await DigestLog(db).record(
            -9, "2024-05-01T08:00", None, T0, 1, ["<b>一</b>", "二"], worker=worker, now=T0
        )
    feed, _ = await FeedRepository(db).add(-9, "https://feed.example.com/rss", now=T0)
    await FeedRepository(db).mark_seen(feed.id, "guid-1", 1, now=T0)
    await Moderation(db).ban(77, by=5, reason="spam")
    await AuditLog(db).record(5, "ban", {"user": 77})


async def _rows(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every copied table's rows in key order, times as UTC datetimes."""
    from storage.manage import _tables

    out = {}
    for table in await _tables(db):
        key = ", ".join(c.name for c in table.primary_key.columns)
        rows = await db.fetchall(f"SELECT * FROM {table.name} ORDER BY {key}")
        out[table.name] = [
            tuple(_plain(row[c.name], c.type) for c in table.columns) for row in rows
        ]
    return out


def _plain(value: object, type_: object) -> object:
    from sqlalchemy import DateTime

    if value is not None and isinstance(type_, DateTime):
        return read_time(value)  # type: ignore[arg-type]
    return value


def _copy_command(source: str, target: str) -> list[str]:
    return [sys.executable, "-m", "bot", "db", "copy", source, target, "--batch", "4"]


async def test_copy_to_postgres_killed_half_way_and_rerun_equals_the_source(
    tmp_path: Path,
) -> None:
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    source = await connect(source_url)
    await _fill(source)
    expected = await _rows(source)
    related = await ArticleRepository(source).related(3)
    await source.close()
    async with fresh_database() as target_url:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(
            _copy_command(source_url, target_url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        peek = None
        copied = 0
        try:
            while proc.poll() is None and not 10 <= copied < ARTICLES:
                await asyncio.sleep(0.01)
                try:
                    peek = peek or await asyncpg.connect(target_url)
                    copied = await peek.fetchval("SELECT count(*) FROM articles")
                except (asyncpg.UndefinedTableError, OSError, asyncpg.PostgresError):
                    copied = 0
            assert proc.poll() is None, "the copy finished before it could be killed"
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        finally:
            if peek is not None:
                await peek.close()
        target = await connect(target_url)
        try:
            assert 0 < await target.scalar("SELECT count(*) FROM articles") < ARTICLES + 2
        finally:
            await target.close()
        again = subprocess.run(
            _copy_command(source_url, target_url), capture_output=True, text=True, env=env
        )
        assert again.returncode == 0, again.stderr
        target = await connect(target_url)
        try:
            assert await _rows(target) == expected
            assert await check(target) == []
            assert await ArticleRepository(target).related(3) == related
            assert [
                a.id for a in await ArticleRepository(target).search(search_words("郑州暴雨"))
            ] == [ARTICLES + 1]
            # ids go on after the copied ones
            saved = await ArticleRepository(target).save(make_analysis("神舟", LAUNCH))
            assert saved.article_id == ARTICLES + 3
        finally:
            await target.close()


async def test_db_migrate_check_and_optimize_follow_zhaiyao_database_url() -> None:
    async with fresh_database() as url:
        env = {**os.environ, "ZHAIYAO_DATABASE_URL": url}
        script = ScriptDirectory.from_config(config(None))
        revisions = ", ".join(r.revision for r in reversed(list(script.walk_revisions())))
        for command, said in (
            ("migrate", f"applied {revisions}"),
            ("check", "ok"),
            ("optimize", "optimized"),
        ):
            done = subprocess.run(
                [sys.executable, "-m", "bot", "db", command],
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
            )
            assert (done.returncode, done.stdout.strip()) == (0, said), done.stderr
