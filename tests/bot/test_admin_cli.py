"""``zhaiyao admin ...`` against a real database file."""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import sqlite3
from pathlib import Path

import pytest

from bot.admin_cli import add_parser
from storage import connect
from storage.admin import AuditLog, Moderation


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="zhaiyao")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    result: int = args.func(args)
    return result


async def _state(path: Path) -> tuple[bool, list[str]]:
    db = await connect(path)
    try:
        banned = await Moderation(db).is_banned(42)
        actions = [e.action for e in await AuditLog(db).recent()]
        return banned, actions
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
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT)")
        conn.executemany("INSERT INTO articles(title) VALUES (?)", [("一",), ("二",)])
    out = tmp_path / "copy.db"
    assert cli("admin", "--db", str(db), "backup", "-o", str(out)) == 0
    with sqlite3.connect(out) as copy:
        assert copy.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    dump = tmp_path / "e.jsonl.gz"
    assert cli("admin", "--db", str(db), "export", "--output", str(dump)) == 0
    with gzip.open(dump, "rt", encoding="utf-8") as f:
        titles = [json.loads(line)["row"]["title"] for line in f]
    assert titles == ["一", "二"]


def test_stats_prints_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "z.db"
    cli("admin", "--db", str(db), "ban", "7")
    assert cli("admin", "--db", str(db), "stats") == 0
    out = capsys.readouterr().out
    assert "banned: 1" in out and "<b>" not in out
