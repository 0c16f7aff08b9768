"""Consistent backups (SQLite's online backup API) and gzip JSONL exports (either backend).

A backup reads through a plain ``sqlite3`` connection in a worker thread, so the bot keeps
serving while a large file is copied; WAL gives it one snapshot. An export reads every
table in one read transaction (one snapshot) in id order, a page at a time. A PostgreSQL
store is backed up with ``pg_dump``, the server's own tool.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from storage.db import Database, utc_stamp
from storage.errors import StorageError

#: Tables exported by default, when they exist: the stored articles and the request log.
EXPORT_TABLES: tuple[str, ...] = ("articles", "requests")
_PAGE = 1000


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    rows: dict[str, int]


async def backup(db: Database, dest: str | Path) -> Path:
    """Copy the whole database to ``dest`` (overwritten) as one consistent snapshot."""
    if db.path is None:
        raise StorageError("a PostgreSQL store is backed up with pg_dump, not from the bot")
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
    existing = await db.table_names()
    counts: dict[str, int] = {}
    async with db.reading(snapshot=True) as conn:
        with gzip.open(dest, "wt", encoding="utf-8") as out:
            for table in tables:
                counts[table] = 0
                if table not in existing:
                    continue
                # The name comes from the caller's list, checked against the store's tables.
                last = None
                while True:
                    after = "" if last is None else " WHERE id > ?"
                    rows = await conn.fetchall(
                        f'SELECT * FROM "{table}"{after} ORDER BY id LIMIT {_PAGE}',
                        () if last is None else (last,),
                    )
                    for row in rows:
                        line = {k: _jsonable(v) for k, v in zip(row.keys(), row, strict=True)}
                        out.write(json.dumps({"table": table, "row": line}, ensure_ascii=False))
                        out.write("\n")
                    counts[table] += len(rows)
                    if len(rows) < _PAGE:
                        break
                    last = rows[-1]["id"]
    return ExportResult(dest, counts)


def _jsonable(value: object) -> object:
    if isinstance(value, datetime):
        return utc_stamp(value)
    return value.hex() if isinstance(value, bytes) else value
