"""Digest subscriptions, the per-chat story log and the digest delivery log.

A chat has at most one :class:`Subscription` (its schedule and digest settings). Stories
reach a chat's log when a member shares them or a chat feed brings them. A :class:`Digest`
slot is claimed by one worker, then recorded with all its rendered messages in the outbox
(:mod:`storage.outbox`) *before* sending, so any worker, or a restart, sends what is still
owed, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from storage.db import Database, Record, read_time
from storage.errors import NotFound
from storage.workers import Worker

ChatKind = Literal["group", "channel", "private"]
ChatState = Literal["active", "paused", "gone"]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# What else, besides the chat, makes a row unique: a moved row that would clash is dropped.
_CHAT_KEYS = {
    "subscriptions": (),
    "chat_stories": ("article_id",),
    "feeds": ("url",),
    "digests": ("slot",),
    "outbox": ("key",),
}
SETTING_FIELDS = frozenset({"tz", "language", "stories", "summary_chars", "entities"})


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """``moment`` checked to carry its zone (a naive time is a bug, not UTC, here)."""
    if moment is not None and moment.tzinfo is None:
        raise ValueError("naive datetime; pass an aware one")
    return moment


def optional_time(value: datetime | str | None) -> datetime | None:
    return None if value is None else read_time(value)


@dataclass(frozen=True, slots=True)
class Subscription:
    chat_id: int
    kind: ChatKind
    title: str | None
    schedule: str
    tz: str
    language: str
    stories: int
    summary_chars: int
    entities: bool
    state: ChatState
    configured_by: int | None
    last_digest_at: datetime | None
    next_run_at: datetime | None


@dataclass(frozen=True, slots=True)
class Arrival:
    """A story reaching a chat (shared by a member, or from a feed): an event the digest
    reads, not a story to show (the digest builds a ``ListedStory`` from it)."""

    article_id: int
    shared_at: datetime
    via: str


@dataclass(frozen=True, slots=True)
class DigestMessage:
    seq: int
    html: str
    message_id: int | None
    state: str  # the outbox row's: pending, sending, sent, ambiguous, failed

    @property
    def delivered(self) -> bool:
        return self.state == "sent"

    @property
    def owed(self) -> bool:
        return self.state in ("pending", "sending")


@dataclass(frozen=True, slots=True)
class Digest:
    id: int
    chat_id: int
    slot: str
    period_start: datetime | None
    period_end: datetime
    stories: int
    completed: bool
    messages: tuple[DigestMessage, ...]

    @property
    def pending(self) -> tuple[DigestMessage, ...]:
        return tuple(m for m in self.messages if m.owed)


@dataclass(frozen=True, slots=True)
class SlotClaim:
    digest_id: int
    state: Literal["mine", "recorded", "busy"]  # busy: a live worker is composing it


def _subscription(row: Record) -> Subscription:
    return Subscription(
        chat_id=row["chat_id"],
        kind=row["kind"],
        title=row["title"],
        schedule=row["schedule"],
        tz=row["tz"],
        language=row["language"],
        stories=row["stories"],
        summary_chars=row["summary_chars"],
        entities=bool(row["entities"]),
        state=row["state"],
        configured_by=row["configured_by"],
        last_digest_at=optional_time(row["last_digest_at"]),
        next_run_at=optional_time(row["next_run_at"]),
    )


class SubscriptionRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, chat_id: int) -> Subscription:
        row = await self.db.fetchone("SELECT * FROM subscriptions WHERE chat_id = ?", (chat_id,))
        if row is None:
            raise NotFound("subscription", chat_id)
        return _subscription(row)

    async def find(self, chat_id: int) -> Subscription | None:
        row = await self.db.fetchone("SELECT * FROM subscriptions WHERE chat_id = ?", (chat_id,))
        return None if row is None else _subscription(row)

    async def ensure(
        self,
        chat_id: int,
        kind: ChatKind,
        *,
        title: str | None = None,
        configured_by: int | None = None,
        now: datetime | None = None,
    ) -> Subscription:
        """Create the chat's subscription (schedule off) or revive a gone/paused one."""
        stamp = aware(now or utcnow())
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO subscriptions(chat_id, kind, title, configured_by, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(chat_id) DO UPDATE SET"
                " kind = excluded.kind, title = coalesce(excluded.title, subscriptions.title),"
                " configured_by = coalesce(excluded.configured_by, subscriptions.configured_by),"
                " state = 'active', updated_at = excluded.updated_at",
                (chat_id, kind, title, configured_by, stamp, stamp),
            )
        return await self.get(chat_id)

    async def set_schedule(
        self, chat_id: int, spec: str, next_run_at: datetime | None
    ) -> Subscription:
        await self._update(chat_id, schedule=spec, next_run_at=aware(next_run_at))
        return await self.get(chat_id)

    async def set_next_run(self, chat_id: int, next_run_at: datetime | None) -> None:
        await self._update(chat_id, next_run_at=aware(next_run_at))

    async def advance_next_run(
        self, chat_id: int, slot: datetime, next_run_at: datetime | None
    ) -> bool:
        """Move the schedule past ``slot``, unless it already moved (another worker ran
        the same slot, or the schedule changed meanwhile)."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE subscriptions SET next_run_at = ?, updated_at = ?"
                " WHERE chat_id = ? AND next_run_at = ?",
                (aware(next_run_at), aware(utcnow()), chat_id, aware(slot)),
            )
            return cur.rowcount > 0

    async def update_settings(self, chat_id: int, **values: Any) -> Subscription:
        unknown = set(values) - SETTING_FIELDS
        if unknown:
            raise ValueError(f"unknown digest settings: {sorted(unknown)}")
        if "entities" in values:
            values["entities"] = int(bool(values["entities"]))
        await self._update(chat_id, **values)
        return await self.get(chat_id)

    async def set_state(self, chat_id: int, state: ChatState) -> None:
        await self._update(chat_id, state=state)

    async def mark_digest_done(self, chat_id: int, at: datetime) -> None:
        await self._update(chat_id, last_digest_at=aware(at))

    async def scheduled(self) -> list[Subscription]:
        """Active chats with a schedule: what start-up puts back on the job queue."""
        rows = await self.db.fetchall(
            "SELECT * FROM subscriptions WHERE state = 'active' AND schedule != 'off'"
            " ORDER BY chat_id"
        )
        return [_subscription(r) for r in rows]

    async def move_chat(self, old: int, new: int) -> None:
        """A group became a supergroup (new chat id): its subscription, story log, feeds and
        digests follow it. Rows the new id already has win."""
        async with self.db.transaction() as conn:
            for table, keys in _CHAT_KEYS.items():
                same = "".join(f" AND t.{k} = {table}.{k}" for k in keys)
                await conn.execute(
                    f"UPDATE {table} SET chat_id = ? WHERE chat_id = ? AND NOT EXISTS"
                    f" (SELECT 1 FROM {table} AS t WHERE t.chat_id = ?{same})",
                    (new, old, new),
                )
                await conn.execute(f"DELETE FROM {table} WHERE chat_id = ?", (old,))

    async def _update(self, chat_id: int, **values: Any) -> None:
        # Column names come from this module's callers only (checked above), never from users.
        assignments = ", ".join(f"{name} = ?" for name in values)
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                f"UPDATE subscriptions SET {assignments}, updated_at = ? WHERE chat_id = ?",
                (*values.values(), aware(utcnow()), chat_id),
            )
            if cur.rowcount == 0:
                raise NotFound("subscription", chat_id)

    # -- stories that reached a chat -------------------------------------------------------

    async def record_story(
        self, chat_id: int, article_id: int, *, via: str = "share", at: datetime | None = None
    ) -> bool:
        """Log that a story reached the chat; False when it was already there."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO chat_stories(chat_id, article_id, shared_at, via)"
                " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (chat_id, article_id, aware(at or utcnow()), via),
            )
            return cur.rowcount > 0

    async def stories_between(
        self, chat_id: int, since: datetime | None, until: datetime
    ) -> list[Arrival]:
        """Stories that reached the chat in ``(since, until]``, first arrival of each.

        Besides this module's log (feed items), stories members shared are read from the
        request log (storage/requests.py: every card the bot answered has chat_id and
        article_id), so the chat handlers need no digest-specific hook."""
        rows = await self.db.fetchall(
            "SELECT article_id, shared_at, via FROM chat_stories WHERE chat_id = ?"
            " AND shared_at > ? AND shared_at <= ?",
            (chat_id, aware(since) or _EPOCH, aware(until)),
        )
        found = [Arrival(r[0], read_time(r[1]), r[2]) for r in rows]
        rows = await self.db.fetchall(
            "SELECT article_id, min(created_at) FROM requests WHERE chat_id = ?"
            " AND article_id IS NOT NULL AND created_at > ? AND created_at <= ?"
            " GROUP BY article_id",
            (chat_id, since or _EPOCH, until),
        )
        found += [Arrival(article_id, read_time(at), "share") for article_id, at in rows]
        first: dict[int, Arrival] = {}
        for story in sorted(found, key=lambda s: s.shared_at):
            first.setdefault(story.article_id, story)
        return list(first.values())


class DigestLog:
    """Digests claimed per (chat, slot), then recorded (every message in the outbox) before
    anything is sent.

    :meth:`claim` inserts the slot's row (``UNIQUE(chat_id, slot)``) as ``composing`` by a
    worker; whoever inserts it composes, everyone else finds it claimed. A claim left by a
    dead worker is taken over; :meth:`record` turns it into ``recorded`` with its messages
    in the outbox, in one transaction that also consumes the chat's period."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(
        self, chat_id: int, slot: str, worker: Worker, *, now: datetime | None = None
    ) -> SlotClaim:
        stamp = aware(now or utcnow())
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO digests(chat_id, slot, period_end, stories, created_at, state,"
                " worker) VALUES (?, ?, ?, 0, ?, 'composing', ?)"
                " ON CONFLICT DO NOTHING RETURNING id",
                (chat_id, slot, stamp, stamp, worker.key),
            )
            created = await cur.fetchone()
            if created is not None:
                return SlotClaim(created[0], "mine")
            row = await conn.fetchone(
                "SELECT id, state, worker FROM digests WHERE chat_id = ? AND slot = ?",
                (chat_id, slot),
            )
            assert row is not None  # the conflict was this row
            if row["state"] == "recorded":
                return SlotClaim(row["id"], "recorded")
            if row["worker"] == worker.key:
                return SlotClaim(row["id"], "mine")
            cur = await conn.execute(
                "UPDATE digests SET worker = ?, created_at = ? WHERE id = ?"
                f" AND state = 'composing' AND (worker IS NULL OR {worker.dead()})",
                (worker.key, stamp, row["id"]),
            )
            return SlotClaim(row["id"], "mine" if cur.rowcount else "busy")

    async def record_claimed(
        self,
        digest_id: int,
        worker: Worker,
        period_start: datetime | None,
        period_end: datetime,
        stories: int,
        messages: Sequence[str],
        *,
        now: datetime | None = None,
    ) -> bool:
        """Record the claimed digest's messages in the outbox; False if the claim was lost
        (another worker took it over, thinking this one dead)."""
        async with self.db.transaction() as conn:
            row = await conn.fetchone(
                "UPDATE digests SET state = 'recorded', period_start = ?, period_end = ?,"
                " stories = ?, created_at = ? WHERE id = ? AND state = 'composing'"
                " AND worker = ? RETURNING chat_id",
                (
                    aware(period_start),
                    aware(period_end),
                    stories,
                    aware(now or utcnow()),
                    digest_id,
                    worker.key,
                ),
            )
            if row is None:
                return False
            from storage.outbox import add as owe  # (the outbox reads this module's helpers)

            chat_id = row[0]
            for seq, html in enumerate(messages):
                await owe(
                    conn, chat_id, f"digest:{digest_id}:{seq}", html, digest_id=digest_id, seq=seq
                )
            # The period is consumed in the same transaction that records the digest.
            await conn.execute(
                "UPDATE subscriptions SET last_digest_at = ? WHERE chat_id = ?",
                (aware(period_end), chat_id),
            )
        return True

    async def release(self, digest_id: int, worker: Worker) -> None:
        """Give up a claim (nothing to send, or composing failed): the slot is free."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM digests WHERE id = ? AND state = 'composing' AND worker = ?",
                (digest_id, worker.key),
            )

    async def record(
        self,
        chat_id: int,
        slot: str,
        period_start: datetime | None,
        period_end: datetime,
        stories: int,
        messages: Sequence[str],
        *,
        worker: Worker,
        now: datetime | None = None,
    ) -> Digest:
        """Claim and record ``slot`` at once; an existing digest wins, so recording the
        same slot twice owes nothing new."""
        claim = await self.claim(chat_id, slot, worker, now=now)
        if claim.state == "mine":
            await self.record_claimed(
                claim.digest_id, worker, period_start, period_end, stories, messages, now=now
            )
        return await self.get(claim.digest_id)

    async def orphaned(self, worker: Worker) -> list[tuple[int, str]]:
        """(chat, slot) of digests a dead worker was composing."""
        rows = await self.db.fetchall(
            "SELECT chat_id, slot FROM digests WHERE state = 'composing'"
            f" AND (worker IS NULL OR {worker.dead()}) ORDER BY id"
        )
        return [(r[0], r[1]) for r in rows]

    async def exists(self, chat_id: int, slot: str) -> bool:
        row = await self.db.fetchone(
            "SELECT 1 FROM digests WHERE chat_id = ? AND slot = ? AND state = 'recorded'",
            (chat_id, slot),
        )
        return row is not None

    async def for_slot(self, chat_id: int, slot: str) -> Digest:
        row = await self.db.fetchone(
            "SELECT id FROM digests WHERE chat_id = ? AND slot = ?", (chat_id, slot)
        )
        if row is None:
            raise NotFound("digest", (chat_id, slot))
        return await self.get(row[0])

    async def get(self, digest_id: int) -> Digest:
        row = await self.db.fetchone("SELECT * FROM digests WHERE id = ?", (digest_id,))
        if row is None:
            raise NotFound("digest", digest_id)
        messages = await self.db.fetchall(
            "SELECT seq, html, message_id, state FROM outbox WHERE digest_id = ? ORDER BY seq",
            (digest_id,),
        )
        return Digest(
            id=row["id"],
            chat_id=row["chat_id"],
            slot=row["slot"],
            period_start=optional_time(row["period_start"]),
            period_end=read_time(row["period_end"]),
            stories=row["stories"],
            completed=row["completed_at"] is not None,
            messages=tuple(DigestMessage(m[0], m[1], m[2], m[3]) for m in messages),
        )

    async def complete_if_sent(self, digest_id: int, *, at: datetime | None = None) -> bool:
        """Mark the digest complete once none of its messages is still owed."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE digests SET completed_at = ? WHERE id = ? AND completed_at IS NULL"
                " AND state = 'recorded' AND NOT EXISTS (SELECT 1 FROM outbox WHERE"
                " digest_id = ? AND state IN ('pending', 'sending'))",
                (aware(at or utcnow()), digest_id, digest_id),
            )
            return cur.rowcount > 0

    async def unfinished(self) -> list[Digest]:
        """Digests recorded but not fully delivered (resumed at start-up)."""
        rows = await self.db.fetchall(
            "SELECT id FROM digests WHERE completed_at IS NULL AND state = 'recorded' ORDER BY id"
        )
        return [await self.get(r[0]) for r in rows]

    async def count(self, chat_id: int) -> int:
        return int(
            await self.db.scalar(
                "SELECT count(*) FROM digests WHERE chat_id = ? AND state = 'recorded'",
                (chat_id,),
            )
        )
