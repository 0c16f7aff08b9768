"""Consistent backups (SQLite's online backup API) and gzip JSONL exports.

Both read through a second, plain ``sqlite3`` connection in a worker thread: the bot's
own aiosqlite connection keeps serving while a large database is copied, and WAL gives
the reader one consistent snapshot for the whole copy.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from storage.db import Database

#: Tables exported by default, when they exist: the stored articles and the request log.
EXPORT_TABLES: tuple[str, ...] = ("articles", "requests")


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    rows: dict[str, int]


async def backup(db: Database, dest: str | Path) -> Path:
    """Copy the whole database to ``dest`` (overwritten) as one consistent snapshot."""
    if db.path == ":memory:":
        raise ValueError("an in-memory database cannot be backed up from another connection")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(_backup_sync, db.path, dest)
    return dest


def _backup_sync(source: str, dest: Path) -> None:
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
        closing(sqlite3.connect(tmp)) as out,
    ):
        # pages=-1: one step, so the copy is one snapshot even while the bot writes.
        src.backup(out, pages=-1)
        out.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    tmp.replace(dest)


async def export_jsonl(
    db: Database, dest: str | Path, tables: Sequence[str] = EXPORT_TABLES
) -> ExportResult:
    """Write ``{"table": name, "row": {column: value}}`` lines, gzip-compressed.

    Tables that do not exist (a feature not installed) are skipped and reported as 0.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    rows = await asyncio.to_thread(_export_sync, db.path, dest, tuple(tables))
    return ExportResult(dest, rows)


def _export_sync(source: str, dest: Path, tables: tuple[str, ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as conn:
        existing = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        with gzip.open(dest, "wt", encoding="utf-8") as out:
            conn.execute("BEGIN")  # one read transaction: every table from one snapshot
            for table in tables:
                counts[table] = 0
                if table not in existing:
                    continue
                # The name comes from our allowlist above, checked against sqlite_master.
                cur = conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
                names = [d[0] for d in cur.description]
                for values in cur:
                    row = {k: _jsonable(v) for k, v in zip(names, values, strict=True)}
                    out.write(json.dumps({"table": table, "row": row}, ensure_ascii=False))
                    out.write("\n")
                    counts[table] += 1
            conn.execute("COMMIT")
    return counts


def _jsonable(value: object) -> object:
    return value.hex() if isinstance(value, bytes) else value
