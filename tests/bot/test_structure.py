"""Conventions of the bot package: no import cycle, one catalogue that speaks both
languages, and no user-facing Chinese outside it in the feature handlers."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from bot.texts import CATALOGUE, COMMANDS, GROUP_COMMANDS, t
from tests.helpers.imports import cycles, import_graph

ROOT = Path(__file__).parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_bot_package_has_no_import_cycle() -> None:
    graph = import_graph(ROOT, "bot")
    assert len(graph) >= 40 and graph["bot.app"]  # the graph was really read
    assert cycles(graph) == []


def test_a_cycle_would_be_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_catalogue_entry_speaks_both_languages_with_the_same_fields() -> None:
    fields = string.Formatter()
    for key, (zh, en) in CATALOGUE.items():
        assert zh.strip() and en.strip(), key
        assert not CJK.search(en), key  # the English side has no Chinese left in it
        zh_fields = {f for _, f, _, _ in fields.parse(zh) if f}
        en_fields = {f for _, f, _, _ in fields.parse(en) if f}
        assert zh_fields == en_fields, key
    for name, (zh, en) in COMMANDS.items():
        assert zh and en and not CJK.search(en), name
    assert set(COMMANDS) > GROUP_COMMANDS


def test_t_picks_the_language_and_fills_fields() -> None:
    assert t("too_many_links", "en", n=3) == "That message has many links; I read the first 3."
    assert t("too_many_links", "zh", n=3).startswith("这条消息里的链接太多")


def _chinese_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and CJK.search(node.value)
    ]


def test_the_user_facing_handlers_speak_only_through_the_catalogue() -> None:
    """Chinese outside bot/texts/ in the chat, digest and feed handlers would be a reply
    that ignores /lang en. (Still to move: the admin texts, which are bilingual on
    purpose for operators, and the digest body's labels, which follow the digest's own
    language setting.)"""
    for path in [
        ROOT / "bot" / "articles" / "handlers.py",
        ROOT / "bot" / "digests" / "handlers.py",
        ROOT / "bot" / "feeds" / "handlers.py",
        ROOT / "bot" / "feeds" / "delivery.py",
        ROOT / "bot" / "errors.py",
        *(ROOT / "bot" / "telegram").glob("*.py"),
    ]:
        found = [s for s in _chinese_literals(path) if s not in ("中文",)]
        assert found == [], path
