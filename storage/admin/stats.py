"""Bot-wide statistics for ``/stats`` and ``zhaiyao admin stats``, in a few queries.

Reads the tables other features own (users/chats, articles, the request log); a table
that is not there yet (feature not installed) counts as empty rather than failing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from storage.db import Database

TOP_DOMAINS = 5
#: Request outcomes that are not failures (storage/migrations/0002_requests.sql).
SUCCESS_OUTCOMES = frozenset({"ok", "duplicate"})


@dataclass(frozen=True, slots=True)
class BotStats:
    users: int
    chats: int
    articles: int
    requests_today: int
    requests_7d: int
    failures_7d: tuple[tuple[str, int], ...]  # (reason, count), most frequent first
    latency_p50_ms: float | None  # over the last 7 days' successful requests
    latency_p95_ms: float | None
    top_domains_7d: tuple[tuple[str, int], ...]
    banned: int
    db_bytes: int


async def _tables(db: Database) -> set[str]:
    return await db.table_names()


async def _count(db: Database, tables: set[str], table: str, where: str = "") -> int:
    if table not in tables:
        return 0
    return int(await db.scalar(f"SELECT count(*) FROM {table} {where}") or 0)


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil(n*q/100), at least 1
    return sorted_values[int(rank) - 1]


def domain_of(url: str) -> str | None:
    host = urlsplit(url).hostname
    if not host:
        return None
    return host.removeprefix("www.")


async def database_bytes(db: Database) -> int:
    return await db.backend.database_bytes(db)


async def collect_stats(db: Database, *, now: datetime | None = None) -> BotStats:
    now = (now or datetime.now(UTC)).astimezone(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week_ago = now - timedelta(days=7)
    tables = await _tables(db)
    users = await _count(db, tables, "users")
    chats = await _count(db, tables, "chats", "WHERE type != 'private'")
    articles = await _count(db, tables, "articles")
    banned = await _count(db, tables, "bans")
    today = week = 0
    failures: list[tuple[str, int]] = []
    latencies: list[float] = []
    domains: Counter[str] = Counter()
    if "requests" in tables:
        today = int(
            await db.scalar("SELECT count(*) FROM requests WHERE created_at >= ?", (midnight,))
        )
        rows = await db.fetchall(
            "SELECT kind, target, outcome, latency_ms, error FROM requests WHERE created_at >= ?",
            (week_ago,),
        )
        week = len(rows)
        reasons: Counter[str] = Counter()
        for kind, target, outcome, latency, error in rows:
            if outcome in SUCCESS_OUTCOMES:
                if latency is not None:
                    latencies.append(float(latency))
            else:
                reasons[error or outcome] += 1
            if kind == "url" and target and (domain := domain_of(target)):
                domains[domain] += 1
        failures = reasons.most_common()
        latencies.sort()
    return BotStats(
        users=users,
        chats=chats,
        articles=articles,
        requests_today=today,
        requests_7d=week,
        failures_7d=tuple(failures),
        latency_p50_ms=percentile(latencies, 50),
        latency_p95_ms=percentile(latencies, 95),
        top_domains_7d=tuple(domains.most_common(TOP_DOMAINS)),
        banned=banned,
        db_bytes=await database_bytes(db),
    )
