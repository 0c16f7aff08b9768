"""Who may use the bot: bans, the allowlist with its allow-only switch, daily quotas.

Checked by the bot's group −1 gate before any handler runs, so every lookup here is a
single indexed query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from storage.db import Database, read_time, utc_stamp

ALLOW_ONLY_FLAG = "allow_only"


@dataclass(frozen=True, slots=True)
class Ban:
    user_id: int
    reason: str | None
    banned_by: int
    banned_at: str


@dataclass(frozen=True, slots=True)
class QuotaState:
    """``limit`` None means unlimited; ``used`` counts articles on ``day`` (UTC)."""

    user_id: int
    limit: int | None
    used: int
    day: str

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(0, self.limit - self.used)


def utc_day(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).date().isoformat()


def _stamp(value: datetime | str) -> str:
    return utc_stamp(read_time(value))


class Moderation:
    def __init__(self, db: Database) -> None:
        self.db = db

    # bans -------------------------------------------------------------------------------
    async def ban(self, user_id: int, *, by: int, reason: str | None = None) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO bans(user_id, reason, banned_by, banned_at) VALUES (?, ?, ?, now())"
                " ON CONFLICT(user_id) DO UPDATE SET reason = excluded.reason,"
                " banned_by = excluded.banned_by,"
                " banned_at = now()",
                (user_id, reason, by),
            )

    async def unban(self, user_id: int) -> bool:
        """True if the user was banned."""
        async with self.db.transaction() as conn:
            cur = await conn.execute("DELETE FROM bans WHERE user_id = ?", (user_id,))
            return cur.rowcount > 0

    async def ban_of(self, user_id: int) -> Ban | None:
        row = await self.db.fetchone(
            "SELECT user_id, reason, banned_by, banned_at FROM bans WHERE user_id = ?",
            (user_id,),
        )
        return None if row is None else Ban(row[0], row[1], row[2], _stamp(row[3]))

    async def is_banned(self, user_id: int) -> bool:
        return bool(await self.db.scalar("SELECT 1 FROM bans WHERE user_id = ?", (user_id,)) == 1)

    async def bans(self) -> list[Ban]:
        rows = await self.db.fetchall(
            "SELECT user_id, reason, banned_by, banned_at FROM bans ORDER BY banned_at DESC"
        )
        return [Ban(r[0], r[1], r[2], _stamp(r[3])) for r in rows]

    # allowlist --------------------------------------------------------------------------
    async def allow(self, user_id: int, *, by: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO allowlist(user_id, added_by, added_at) VALUES (?, ?, now())"
                " ON CONFLICT DO NOTHING",
                (user_id, by),
            )

    async def disallow(self, user_id: int) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute("DELETE FROM allowlist WHERE user_id = ?", (user_id,))
            return cur.rowcount > 0

    async def is_allowlisted(self, user_id: int) -> bool:
        found = await self.db.scalar("SELECT 1 FROM allowlist WHERE user_id = ?", (user_id,))
        return bool(found == 1)

    async def set_allow_only(self, on: bool) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO admin_flags(name, value) VALUES (?, ?)"
                " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                (ALLOW_ONLY_FLAG, "1" if on else "0"),
            )

    async def allow_only(self) -> bool:
        value = await self.db.scalar(
            "SELECT value FROM admin_flags WHERE name = ?", (ALLOW_ONLY_FLAG,)
        )
        return bool(value == "1")

    async def may_use(self, user_id: int) -> bool:
        """Not banned, and allowlisted when allow-only mode is on."""
        row = await self.db.fetchone(
            "SELECT EXISTS(SELECT 1 FROM bans WHERE user_id = ?),"
            " COALESCE((SELECT value FROM admin_flags WHERE name = ?), '0'),"
            " EXISTS(SELECT 1 FROM allowlist WHERE user_id = ?)",
            (user_id, ALLOW_ONLY_FLAG, user_id),
        )
        assert row is not None
        banned, allow_only, allowlisted = row[0] == 1, row[1] == "1", row[2] == 1
        return not banned and (not allow_only or allowlisted)

    # quotas -----------------------------------------------------------------------------
    async def set_quota(self, user_id: int, limit: int | None, *, by: int) -> None:
        """``limit`` None removes the user's quota (unlimited)."""
        if limit is not None and limit < 0:
            raise ValueError("quota must be >= 0")
        async with self.db.transaction() as conn:
            if limit is None:
                await conn.execute("DELETE FROM quotas WHERE user_id = ?", (user_id,))
                return
            await conn.execute(
                "INSERT INTO quotas(user_id, daily_limit, set_by, set_at) VALUES (?, ?, ?, now())"
                " ON CONFLICT(user_id) DO UPDATE SET daily_limit = excluded.daily_limit,"
                " set_by = excluded.set_by, set_at = now()",
                (user_id, limit, by),
            )

    async def quota(self, user_id: int, *, now: datetime | None = None) -> QuotaState:
        day = utc_day(now)
        row = await self.db.fetchone(
            "SELECT (SELECT daily_limit FROM quotas WHERE user_id = ?),"
            " COALESCE((SELECT used FROM quota_usage WHERE user_id = ? AND day = ?), 0)",
            (user_id, user_id, day),
        )
        assert row is not None
        return QuotaState(user_id, row[0], row[1], day)

    async def consume(self, user_id: int, n: int = 1, *, now: datetime | None = None) -> bool:
        """Count ``n`` articles against today's quota; False (nothing counted) if over it.

        Check and increment happen in one write transaction, so two messages racing for
        the last article cannot both pass.
        """
        day = utc_day(now)
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT (SELECT daily_limit FROM quotas WHERE user_id = ?),"
                " COALESCE((SELECT used FROM quota_usage WHERE user_id = ? AND day = ?), 0)",
                (user_id, user_id, day),
            ) as cur:
                row = await cur.fetchone()
            assert row is not None
            limit, used = row[0], row[1]
            if limit is not None and used + n > limit:
                return False
            await conn.execute(
                "INSERT INTO quota_usage(user_id, day, used) VALUES (?, ?, ?)"
                " ON CONFLICT(user_id, day) DO UPDATE SET used = quota_usage.used + excluded.used",
                (user_id, day, n),
            )
            # Old days are never read again; keep the table small.
            await conn.execute("DELETE FROM quota_usage WHERE day < ?", (_days_before(day, 7),))
            return True


def _days_before(day: str, n: int) -> str:
    return date.fromordinal(date.fromisoformat(day).toordinal() - n).isoformat()
