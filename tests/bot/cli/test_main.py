"""The ``zhaiyao`` command line, against a temporary SQLite file."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import build_parser, main

ROOT = Path(__file__).parents[3]
SEED = ROOT / "examples" / "seed_page.txt"
GBK_PAGE = ROOT / "tests" / "fixtures" / "bot" / "article_gbk.html"
README = (ROOT / "README.md").read_text(encoding="utf-8")


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
    assert page["id"] is None and data["id"] is None  # nothing stored without --store


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
    assert "NotFound" not in err and "no article #12345 in" in err  # a sentence, no class name


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
    assert "line 4: not JSON (Expecting value at column 1)" in captured.err
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


def test_summarize_stores_only_when_asked_and_says_where(
    capsys: pytest.CaptureFixture[str], isolated: Path
) -> None:
    assert main(["summarize", str(SEED)]) == 0
    assert "stored" not in capsys.readouterr().err
    assert main(["related", "1"]) == 1  # nothing was stored
    capsys.readouterr()
    assert main(["summarize", "--store", str(SEED)]) == 0
    captured = capsys.readouterr()
    assert f"stored as article #1 in {isolated}" in captured.err
    assert "#1" in captured.out  # the card names the stored id
    assert main(["summarize", "--store", "--json", str(SEED)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["id"] == 1 and "#1 (already there)" in captured.err


def test_summarize_without_store_loads_no_storage_telegram_or_training_code(
    isolated: Path,
) -> None:
    # the card of a file needs extraction, analyze and rich only: no database layer (it
    # cost ~0.5 s and 30 MB a run), no Telegram library and never transformers/torch
    code = (
        "import sys\n"
        "from bot.cli.main import main\n"
        f"assert main(['summarize', {str(SEED)!r}]) == 0\n"
        "heavy = ('sqlalchemy', 'alembic', 'aiosqlite', 'asyncpg', 'telegram', 'storage',\n"
        "         'transformers', 'torch')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    env = {**os.environ, "ZHAIYAO_NER_BACKEND": "model"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert "李强" in done.stdout
    assert not isolated.exists()  # and nothing was written


def test_the_unstored_card_is_the_stored_one(capsys: pytest.CaptureFixture[str]) -> None:
    # summarize without --store skips the bot's service: same budget, same analysis
    cards = []
    for store in ([], ["--store"]):
        for n in ("1", "3", "5"):
            assert main(["summarize", *store, "--json", "-n", n, str(SEED)]) == 0
            card = json.loads(capsys.readouterr().out)
            cards.append((card["summary"], card["entities"], card["keywords"], card["title"]))
    assert cards[:3] == cards[3:]
    assert [len(summary) for summary, *_ in cards[:2]] == [1, 3]


def test_ingest_names_each_bad_line_and_strict_stops_at_the_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = json.dumps({"title": "物价温和上涨", "text": "国家统计局发布数据，物价温和上涨。"})
    lines = [
        "{not json",
        "[1, 2]",
        json.dumps({"title": "只有标题"}),
        json.dumps({"text": "   "}),
        good,
    ]
    jsonl = tmp_path / "bad.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["ingest", str(jsonl)]) == 0
    captured = capsys.readouterr()
    assert "imported 1, duplicates 0, failed 4" in captured.out
    reasons = [line for line in captured.err.splitlines() if line.startswith("line ")]
    assert reasons == [
        "line 1: not JSON (Expecting property name enclosed in double quotes at column 2)",
        "line 2: a JSON array, not an object",
        'line 3: no "text" or "html" field (a string) in the object',
        'line 4: "text" is empty',
    ]
    assert main(["ingest", "--strict", str(jsonl)]) == 1
    captured = capsys.readouterr()
    assert "imported 0, duplicates 0, failed 1" in captured.out
    assert [line for line in captured.err.splitlines() if line.startswith("line ")] == [reasons[0]]


def _subcommands(parser: argparse.ArgumentParser, prefix: list[str]) -> list[list[str]]:
    found = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _subcommands(sub, [*prefix, name])
    return found


def test_every_subcommand_has_help_for_people_with_an_example(
    capsys: pytest.CaptureFixture[str],
) -> None:
    commands = _subcommands(build_parser(), [])
    assert len(commands) >= 14  # zhaiyao, 6 subcommands, 7 admin subcommands
    for command in commands:
        with pytest.raises(SystemExit) as stop:
            main([*command, "--help"])
        assert stop.value.code == 0
        out = capsys.readouterr().out
        assert "example" in out, command
        assert f"zhaiyao {' '.join(command)}".strip() in out, command
        for developer_words in ("``", ":func:", "bot/cli/main.py", "Namespace", "None"):
            assert developer_words not in out, (command, developer_words)


def test_the_documented_examples_in_the_readme_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("ZHAIYAO_TELEGRAM_TOKEN", "123456:" + "A" * 35)  # for zhaiyao doctor
    block = README.split("### Command line\n\n```\n", 1)[1].split("```", 1)[0]
    examples = [line.split("  #")[0].split() for line in block.strip().splitlines()]
    assert len(examples) >= 6 and all(e[0] == "zhaiyao" for e in examples)
    for example in examples:
        if example[1:] == ["--version"]:
            with pytest.raises(SystemExit) as stop:
                main(example[1:])
            assert stop.value.code == 0 and "zhaiyao " in capsys.readouterr().out
            continue
        assert main(example[1:]) == 0, example
        assert capsys.readouterr().out.strip(), example


def test_doctor_names_each_problem_and_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ZHAIYAO_TELEGRAM_TOKEN", "123456:" + "A" * 35)
    assert main(["summarize", "--store", str(SEED)]) == 0  # a store with one article
    capsys.readouterr()
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert out.count("\nok ") == 3 and out.startswith("ok ") and "all checks passed" in out
    assert "schema up to date" in out and "bot id 123456" in out

    monkeypatch.setenv("ZHAIYAO_TELEGRAM_TOKEN", "not-a-token")
    monkeypatch.setenv("ZHAIYAO_WEBHOOK_SECRET", "has spaces")
    monkeypatch.setenv("ZHAIYAO_NER_BACKEND", "model")
    monkeypatch.setenv("ZHAIYAO_NER_MODEL", str(tmp_path / "no-model"))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ZHAIYAO_DB", str(blocker / "zhaiyao.db"))
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "4 problem(s): store, ner model, token, webhook" in out
    assert f"{blocker} is not a directory" in out
    assert "no NER model in" in out and "does not look like a bot token" in out
    assert "ZHAIYAO_WEBHOOK_SECRET must be" in out

    monkeypatch.delenv("ZHAIYAO_TELEGRAM_TOKEN")
    monkeypatch.delenv("ZHAIYAO_WEBHOOK_SECRET")
    monkeypatch.delenv("ZHAIYAO_NER_MODEL")
    monkeypatch.setenv("ZHAIYAO_DB", str(tmp_path / "new" / "zhaiyao.db"))
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "does not exist yet" in out and "ZHAIYAO_TELEGRAM_TOKEN is not set" in out
    assert "1 problem(s): token" in out
