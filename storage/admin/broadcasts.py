"""Broadcasts and their per-recipient delivery rows.

A broadcast is a draft until confirmed; confirming it snapshots the audience into
``broadcast_deliveries`` (one row per recipient, ``pending``). The sender claims a row
(``sending``), sends, then records ``sent`` / ``blocked`` / ``failed``. A restart resumes
from the ``pending`` rows only. A row left ``sending`` by a crash may or may not have
reached Telegram, which gives no idempotency key; it is closed as ``failed`` rather than
resent, because a duplicate broadcast is worse than a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from storage.db import Database
from storage.errors import NotFound

Audience = Literal["users", "chats"]
BroadcastState = Literal["draft", "sending", "done", "cancelled"]
DeliveryStatus = Literal["pending", "sending", "sent", "blocked", "failed"]
INTERRUPTED = "interrupted by a restart; delivery unknown, not resent"


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    text: str
    audience: Audience
    state: BroadcastState
    created_by: int
    progress_chat_id: int | None
    progress_message_id: int | None


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    pending: int = 0
    sending: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.sending + self.sent + self.blocked + self.failed

    @property
    def done(self) -> int:
        return self.sent + self.blocked + self.failed


_COLUMNS = "id, text, audience, state, created_by, progress_chat_id, progress_message_id"


class BroadcastStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, text: str, audience: Audience, *, created_by: int) -> int:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO broadcasts(text, audience, created_by, created_at)"
                " VALUES (?, ?, ?, now())"
                " RETURNING id",
                (text, audience, created_by),
            )
            row = await cur.fetchone()
            assert row is not None
            return int(row[0])

    async def get(self, broadcast_id: int) -> Broadcast:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,)
        )
        if row is None:
            raise NotFound("broadcast", broadcast_id)
        return Broadcast(*row)

    async def start(self, broadcast_id: int, recipients: list[int]) -> bool:
        """Draft → sending with one pending row per recipient; False if not a draft.

        Recipients already marked unreachable (blocked the bot) are skipped.
        """
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE broadcasts SET state = 'sending',"
                " started_at = now()"
                " WHERE id = ? AND state = 'draft'",
                (broadcast_id,),
            )
            if cur.rowcount == 0:
                return False
            await conn.executemany(
                "INSERT INTO broadcast_deliveries(broadcast_id, recipient_id)"
                " SELECT ?, ? WHERE NOT EXISTS"
                " (SELECT 1 FROM unreachable_recipients WHERE recipient_id = ?)"
                " ON CONFLICT DO NOTHING",
                [(broadcast_id, r, r) for r in dict.fromkeys(recipients)],
            )
            return True

    async def cancel(self, broadcast_id: int) -> bool:
        """Cancel a draft or a running broadcast; pending rows stay unsent."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE broadcasts SET state = 'cancelled',"
                " finished_at = now()"
                " WHERE id = ? AND state IN ('draft', 'sending')",
                (broadcast_id,),
            )
            return cur.rowcount > 0

    async def finish(self, broadcast_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE broadcasts SET state = 'done',"
                " finished_at = now()"
                " WHERE id = ? AND state = 'sending'",
                (broadcast_id,),
            )

    async def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
                (chat_id, message_id, broadcast_id),
            )

    async def unfinished(self) -> list[Broadcast]:
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE state = 'sending' ORDER BY id"
        )
        return [Broadcast(*r) for r in rows]

    async def recover_interrupted(self, broadcast_id: int) -> int:
        """Close rows left in flight by a crash as failed (see module doc); their number."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE broadcast_deliveries SET status = 'failed', error = ?,"
                " updated_at = now()"
                " WHERE broadcast_id = ? AND status = 'sending'",
                (INTERRUPTED, broadcast_id),
            )
            return cur.rowcount

    async def pending(self, broadcast_id: int, limit: int = 100) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT recipient_id FROM broadcast_deliveries"
            " WHERE broadcast_id = ? AND status = 'pending' ORDER BY recipient_id LIMIT ?",
            (broadcast_id, limit),
        )
        return [r[0] for r in rows]

    async def claim(self, broadcast_id: int, recipient_id: int) -> bool:
        """pending → sending; False if someone else already took it (or it is done)."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE broadcast_deliveries SET status = 'sending', attempts = attempts + 1,"
                " updated_at = now()"
                " WHERE broadcast_id = ? AND recipient_id = ? AND status = 'pending'",
                (broadcast_id, recipient_id),
            )
            return cur.rowcount == 1

    async def release(self, broadcast_id: int, recipient_id: int) -> None:
        """sending → pending: the send was not attempted (e.g. RetryAfter before it left)."""
        await self._set(broadcast_id, recipient_id, "pending", None)

    async def mark(
        self, broadcast_id: int, recipient_id: int, status: DeliveryStatus, error: str | None = None
    ) -> None:
        await self._set(broadcast_id, recipient_id, status, error)
        if status == "blocked":
            async with self.db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO unreachable_recipients(recipient_id, reason, since)"
                    " VALUES (?, ?, now()) ON CONFLICT (recipient_id)"
                    " DO UPDATE SET reason = excluded.reason, since = excluded.since",
                    (recipient_id, error or "blocked"),
                )

    async def _set(
        self, broadcast_id: int, recipient_id: int, status: DeliveryStatus, error: str | None
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE broadcast_deliveries SET status = ?, error = ?,"
                " updated_at = now()"
                " WHERE broadcast_id = ? AND recipient_id = ?",
                (status, error, broadcast_id, recipient_id),
            )

    async def counts(self, broadcast_id: int) -> DeliveryCounts:
        rows = await self.db.fetchall(
            "SELECT status, count(*) FROM broadcast_deliveries WHERE broadcast_id = ?"
            " GROUP BY status",
            (broadcast_id,),
        )
        return DeliveryCounts(**{r[0]: r[1] for r in rows})

    async def statuses(self, broadcast_id: int) -> dict[int, DeliveryStatus]:
        rows = await self.db.fetchall(
            "SELECT recipient_id, status FROM broadcast_deliveries WHERE broadcast_id = ?",
            (broadcast_id,),
        )
        return {r[0]: r[1] for r in rows}

    async def forget_unreachable(self, recipient_id: int) -> None:
        """A user who blocked the bot came back (e.g. sent /start)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM unreachable_recipients WHERE recipient_id = ?", (recipient_id,)
            )
