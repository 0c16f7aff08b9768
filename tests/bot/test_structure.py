"""Conventions of the bot package: no import cycle, one catalogue that speaks both
languages, and no user-facing Chinese outside it in the feature handlers."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from bot import texts
from bot.texts import ADMIN_COMMANDS, ADMIN_USAGE, CATALOGUE, COMMANDS, GROUP_COMMANDS, t
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


#: Chinese allowed outside bot/texts/, and why: the shell's own bilingual output (bot/cli),
#: words users type (schedule.py parses 每天 09:00), errors that carry both languages like
#: summarizer's (poller.py's FeedFormatError), and 中文 naming itself on a language button.
NOT_SPOKEN_TO_A_READER = {
    ROOT / "bot" / "digests" / "schedule.py",
    ROOT / "bot" / "feeds" / "poller.py",
}


def test_everything_the_bot_says_comes_from_the_catalogue() -> None:
    """Chinese outside bot/texts/ would be a reply that ignores /lang en (or a digest that
    ignores its language setting): the chat, digest, feed and admin features, the Telegram
    layer and the error handler speak only through ``t(key, lang)``."""
    checked = [
        path
        for path in sorted((ROOT / "bot").rglob("*.py"))
        if not {"texts", "cli"} & set(path.relative_to(ROOT / "bot").parts)
        and path not in NOT_SPOKEN_TO_A_READER
    ]
    assert ROOT / "bot" / "admin" / "handlers.py" in checked and len(checked) >= 30
    for path in checked:
        found = [s for s in _chinese_literals(path) if s not in ("中文",)]
        assert found == [], path


def test_no_catalogue_key_is_defined_twice() -> None:
    parts = [texts._TEXTS, texts.digests.TEXTS, texts.feeds.TEXTS, texts.admin.TEXTS]
    assert sum(len(part) for part in parts) == len(CATALOGUE)


def test_every_admin_command_has_usage_and_menu_text_in_both_languages() -> None:
    assert list(ADMIN_COMMANDS) == list(ADMIN_USAGE)
    for name, (zh, en) in ADMIN_COMMANDS.items():
        assert zh and en and not CJK.search(en) and ADMIN_USAGE[name].startswith(f"/{name}")
