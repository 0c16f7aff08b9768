from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from storage import connect
from storage.db import load_migrations, utc_stamp


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


def test_utc_stamp_writes_utc_and_takes_naive_moments_as_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    assert utc_stamp(datetime(2024, 3, 1, 8, 0, tzinfo=beijing)) == "2024-03-01T00:00:00.000000Z"
    assert utc_stamp(datetime(2024, 3, 1, 8, 0)) == "2024-03-01T08:00:00.000000Z"


# from 1000 on: strftime does not pad a year below it to four digits
_MOMENTS = st.datetimes(min_value=datetime(1000, 1, 1), timezones=st.just(UTC))


@given(_MOMENTS, _MOMENTS)
def test_utc_stamp_text_order_is_time_order(a: datetime, b: datetime) -> None:
    assert (utc_stamp(a) < utc_stamp(b)) == (a < b)
