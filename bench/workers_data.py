"""What the multi-worker data side costs per message (issue 21): one shared-bucket take
(the rate limiter asks two per message: the chat's, the bot's) on each store, and one
outbox message's claim → sending → sent on SQLite and PostgreSQL.

    python bench/workers_data.py [--takes 2000] [--messages 500]

Wall and CPU milliseconds per operation, one worker, no Bot API call (what the data side
adds to each send). PostgreSQL at ``ZHAIYAO_TEST_POSTGRES_URL`` (default
postgres@127.0.0.1:5432/test, a scratch database made and dropped), Redis at
127.0.0.1:6379 (keys under a random prefix, expiring).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.related import fresh_postgres
from storage import connect
from storage.buckets import Buckets, DatabaseBuckets, MemoryBuckets, RedisBuckets
from storage.db import Database
from storage.outbox import Outbox
from storage.workers import Worker

REDIS_URL = "redis://127.0.0.1:6379/0"
POSTGRES_URL = os.environ.get(
    "ZHAIYAO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


async def timed(n: int, op: Callable[[int], Awaitable[object]]) -> tuple[float, float]:
    """(wall ms, CPU ms) per call of ``op`` over ``n`` calls."""
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        await op(i)
    return (
        (time.perf_counter() - wall) * 1000 / n,
        (time.process_time() - cpu) * 1000 / n,
    )


async def takes(buckets: Buckets, n: int) -> tuple[float, float]:
    prefix = uuid.uuid4().hex
    # a big, fast bucket: every take succeeds (the common case)
    return await timed(n, lambda i: buckets.take(f"{prefix}:{i % 50}", 1e6, 1e6))


async def outbox_round(db: Database, n: int) -> tuple[float, float]:
    outbox = Outbox(db)
    for i in range(n):
        await outbox.add(-(i % 40) - 1, f"bench:{uuid.uuid4().hex}", "<b>x</b>")
    async with Worker(db) as worker:

        async def one(i: int) -> None:
            entry = await outbox.claim(worker)
            assert entry is not None
            assert await outbox.begin(entry, worker)
            await outbox.sent(entry, worker, i)

        return await timed(n, one)


async def main(takes_n: int, messages: int) -> None:
    rows: list[tuple[str, str, float, float]] = []
    rows.append(("bucket take", "memory", *await takes(MemoryBuckets(), takes_n)))
    with tempfile.TemporaryDirectory() as tmp:
        db = await connect(Path(tmp) / "bench.db")
        rows.append(("bucket take", "SQLite", *await takes(DatabaseBuckets(db), takes_n)))
        rows.append(("outbox message", "SQLite", *await outbox_round(db, messages)))
        await db.close()
    async with fresh_postgres(POSTGRES_URL) as db:
        rows.append(("bucket take", "PostgreSQL", *await takes(DatabaseBuckets(db), takes_n)))
        rows.append(("outbox message", "PostgreSQL", *await outbox_round(db, messages)))
    redis = RedisBuckets(REDIS_URL)
    rows.append(("bucket take", "Redis", *await takes(redis, takes_n)))
    await redis.close()
    print("| operation | store | wall ms | CPU ms |")
    print("|---|---|---|---|")
    for what, store, wall, cpu in rows:
        print(f"| {what} | {store} | {wall:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--takes", type=int, default=2000)
    parser.add_argument("--messages", type=int, default=500)
    args = parser.parse_args()
    asyncio.run(main(args.takes, args.messages))
