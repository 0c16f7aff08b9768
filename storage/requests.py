"""The request log: who asked what, when, how it went and how long it took.

Operators read it for usage statistics and error reports; rate limiting can count a
user's recent requests from it. Rows are append-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from storage.db import Database, Record, read_time


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    id: int
    user_id: int | None
    chat_id: int | None
    kind: str
    target: str | None
    outcome: str
    error: str | None
    latency_ms: float
    article_id: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RequestStats:
    """Counts and latency over a period, for one kind of request or all."""

    total: int
    by_outcome: dict[str, int]
    users: int
    latency_p50_ms: float | None
    latency_p95_ms: float | None


def _to_request(row: Record) -> LoggedRequest:
    return LoggedRequest(
        id=row["id"],
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        kind=row["kind"],
        target=row["target"],
        outcome=row["outcome"],
        error=row["error"],
        latency_ms=row["latency_ms"],
        article_id=row["article_id"],
        created_at=read_time(row["created_at"]),
    )


def _percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


class RequestLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self,
        user_id: int | None,
        chat_id: int | None,
        kind: str,
        target: str | None,
        outcome: str,
        latency_ms: float,
        article_id: int | None = None,
        error: str | None = None,
    ) -> int:
        """Append one request; returns its id."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO requests (user_id, chat_id, kind, target, outcome, error,"
                " latency_ms, article_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " RETURNING id",
                (
                    user_id,
                    chat_id,
                    kind,
                    target,
                    outcome,
                    error,
                    float(latency_ms),
                    article_id,
                    datetime.now(UTC),
                ),
            )
            row = await cur.fetchone()
            assert row is not None
            return int(row[0])

    async def recent(self, limit: int = 20, user_id: int | None = None) -> list[LoggedRequest]:
        """Newest first, optionally for one user."""
        if user_id is None:
            rows = await self.db.fetchall(
                "SELECT * FROM requests ORDER BY id DESC LIMIT ?", (limit,)
            )
        else:
            rows = await self.db.fetchall(
                "SELECT * FROM requests WHERE user_id = ? ORDER BY id DESC LIMIT ?",
                (user_id, limit),
            )
        return [_to_request(r) for r in rows]

    async def count_since(self, since: datetime, user_id: int | None = None) -> int:
        """Requests since ``since`` (all users, or one: what a rate limiter needs)."""
        if user_id is None:
            value = await self.db.scalar(
                "SELECT count(*) FROM requests WHERE created_at >= ?", (since,)
            )
        else:
            value = await self.db.scalar(
                "SELECT count(*) FROM requests WHERE user_id = ? AND created_at >= ?",
                (user_id, since),
            )
        return int(value)

    async def errors(self, since: datetime, limit: int = 20) -> list[LoggedRequest]:
        """Recent requests whose outcome was not ``ok``, newest first."""
        rows = await self.db.fetchall(
            "SELECT * FROM requests WHERE created_at >= ? AND outcome != 'ok'"
            " ORDER BY id DESC LIMIT ?",
            (since, limit),
        )
        return [_to_request(r) for r in rows]

    async def stats(self, since: datetime, kind: str | None = None) -> RequestStats:
        where, params = "created_at >= ?", list[object]([since])
        if kind is not None:
            where += " AND kind = ?"
            params.append(kind)
        outcomes = await self.db.fetchall(
            f"SELECT outcome, count(*) AS n FROM requests WHERE {where} GROUP BY outcome",
            params,
        )
        users = await self.db.scalar(
            f"SELECT count(DISTINCT user_id) FROM requests WHERE {where}", params
        )
        latencies = [
            r[0]
            for r in await self.db.fetchall(
                f"SELECT latency_ms FROM requests WHERE {where} ORDER BY latency_ms", params
            )
        ]
        by_outcome = {r["outcome"]: int(r["n"]) for r in outcomes}
        return RequestStats(
            total=sum(by_outcome.values()),
            by_outcome=by_outcome,
            users=int(users or 0),
            latency_p50_ms=_percentile(latencies, 0.5),
            latency_p95_ms=_percentile(latencies, 0.95),
        )
