"""Telegram updates claimed by webhook workers: each update id is handled at most once.

A worker claims an update with ``INSERT … ON CONFLICT DO NOTHING`` before handling it (a
redelivered or duplicated update finds the row and is answered 200 without handling), marks
it ``sending`` just before its first Bot API call that changes a chat (back to ``claimed``
if Telegram refused every such call so far), and ``done`` after.

A claim names its worker's key (:class:`storage.workers.Worker`: on PostgreSQL a session
advisory lock the server drops when the process dies, however it dies; on SQLite, with one
bot process, the workers this process started). :meth:`UpdateClaims.take_abandoned` moves
the claims of dead (or released) holders to the caller: a ``claimed`` one is handled again
(nothing of it reached Telegram), a ``sending`` one becomes ``ambiguous`` — a call may have
reached Telegram, so it is not repeated but reported. Rows expire after a day
(:meth:`expire`): Telegram stops redelivering an update long before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.db import Connection, Database
from storage.workers import Worker

KEEP = timedelta(days=1)
TAKE_BATCH = 50
WEBHOOK_LOCK = 0x7A68_6177  # "zhaw": held while one worker sets the webhook


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class TakenUpdate:
    """A claim moved to this worker: handle ``payload`` (the update's JSON) again."""

    update_id: int
    payload: str


@dataclass(frozen=True, slots=True)
class AmbiguousUpdate:
    """A claim whose worker died (or stopped) during a send: reported, never repeated."""

    update_id: int
    chat_id: int | None
    worker: str | None


@asynccontextmanager
async def first_worker(db: Database) -> AsyncIterator[bool]:
    """True for the one worker that holds the webhook lock for this block (PostgreSQL;
    always True on SQLite, where there is one process). The lock is held on a connection
    of its own, outside :meth:`Database.transaction`: the block calls the Bot API, whose
    rate limiter writes to the store."""
    if db.dialect != "postgresql":
        yield True
        return
    async with db.engine.connect() as raw:
        conn = await raw.execution_options(isolation_level="AUTOCOMMIT")
        got = (await conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({WEBHOOK_LOCK})")).scalar()
        try:
            yield bool(got)
        finally:
            if got:
                await conn.exec_driver_sql(f"SELECT pg_advisory_unlock({WEBHOOK_LOCK})")


class UpdateClaims:
    """Claims made as ``worker`` (its key), named ``name`` for people (logs, reports)."""

    def __init__(self, db: Database, worker: Worker, name: str | None = None) -> None:
        self.db = db
        self.worker_key = worker.key
        self.worker = name or worker.name
        self._liveness = worker

    async def alive(self) -> bool:
        """This worker still holds its liveness (else others may take its claims)."""
        return not await self.db.scalar(f"SELECT {self._liveness.dead(str(self.worker_key))}")

    async def claim(self, update_id: int, payload: str, chat_id: int | None) -> bool:
        """True if this worker now holds ``update_id``; False if any worker claimed it
        before (a duplicate: answer 200 and do nothing)."""
        async with self.db.transaction() as conn:
            row = await conn.fetchone(
                "INSERT INTO processed_updates"
                " (update_id, state, worker_key, worker, chat_id, payload, claimed_at)"
                " VALUES (?, 'claimed', ?, ?, ?, ?, ?)"
                " ON CONFLICT (update_id) DO NOTHING RETURNING update_id",
                (update_id, self.worker_key, self.worker, chat_id, payload, utcnow()),
            )
        return row is not None

    async def sending(self, update_id: int) -> None:
        """Its first chat-changing Bot API call is about to leave this worker."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE processed_updates SET state = 'sending'"
                " WHERE update_id = ? AND worker_key = ? AND state = 'claimed'",
                (update_id, self.worker_key),
            )

    async def unsend(self, update_id: int) -> None:
        """Every call it made so far was refused by Telegram: it may be handled again."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE processed_updates SET state = 'claimed'"
                " WHERE update_id = ? AND worker_key = ? AND state = 'sending'",
                (update_id, self.worker_key),
            )

    async def finish(self, update_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE processed_updates SET state = 'done', payload = NULL, finished_at = ?"
                " WHERE update_id = ? AND worker_key = ? AND state IN ('claimed', 'sending')",
                (utcnow(), update_id, self.worker_key),
            )

    async def release(self, update_ids: list[int]) -> list[AmbiguousUpdate]:
        """Stopping with these unfinished: ``claimed`` ones go back for any worker to
        take, ``sending`` ones become ambiguous (returned, to be reported)."""
        if not update_ids:
            return []
        where, params = self.db.backend.any_of("update_id", update_ids)
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE processed_updates SET worker_key = NULL, worker = NULL"
                f" WHERE {where} AND worker_key = ? AND state = 'claimed'",
                (*params, self.worker_key),
            )
            return await self._ambiguous(
                conn, f"{where} AND worker_key = ?", (*params, self.worker_key)
            )

    async def take_abandoned(self) -> tuple[list[TakenUpdate], list[AmbiguousUpdate]]:
        """Move the unfinished claims of dead or released holders to this worker."""
        # built now: on SQLite the SQL names the workers alive at this moment
        gone = f"(worker_key IS NULL OR {self._liveness.dead('worker_key')})"
        skip = self.db.backend.skip_locked
        async with self.db.transaction() as conn:
            rows = await conn.fetchall(
                "UPDATE processed_updates SET worker_key = ?, worker = ?,"
                " attempts = attempts + 1 WHERE update_id IN (SELECT update_id FROM"
                f" processed_updates WHERE state = 'claimed' AND {gone} ORDER BY update_id"
                f" LIMIT {TAKE_BATCH}{skip}) AND state = 'claimed' AND {gone}"
                " RETURNING update_id, payload",
                (self.worker_key, self.worker),
            )
            ambiguous = await self._ambiguous(conn, gone, ())
        taken = sorted((TakenUpdate(r[0], r[1]) for r in rows), key=lambda t: t.update_id)
        return taken, ambiguous

    async def _ambiguous(
        self, conn: Connection, where: str, params: tuple[Any, ...]
    ) -> list[AmbiguousUpdate]:
        rows = await conn.fetchall(
            "UPDATE processed_updates SET state = 'ambiguous', payload = NULL, finished_at = ?"
            f" WHERE {where} AND state = 'sending' RETURNING update_id, chat_id, worker",
            (utcnow(), *params),
        )
        return sorted((AmbiguousUpdate(r[0], r[1], r[2]) for r in rows), key=lambda a: a.update_id)

    async def state(self, update_id: int) -> str | None:
        found: str | None = await self.db.scalar(
            "SELECT state FROM processed_updates WHERE update_id = ?", (update_id,)
        )
        return found

    async def expire(self, now: datetime | None = None) -> int:
        """Forget claims older than :data:`KEEP`; how many."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM processed_updates WHERE claimed_at < ?", ((now or utcnow()) - KEEP,)
            )
        return int(cur.rowcount)
