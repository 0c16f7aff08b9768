"""The command line's one error: a sentence for the terminal and an exit status
(``bot.cli.main`` prints it as ``zhaiyao: …``; no class names, no traceback)."""

from __future__ import annotations

EXIT_FAILED, EXIT_USAGE = 1, 2


class CLIError(Exception):
    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code
