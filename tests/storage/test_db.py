from __future__ import annotations

from pathlib import Path

from storage import connect
from storage.db import load_migrations


async def test_connect_sets_pragmas_and_records_migrations(tmp_path: Path) -> None:
    db = await connect(tmp_path / "z.db")
    try:
        assert (await db.scalar("PRAGMA journal_mode")) == "wal"
        assert (await db.scalar("PRAGMA foreign_keys")) == 1
        assert (await db.scalar("PRAGMA busy_timeout")) == 5000
        assert await db.applied_migrations() == [m.number for m in load_migrations()]
        assert await db.migrate() == []  # idempotent
    finally:
        await db.close()


async def test_failed_transaction_rolls_back(tmp_path: Path) -> None:
    db = await connect(tmp_path / "z.db")
    try:
        async with db.transaction() as conn:
            await conn.execute("CREATE TABLE t (x INTEGER)")
        try:
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO t VALUES (1)")
                raise RuntimeError("crash mid-write")
        except RuntimeError:
            pass
        assert await db.scalar("SELECT count(*) FROM t") == 0
    finally:
        await db.close()
