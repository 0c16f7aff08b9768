"""Token buckets shared by every worker: Telegram's send limits and the per-user article
limit hold for the whole deployment, not per process.

:meth:`Buckets.take` takes ``cost`` tokens from the bucket ``key`` (``burst`` at most,
refilled at ``rate`` a second) when it holds them and answers 0, or takes nothing and
answers how many seconds until it would. Three stores, one behaviour:

- :class:`MemoryBuckets`: this process only (a SQLite store has one bot process);
- :class:`DatabaseBuckets`: one row per bucket in ``rate_buckets``, updated by a single
  ``INSERT … ON CONFLICT DO UPDATE … WHERE`` (atomic on PostgreSQL and SQLite);
- :class:`RedisBuckets`: a Lua script on Redis (``ZHAIYAO_REDIS_URL``), atomic there, on
  Redis's clock.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from storage.db import Database


class Buckets(Protocol):
    async def take(
        self, key: str, rate: float, burst: float, cost: float = 1.0, *, floor: float = 0.0
    ) -> float:
        """Take ``cost`` tokens if at least ``cost + floor`` are there (0.0), else take
        nothing and return the seconds until there would be."""
        ...

    async def hold(self, key: str, rate: float, seconds: float) -> None:
        """Empty the bucket for ``seconds`` (Telegram answered 429: retry after …)."""
        ...

    async def close(self) -> None: ...


def _level(tokens: float, at: float, now: float, rate: float, burst: float) -> float:
    return min(burst, tokens + max(now - at, 0.0) * rate)


class MemoryBuckets:
    def __init__(self) -> None:
        self._state: dict[str, tuple[float, float]] = {}

    async def take(
        self, key: str, rate: float, burst: float, cost: float = 1.0, *, floor: float = 0.0
    ) -> float:
        now = time.monotonic()
        tokens, at = self._state.get(key, (burst, now))
        level = _level(tokens, at, now, rate, burst)
        if level >= cost + floor:
            self._state[key] = (level - cost, now)
            return 0.0
        return (cost + floor - level) / rate

    async def hold(self, key: str, rate: float, seconds: float) -> None:
        self._state[key] = (-seconds * rate, time.monotonic())

    async def close(self) -> None:
        return None


class DatabaseBuckets:
    """``rate_buckets`` rows; times are the workers' clocks (seconds since 1970)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def take(
        self, key: str, rate: float, burst: float, cost: float = 1.0, *, floor: float = 0.0
    ) -> float:
        if cost + floor > burst:
            raise ValueError(f"bucket {key}: {cost} + {floor} tokens never fit in {burst}")
        now = time.time()
        refilled = (
            "CASE WHEN rate_buckets.tokens + (? - rate_buckets.at) * ? > ? THEN ?"
            " ELSE rate_buckets.tokens + (? - rate_buckets.at) * ? END"
        )
        async with self.db.transaction() as conn:
            row = await conn.fetchone(
                "INSERT INTO rate_buckets (key, tokens, at) VALUES (?, ?, ?)"
                f" ON CONFLICT (key) DO UPDATE SET tokens = {refilled} - ?, at = ?"
                f" WHERE {refilled} >= ? RETURNING tokens",
                (
                    key,
                    burst - cost,
                    now,
                    *(now, rate, burst, burst, now, rate),
                    cost,
                    now,
                    *(now, rate, burst, burst, now, rate),
                    cost + floor,
                ),
            )
            if row is not None:
                return 0.0
            state = await conn.fetchone("SELECT tokens, at FROM rate_buckets WHERE key = ?", (key,))
        assert state is not None
        level = _level(float(state[0]), float(state[1]), now, rate, burst)
        return max((cost + floor - level) / rate, 0.001)

    async def hold(self, key: str, rate: float, seconds: float) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO rate_buckets (key, tokens, at) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, at = excluded.at",
                (key, -seconds * rate, time.time()),
            )

    async def close(self) -> None:
        return None


_TAKE = """
local rate, burst, cost, floor = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),
  tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local v = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(v[1]) or burst, tonumber(v[2]) or now
local level = math.min(burst, tokens + math.max(now - at, 0) * rate)
if level >= cost + floor then
  redis.call('HSET', KEYS[1], 'tokens', tostring(level - cost), 'at', tostring(now))
  redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
  return '0'
end
return tostring((cost + floor - level) / rate)
"""
_HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('HSET', KEYS[1], 'tokens', ARGV[1], 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 60)
return 1
"""


class RedisBuckets:
    PREFIX = "zhaiyao:bucket:"

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self.client: Any = redis.Redis.from_url(url)
        self._take = self.client.register_script(_TAKE)
        self._hold = self.client.register_script(_HOLD)

    async def take(
        self, key: str, rate: float, burst: float, cost: float = 1.0, *, floor: float = 0.0
    ) -> float:
        answer = await self._take(keys=[self.PREFIX + key], args=[rate, burst, cost, floor])
        return float(answer)

    async def hold(self, key: str, rate: float, seconds: float) -> None:
        await self._hold(keys=[self.PREFIX + key], args=[-seconds * rate, seconds])

    async def close(self) -> None:
        await self.client.aclose()


def buckets_for(db: Database, redis_url: str | None = None) -> Buckets:
    """Redis when configured; else the database when several workers may share it
    (PostgreSQL); else this process (SQLite: one bot process)."""
    if redis_url:
        return RedisBuckets(redis_url)
    if db.dialect == "postgresql":
        return DatabaseBuckets(db)
    return MemoryBuckets()
