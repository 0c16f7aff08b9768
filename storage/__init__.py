"""Zhaiyao's storage: SQLite through aiosqlite, numbered migrations, repositories that
return dataclasses. ``storage`` imports only ``summarizer.model`` from the NLP side."""

from storage.db import Database, connect

__all__ = ["Database", "connect"]
