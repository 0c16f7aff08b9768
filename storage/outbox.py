"""The outbox: every message the bot owes a chat (digest parts, instant feed posts), recorded
before it is sent, so any number of workers send each exactly once — or, for the one call a
dead worker left unanswered, at most once and reported.

A row's life::

    pending ──claim──► pending, worker = W ──begin──► sending ──► sent (message_id)
       ▲                                                 │
       └──────── 429 / network failure: not_before ◄─────┤──► failed (refused for good)
                                                         └──► ambiguous (W died, or timed out)

- :meth:`Outbox.claim` takes the first open row of a chat whose earlier rows are all done
  (a chat's messages go out in order), due (``not_before``), in an active chat, and not
  claimed by a live worker; concurrent claimers skip each other's rows (PostgreSQL
  ``FOR UPDATE SKIP LOCKED``, SQLite's exclusive write transaction). A row claimed by a
  worker that died before :meth:`Outbox.begin` is simply claimed again.
- :meth:`Outbox.begin` commits ``sending`` right before the Bot API call. Found in
  ``sending`` with its worker dead (:meth:`Outbox.reap`), a row may or may not have reached
  the chat: it becomes ``ambiguous`` and is reported, never sent again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage.db import Connection, Database, Record, read_time
from storage.subscriptions import aware, optional_time, utcnow
from storage.workers import Worker

State = Literal["pending", "sending", "sent", "ambiguous", "failed"]
OPEN = ("pending", "sending")
DEAD_DURING_SEND = "ambiguous: worker died during send"


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    id: int
    chat_id: int
    key: str
    digest_id: int | None
    seq: int
    html: str
    state: State
    worker: int | None
    attempts: int
    not_before: datetime
    message_id: int | None
    error: str | None
    reported_at: datetime | None

    @property
    def done(self) -> bool:
        return self.state not in OPEN


def _entry(row: Record) -> OutboxEntry:
    return OutboxEntry(
        id=row["id"],
        chat_id=row["chat_id"],
        key=row["key"],
        digest_id=row["digest_id"],
        seq=row["seq"],
        html=row["html"],
        state=row["state"],
        worker=row["worker"],
        attempts=row["attempts"],
        not_before=read_time(row["not_before"]),
        message_id=row["message_id"],
        error=row["error"],
        reported_at=optional_time(row["reported_at"]),
    )


async def add(
    conn: Connection,
    chat_id: int,
    key: str,
    html: str,
    *,
    digest_id: int | None = None,
    seq: int = 0,
    now: datetime | None = None,
) -> bool:
    """Owe ``chat_id`` a message, in the caller's transaction; False when ``key`` is
    already owed (or sent): one message per key, whoever records it."""
    stamp = aware(now or utcnow())
    cur = await conn.execute(
        "INSERT INTO outbox (chat_id, key, digest_id, seq, html, not_before, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        (chat_id, key, digest_id, seq, html, stamp, stamp, stamp),
    )
    return cur.rowcount > 0


class Outbox:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        chat_id: int,
        key: str,
        html: str,
        *,
        digest_id: int | None = None,
        seq: int = 0,
        now: datetime | None = None,
    ) -> bool:
        async with self.db.transaction() as conn:
            return await add(conn, chat_id, key, html, digest_id=digest_id, seq=seq, now=now)

    async def claim(
        self, worker: Worker, *, now: datetime | None = None, digest_id: int | None = None
    ) -> OutboxEntry | None:
        """The next row this worker may send (see the module docstring), now claimed."""
        only = " AND o.digest_id = ?" if digest_id is not None else ""
        sql = (
            "UPDATE outbox SET worker = ?, updated_at = ? WHERE id = (SELECT o.id FROM outbox"
            " AS o WHERE o.state = 'pending' AND o.not_before <= ?"
            f" AND (o.worker IS NULL OR {worker.dead('o.worker')}){only}"
            " AND NOT EXISTS (SELECT 1 FROM outbox AS p WHERE p.chat_id = o.chat_id"
            " AND p.id < o.id AND p.state IN ('pending', 'sending'))"
            " AND NOT EXISTS (SELECT 1 FROM subscriptions AS s WHERE s.chat_id = o.chat_id"
            f" AND s.state != 'active') ORDER BY o.id LIMIT 1{self.db.backend.skip_locked})"
            " AND state = 'pending' RETURNING *"
        )
        stamp = aware(now or utcnow())
        params: tuple[object, ...] = (worker.key, stamp, stamp)
        if digest_id is not None:
            params += (digest_id,)
        async with self.db.transaction() as conn:
            row = await conn.fetchone(sql, params)
        return None if row is None else _entry(row)

    async def begin(self, entry: OutboxEntry, worker: Worker) -> bool:
        """``sending``, committed right before the Bot API call; False if the claim was
        lost (the row is not this worker's any more)."""
        return await self._move(
            entry, worker, "sending", "state = 'pending'", attempts="attempts + 1"
        )

    async def release(self, entry: OutboxEntry, worker: Worker) -> None:
        """Give a claimed, not yet begun row back (the worker is stopping)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET worker = NULL WHERE id = ? AND worker = ? AND state = 'pending'",
                (entry.id, worker.key),
            )

    async def sent(self, entry: OutboxEntry, worker: Worker, message_id: int | None) -> None:
        # also over 'ambiguous': a worker thought dead (its session lost) did send it
        await self._move(
            entry, worker, "sent", "state IN ('sending', 'ambiguous')", message_id=message_id
        )

    async def retry(
        self, entry: OutboxEntry, worker: Worker, not_before: datetime, error: str
    ) -> None:
        """Not sent (Telegram said so): pending again, for anyone, from ``not_before``."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET state = 'pending', worker = NULL, not_before = ?, error = ?,"
                " updated_at = ? WHERE id = ? AND worker = ? AND state IN ('pending', 'sending')",
                (aware(not_before), error[:300], aware(utcnow()), entry.id, worker.key),
            )

    async def fail(self, entry: OutboxEntry, worker: Worker, error: str) -> None:
        await self._move(entry, worker, "failed", "state IN ('pending', 'sending')", error=error)

    async def ambiguous(self, entry: OutboxEntry, worker: Worker, error: str) -> None:
        await self._move(entry, worker, "ambiguous", "state = 'sending'", error=error)

    async def reap(self, worker: Worker) -> list[OutboxEntry]:
        """Rows left ``sending`` by dead workers: now ``ambiguous`` (never sent again)."""
        async with self.db.transaction() as conn:
            rows = await conn.fetchall(
                "UPDATE outbox SET state = 'ambiguous', error = ?, updated_at = ?"
                f" WHERE state = 'sending' AND worker != ? AND {worker.dead()} RETURNING *",
                (DEAD_DURING_SEND, aware(utcnow()), worker.key),
            )
        return sorted((_entry(r) for r in rows), key=lambda e: e.id)

    async def claim_reports(self, limit: int = 20) -> list[OutboxEntry]:
        """Ambiguous rows nobody reported yet, now marked reported (one reporter each)."""
        sql = (
            "UPDATE outbox SET reported_at = ? WHERE id IN (SELECT id FROM outbox"
            " WHERE state = 'ambiguous' AND reported_at IS NULL ORDER BY id LIMIT ?"
            f"{self.db.backend.skip_locked}) RETURNING *"
        )
        async with self.db.transaction() as conn:
            rows = await conn.fetchall(sql, (aware(utcnow()), limit))
        return sorted((_entry(r) for r in rows), key=lambda e: e.id)

    async def unreport(self, entries: Sequence[OutboxEntry]) -> None:
        """The report did not go out: let the next try report them."""
        async with self.db.transaction() as conn:
            for entry in entries:
                await conn.execute("UPDATE outbox SET reported_at = NULL WHERE id = ?", (entry.id,))

    async def next_due(self, digest_id: int | None = None) -> datetime | None:
        """When the earliest open, unsent row may be tried (None: nothing open)."""
        only = " AND digest_id = ?" if digest_id is not None else ""
        value = await self.db.scalar(
            f"SELECT min(not_before) FROM outbox WHERE state = 'pending'{only}"
            " AND chat_id NOT IN (SELECT chat_id FROM subscriptions WHERE state != 'active')",
            () if digest_id is None else (digest_id,),
        )
        return None if value is None else read_time(value)

    async def get(self, entry_id: int) -> OutboxEntry | None:
        row = await self.db.fetchone("SELECT * FROM outbox WHERE id = ?", (entry_id,))
        return None if row is None else _entry(row)

    async def by_key(self, key: str) -> OutboxEntry | None:
        row = await self.db.fetchone("SELECT * FROM outbox WHERE key = ?", (key,))
        return None if row is None else _entry(row)

    async def for_digest(self, digest_id: int) -> list[OutboxEntry]:
        rows = await self.db.fetchall(
            "SELECT * FROM outbox WHERE digest_id = ? ORDER BY seq", (digest_id,)
        )
        return [_entry(r) for r in rows]

    async def for_chat(self, chat_id: int) -> list[OutboxEntry]:
        rows = await self.db.fetchall(
            "SELECT * FROM outbox WHERE chat_id = ? ORDER BY id", (chat_id,)
        )
        return [_entry(r) for r in rows]

    async def _move(
        self, entry: OutboxEntry, worker: Worker, state: State, when: str, **values: object
    ) -> bool:
        # Column names and expressions come from this module, never from input.
        sets = "".join(
            f", {name} = {value}" if name == "attempts" else f", {name} = ?"
            for name, value in values.items()
        )
        params = [v for name, v in values.items() if name != "attempts"]
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                f"UPDATE outbox SET state = ?, updated_at = ?{sets}"
                f" WHERE id = ? AND worker = ? AND {when}",
                (state, aware(utcnow()), *params, entry.id, worker.key),
            )
            return cur.rowcount > 0
