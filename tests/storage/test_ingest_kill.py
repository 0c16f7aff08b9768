"""``zhaiyao ingest`` killed with SIGKILL in the middle of a bulk import, then run again,
leaves the rows an uninterrupted import leaves (none lost, none twice) and a store that
``zhaiyao db check`` finds consistent, on each backend."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from storage import Database, connect
from storage.manage import check
from tests.helpers.postgres import fresh_database
from tests.storage.corpus import FLOOD, LAUNCH, republish

RECORDS = 24


def _records(path: Path) -> None:
    lines = []
    for i in range(RECORDS):
        base = FLOOD if i % 2 else LAUNCH
        # every fifth record is another outlet's copy of the one before it
        text = republish(base) if i % 5 == 4 else f"第{i}号消息。" + base.replace("。", f"{i}。", 1)
        record = {"url": f"https://a.example.cn/{i}", "title": f"报道{i}", "text": text}
        lines.append(json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@asynccontextmanager
async def _store(backend: str, tmp_path: Path, name: str) -> AsyncIterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / name}"
        return
    async with fresh_database() as url:
        yield url


def _ingest(url: str, jsonl: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ZHAIYAO_DATABASE_URL": url, "ZHAIYAO_NER_BACKEND": "jieba"}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "ingest", str(jsonl)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )


async def _rows(url: str) -> tuple[list[tuple[object, ...]], list[str]]:
    db: Database = await connect(url)
    try:
        rows = await db.fetchall(
            "SELECT a.url, a.title, a.text, r.url FROM articles AS a"
            " LEFT JOIN articles AS r ON r.id = a.duplicate_of ORDER BY a.url"
        )
        return [tuple(r) for r in rows], await check(db)
    finally:
        await db.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_ingest_killed_half_way_and_rerun_equals_an_uninterrupted_import(
    backend: str, tmp_path: Path
) -> None:
    jsonl = tmp_path / "news.jsonl"
    _records(jsonl)
    async with _store(backend, tmp_path, "whole.db") as whole:
        assert _ingest(whole, jsonl).wait(timeout=300) == 0
        expected, problems = await _rows(whole)
    assert problems == [] and len(expected) == RECORDS
    async with _store(backend, tmp_path, "killed.db") as killed:
        proc = _ingest(killed, jsonl)
        stored = 0
        probe: Database | None = None
        try:
            while proc.poll() is None and stored < 5:
                await asyncio.sleep(0.05)
                try:
                    probe = probe or await connect(killed, migrate=False)
                    stored = int(await probe.scalar("SELECT count(*) FROM articles"))
                except Exception:  # not migrated yet
                    stored = 0
        finally:
            if probe is not None:
                await probe.close()
        assert proc.poll() is None, "the import finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        half, _ = await _rows(killed)
        assert 0 < len(half) < RECORDS
        assert _ingest(killed, jsonl).wait(timeout=300) == 0
        again, problems = await _rows(killed)
    assert problems == []
    assert again == expected
