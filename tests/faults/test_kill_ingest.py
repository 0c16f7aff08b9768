"""``zhaiyao ingest`` killed with SIGKILL mid-import, then run again, on a real SQLite file.

The bulk import stores one record per transaction, so a kill may land anywhere: between
records, inside a transaction, during a WAL checkpoint. After the re-run every record is
stored exactly once (URL records by canonical URL, pasted ones by their text), and the
indexes agree with the rows: SQLite's own integrity checks, the FTS index holds exactly
the family roots, every article has its MinHash bands, and the document frequencies are
what a full ``reindex`` computes from scratch.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage import connect
from storage.articles import ArticleRepository
from summarizer.analyze import index_analysis
from summarizer.tokenize import search_words

ROOT = Path(__file__).parents[2]
PLACES = ("北京", "上海", "广州", "深圳", "成都", "武汉", "西安", "杭州", "南京", "重庆")
TOPICS = ("地铁线路", "博物馆", "科技园区", "马拉松赛事", "图书馆", "湿地公园", "体育中心")


def _records(n: int) -> list[dict[str, str]]:
    """``n`` distinct articles: two in three with a URL, one in three pasted without."""
    records = []
    for i in range(n):
        place, topic = PLACES[i % len(PLACES)], TOPICS[i % len(TOPICS)]
        text = "\n".join(
            (
                f"{place}市今天宣布第{i + 1}号{topic}项目正式启动，总投资约{10 + i}亿元。",
                f"据介绍，该项目编号为ZY{i:04d}，预计将在{2025 + i % 5}年底前完成建设。",
                f"市民张{i}表示，{topic}的建成将方便周边{i * 3 + 5}万居民的生活。",
            )
        )
        record = {"title": f"{place}第{i + 1}号{topic}项目启动", "text": text}
        if i % 3:
            record["url"] = f"https://news{i % 4}.example.cn/{i}.html"
        records.append(record)
    return records


def _ingest(jsonl: Path, db: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ZHAIYAO_DB": str(db),
        "ZHAIYAO_DATABASE_URL": f"sqlite:///{db}",
        "ZHAIYAO_NER_BACKEND": "jieba",
    }
    env.pop("ZHAIYAO_TELEGRAM_TOKEN", None)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "ingest", str(jsonl)],
        cwd=jsonl.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created or not migrated yet


def _kill_after(process: subprocess.Popen[bytes], db: Path, stored: int) -> int:
    """SIGKILL ``process`` once ``stored`` articles are in ``db``; the count then."""
    deadline = time.monotonic() + 300
    while _stored(db) < stored:
        if process.poll() is not None or time.monotonic() > deadline:
            out, err = process.communicate()
            pytest.fail(f"ingest ended before the kill: {out.decode()} {err.decode()[-2000:]}")
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    return _stored(db)


def _index_state(conn: sqlite3.Connection) -> tuple[list[tuple[int, int]], list[tuple[str, int]]]:
    return (
        conn.execute("SELECT id, df FROM term_df ORDER BY id").fetchall(),
        conn.execute("SELECT name, value FROM index_stats ORDER BY name").fetchall(),
    )


@pytest.mark.parametrize("kill_at", [3, 17])
async def test_ingest_killed_mid_import_loses_nothing_and_doubles_nothing(
    tmp_path: Path, kill_at: int
) -> None:
    records = _records(30)
    jsonl = tmp_path / "news.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    db = tmp_path / "zhaiyao.db"

    survived = _kill_after(_ingest(jsonl, db), db, kill_at)
    assert kill_at <= survived < len(records), "the kill landed mid-import"

    rerun = _ingest(jsonl, db)
    _, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err.decode()[-2000:]

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute("INSERT INTO article_fts(article_fts) VALUES ('integrity-check')")
        rows = conn.execute("SELECT id, url, title, text, duplicate_of FROM articles").fetchall()
        # What survived the kill kept its rows: the re-run added only the rest.
        assert sorted(r[0] for r in rows)[:survived] == list(range(1, survived + 1))
        roots = {r[0] for r in rows if r[4] is None}
        assert {r for (r,) in conn.execute("SELECT rowid FROM article_fts")} == roots
        banded = {a for (a,) in conn.execute("SELECT DISTINCT article_id FROM article_bands")}
        assert banded == {r[0] for r in rows}
        before = _index_state(conn)

    # Nothing lost, nothing twice: each record is exactly one row.
    assert len(rows) == len(records)
    for record in records:
        matches = [r for r in rows if r[2] == record["title"]]
        assert len(matches) == 1, record["title"]
        assert matches[0][1] == record.get("url")

    # The document frequencies are what indexing everything from scratch gives.
    database = await connect(db)
    try:
        articles = ArticleRepository(database)
        assert await articles.count() == len(records)
        assert await articles.reindex(index_analysis) == len(roots)
        found = await articles.search(search_words(records[-1]["title"]), limit=3)
        assert records[-1]["title"] in [a.article.title for a in found]
    finally:
        await database.close()
    with sqlite3.connect(db) as conn:
        assert _index_state(conn) == before
