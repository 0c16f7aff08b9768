"""The ``zhaiyao`` command line: main.py (the parser and the user commands), admin.py
(``zhaiyao admin``), terminal.py (the card in a terminal), jsonl.py (``zhaiyao ingest``
records). The console script is ``bot.cli:main``."""

from bot.cli.main import main

__all__ = ["main"]
