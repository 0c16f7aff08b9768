"""The ``zhaiyao`` command line, against a temporary SQLite file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).parents[1]
SEED = ROOT / "examples" / "seed_page.txt"
GBK_PAGE = ROOT / "tests" / "fixtures" / "bot" / "article_gbk.html"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh database, no token, and no .env from the developer's checkout."""
    monkeypatch.chdir(tmp_path)
    for name in ("ZHAIYAO_TELEGRAM_TOKEN", "ZHAIYAO_FETCH_ALLOW_PRIVATE", "ZHAIYAO_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "cli.db"
    monkeypatch.setenv("ZHAIYAO_DB", str(db))
    monkeypatch.setenv("ZHAIYAO_NER_BACKEND", "jieba")
    monkeypatch.setenv("COLUMNS", "100")
    return db


def test_summarize_the_seed_page_prints_a_card(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert "深化沪滇深厚情谊 谱写合作发展新篇" in out
    assert "云南日报 · 2020-07-17 09:45" in out
    assert "人物 People" in out and "李强" in out
    assert "责任编辑" not in out


def test_summarize_json_and_html_files(capsys: pytest.CaptureFixture[str], isolated: Path) -> None:
    assert main(["summarize", "--json", str(SEED)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == "深化沪滇深厚情谊 谱写合作发展新篇"
    assert data["source"] == "云南日报" and data["published_at"].startswith("2020-07-17T09:45:57")
    assert 1 <= len(data["summary"]) <= 3 and all(s in SEED.read_text() for s in data["summary"])
    assert "李强" in {e["text"] for e in data["entities"]["PER"]}
    gbk = isolated.parent / "page.html"
    gbk.write_bytes(GBK_PAGE.read_text(encoding="utf-8").encode("gbk"))
    assert main(["summarize", "--json", "-n", "1", str(gbk)]) == 0
    page = json.loads(capsys.readouterr().out)
    assert page["title"] == "杭州亚运村正式开村" and len(page["summary"]) == 1
    assert page["id"] != data["id"]


def test_errors_are_one_line_and_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summarize", "no-such-file.txt"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "zhaiyao: no such file: no-such-file.txt"
    # loopback is refused unless ZHAIYAO_FETCH_ALLOW_PRIVATE is on (it is off here)
    assert main(["summarize", "http://127.0.0.1:9/news.html"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "private or internal address" in err
    assert main(["related", "12345"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_run_without_a_token_says_how_to_set_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "ZHAIYAO_TELEGRAM_TOKEN" in err


def test_ingest_related_and_reindex(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cpi = "国家统计局发布数据显示，2月份全国居民消费价格同比上涨。\n专家预计3月份物价温和上涨。"
    cpi2 = "国家统计局发布2月份居民消费价格数据，同比上涨，专家预计物价温和上涨。"
    records = [
        {"title": "物价温和上涨", "text": cpi, "url": "https://a.example.cn/1"},
        {"html": GBK_PAGE.read_text(encoding="utf-8"), "url": "https://b.example.cn/2"},
        {"title": "物价数据发布", "text": cpi2, "url": "https://c.example.cn/3"},
        "not json at all",
    ]
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    jsonl = tmp_path / "news.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["ingest", str(jsonl)]) == 0
    captured = capsys.readouterr()
    assert "imported 3, duplicates 0, failed 1" in captured.out
    assert "line 4" in captured.err
    assert main(["related", "1", "--json"]) == 0
    related = json.loads(capsys.readouterr().out)
    assert all(r["id"] != 1 for r in related)
    assert main(["related", "1"]) == 0
    assert "#1 物价温和上涨" in capsys.readouterr().out
    assert main(["reindex"]) == 0
    assert "reindexed 3 articles" in capsys.readouterr().out


def test_python_m_bot_has_every_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    for command in ("run", "summarize", "ingest", "related", "reindex"):
        assert command in result.stdout
