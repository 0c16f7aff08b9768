"""The README stays true to the code: every setting documented, the two commands first."""

from __future__ import annotations

from pathlib import Path

from bot.settings import Settings

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [
        f"ZHAIYAO_{name.upper()}"
        for name in Settings.model_fields
        if f"`ZHAIYAO_{name.upper()}`" not in README
    ]
    assert missing == []


def test_readme_opens_with_the_run_and_test_commands() -> None:
    blocks = README.split("```sh\n")
    run_command, test_command = blocks[1].split("\n")[0], blocks[2].split("\n")[0]
    assert "zhaiyao summarize examples/seed_page.txt" in run_command
    assert "./scripts/check" in test_command
    ci = (Path(__file__).parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command.split("&& ", 2)[2] in ci  # CI calls exactly the README's test command
