from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import create_engine

from storage import Database, connect
from storage.db import read_time, utc_stamp
from storage.errors import StorageError
from storage.migrations.runner import BASELINE, config, head
from tests.helpers.postgres import fresh_database

HEAD = head()  # the newest revision


async def test_connect_sets_pragmas_and_records_migrations(tmp_path: Path) -> None:
    db = await connect(tmp_path / "z.db")
    try:
        assert db.dialect == "sqlite"
        assert (await db.scalar("PRAGMA journal_mode")) == "wal"
        assert (await db.scalar("PRAGMA foreign_keys")) == 1
        assert (await db.scalar("PRAGMA busy_timeout")) == 5000
        assert await db.applied_migrations() == [HEAD]
        assert await db.migrate() == []  # idempotent
    finally:
        await db.close()


async def test_a_url_or_a_path_opens_the_same_store(tmp_path: Path) -> None:
    path = tmp_path / "z.db"
    db = await connect(f"sqlite:///{path}")
    await db.close()
    assert path.exists()
    with pytest.raises(StorageError, match="unsupported database URL"):
        await connect("mysql://localhost/x")


async def test_failed_transaction_rolls_back(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("crash mid-write")
    assert await db.scalar("SELECT count(*) FROM t") == 0


async def test_times_come_back_as_aware_utc_on_either_backend(db: Database) -> None:
    beijing = timezone(timedelta(hours=8))
    moment = datetime(2024, 3, 1, 8, 0, 0, 123456, tzinfo=beijing)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO audit_log(admin_id, action, at) VALUES (?, ?, ?)", (1, "x", moment)
        )
    stored = await db.scalar("SELECT at FROM audit_log WHERE admin_id = 1")
    assert read_time(stored) == moment
    assert read_time(stored).tzinfo is UTC
    later = await db.scalar("SELECT count(*) FROM audit_log WHERE at > ?", (moment,))
    assert later == 0


_SCRIPT = """
import asyncio, sys, time
from storage import connect
async def main():
    while time.time() < float(sys.argv[2]):
        time.sleep(0.005)
    db = await connect(sys.argv[1])
    print(await db.applied_migrations(), flush=True)
    await db.close()
asyncio.run(main())
"""


def _two_processes_migrate(url: str) -> list[str]:
    """Two real processes open the same fresh store at the same instant."""
    start = time.time() + 3.0  # both interpreters up and importing by then
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _SCRIPT, url, str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
        outputs.append(out.strip())
    return outputs


async def test_two_processes_migrate_one_fresh_sqlite_store(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    assert _two_processes_migrate(str(path)) == [f"['{HEAD}']"] * 2
    db = await connect(path, migrate=False)
    try:
        assert await db.scalar("SELECT count(*) FROM index_stats") == 1  # baseline ran once
    finally:
        await db.close()


async def test_two_processes_migrate_one_fresh_postgres_store() -> None:
    async with fresh_database() as url:
        assert _two_processes_migrate(url) == [f"['{HEAD}']"] * 2
        db = await connect(url, migrate=False)
        try:
            assert await db.scalar("SELECT count(*) FROM index_stats") == 1
        finally:
            await db.close()


def test_utc_stamp_writes_utc_and_takes_naive_moments_as_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    assert utc_stamp(datetime(2024, 3, 1, 8, 0, tzinfo=beijing)) == "2024-03-01T00:00:00.000000Z"
    assert utc_stamp(datetime(2024, 3, 1, 8, 0)) == "2024-03-01T08:00:00.000000Z"


# from 1000 on: strftime does not pad a year below it to four digits
_MOMENTS = st.datetimes(min_value=datetime(1000, 1, 1), timezones=st.just(UTC))


@given(_MOMENTS, _MOMENTS)
def test_utc_stamp_text_order_is_time_order(a: datetime, b: datetime) -> None:
    assert (utc_stamp(a) < utc_stamp(b)) == (a < b)


async def test_a_store_from_before_alembic_is_taken_over_and_its_times_unified(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as sync:  # the baseline schema: what the numbered .sql steps made
        command.upgrade(config(sync), BASELINE)
    engine.dispose()
    db = await connect(path, migrate=False)
    async with db.transaction() as conn:  # what the numbered .sql steps left behind
        await conn.execute("DROP TABLE alembic_version")
        await conn.execute("CREATE TABLE schema_migrations (number INTEGER PRIMARY KEY)")
        await conn.execute("INSERT INTO schema_migrations VALUES (1), (2), (3), (4), (5)")
        await conn.execute(
            "INSERT INTO subscriptions (chat_id, kind, created_at, updated_at)"
            " VALUES (-5, 'group', '2024-03-01T08:00:00+08:00', '2024-03-01T00:00:00.123Z')"
        )
    await db.close()
    db = await connect(path)
    try:
        assert await db.applied_migrations() == [HEAD]
        assert "schema_migrations" not in await db.table_names()
        row = await db.fetchone("SELECT created_at, updated_at FROM subscriptions")
        assert row is not None
        assert tuple(row) == ("2024-03-01T00:00:00.000000Z", "2024-03-01T00:00:00.123000Z")
    finally:
        await db.close()
