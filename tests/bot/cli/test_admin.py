"""``zhaiyao admin ...`` against a real database file."""

from __future__ import annotations

import asyncio
import gzip
import json
import sqlite3
from pathlib import Path

import pytest

from bot.cli.main import main
from storage import connect
from storage.admin import AuditLog, Moderation
from storage.articles import ArticleRepository
from tests.storage.conftest import make_analysis


def cli(*argv: str) -> int:
    """The real console entry point (``zhaiyao ...``)."""
    return main(list(argv))


async def _state(path: Path) -> tuple[bool, list[str]]:
    db = await connect(path)
    try:
        banned = await Moderation(db).is_banned(42)
        actions = [e.action for e in await AuditLog(db).recent()]
        return banned, actions
    finally:
        await db.close()


async def _save(path: Path, titles: list[str]) -> None:
    db = await connect(path)
    try:
        for title in titles:
            await ArticleRepository(db).save(make_analysis(title, f"{title}的正文。"))
    finally:
        await db.close()


def test_ban_unban_are_applied_and_audited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "z.db"
    assert cli("admin", "--db", str(db), "ban", "42", "发", "广告") == 0
    assert asyncio.run(_state(db)) == (True, ["ban"])
    assert cli("admin", "--db", str(db), "unban", "42") == 0
    banned, actions = asyncio.run(_state(db))
    assert not banned and actions == ["unban", "ban"]
    assert "unbanned 42" in capsys.readouterr().out


def test_backup_and_export_write_files(tmp_path: Path) -> None:
    db = tmp_path / "z.db"
    assert cli("admin", "--db", str(db), "stats") == 0  # creates and migrates the file
    asyncio.run(_save(db, ["一", "二"]))
    out = tmp_path / "copy.db"
    assert cli("admin", "--db", str(db), "backup", "-o", str(out)) == 0
    with sqlite3.connect(out) as copy:
        assert copy.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    dump = tmp_path / "e.jsonl.gz"
    assert cli("admin", "--db", str(db), "export", "--output", str(dump)) == 0
    with gzip.open(dump, "rt", encoding="utf-8") as f:
        titles = [json.loads(line)["row"]["title"] for line in f if '"articles"' in line]
    assert titles == ["一", "二"]


def test_stats_prints_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "z.db"
    cli("admin", "--db", str(db), "ban", "7")
    assert cli("admin", "--db", str(db), "stats") == 0
    out = capsys.readouterr().out
    assert "banned: 1" in out and "<b>" not in out


async def _articles(path: Path) -> tuple[int, list[str]]:
    db = await connect(path)
    try:
        count = await ArticleRepository(db).count()
        return count, [e.action for e in await AuditLog(db).recent()]
    finally:
        await db.close()


def test_purge_and_reindex(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "z.db"
    assert cli("admin", "--db", str(db), "stats") == 0
    asyncio.run(_save(db, ["甲", "乙", "丙"]))
    assert cli("admin", "--db", str(db), "purge", "2") == 0
    assert cli("admin", "--db", str(db), "purge", "2") == 1  # already gone
    assert cli("admin", "--db", str(db), "reindex") == 0
    count, actions = asyncio.run(_articles(db))
    assert count == 2 and actions == ["reindex", "purge"]
    out = capsys.readouterr().out
    assert "no article 2" in out and "reindexed 2 articles" in out
