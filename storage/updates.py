"""Telegram updates claimed by webhook workers: each update id is handled at most once.

A worker claims an update with ``INSERT … ON CONFLICT DO NOTHING`` before handling it (a
redelivered or duplicated update finds the row and is answered 200 without handling), marks
it ``sending`` just before its first Bot API call that changes a chat (back to ``claimed``
if Telegram refused every such call so far), and ``done`` after.

A worker proves it is alive by holding a PostgreSQL session advisory lock on its random
``worker_key`` (:class:`WorkerLock`) for as long as it runs; the server drops the lock when
the process dies, however it dies. :meth:`UpdateClaims.take_abandoned` moves the claims of
a dead (or released) holder to the caller: a ``claimed`` one is handled again (nothing of
it reached Telegram), a ``sending`` one becomes ``ambiguous`` — a call may have reached
Telegram, so it is not repeated but reported. On SQLite (one process by design) every
holder other than the caller is dead. Rows expire after a day (:meth:`expire`): Telegram
stops redelivering an update long before.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Connection, Database

log = logging.getLogger(__name__)
KEEP = timedelta(days=1)
# pg_advisory_lock(int4, int4) space for worker liveness; the migration lock uses the
# one-bigint form, a different key space
WORKER_LOCKS = 0x5A48_5957  # "ZHYW"
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


class WorkerLock:
    """This worker's liveness: a session advisory lock on ``key``, held on a connection
    of its own from :meth:`acquire` to :meth:`release` (PostgreSQL; a no-op on SQLite)."""

    def __init__(self, db: Database, key: int) -> None:
        self.db = db
        self.key = key
        self._conn: AsyncConnection | None = None

    async def acquire(self) -> None:
        if self.db.dialect != "postgresql":
            return
        raw = await self.db.engine.connect()
        try:
            conn = await raw.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql(f"SELECT pg_advisory_lock({WORKER_LOCKS}, {self.key})")
        except BaseException:
            await raw.close()
            raise
        self._conn = conn

    async def alive(self) -> bool:
        """The lock's connection still answers (else other workers may take our claims)."""
        if self._conn is None:
            return self.db.dialect != "postgresql"
        try:
            await self._conn.exec_driver_sql("SELECT 1")
        except Exception:
            return False
        return True

    async def release(self) -> None:
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        try:
            await conn.exec_driver_sql(f"SELECT pg_advisory_unlock({WORKER_LOCKS}, {self.key})")
        except Exception as exc:  # the connection is gone, and the lock went with it
            log.info("worker lock %s went with its connection: %s", self.key, exc)
            await conn.invalidate()
        finally:
            await conn.close()


@asynccontextmanager
async def first_worker(db: Database) -> AsyncIterator[bool]:
    """True for the one worker that holds the webhook lock for this block (PostgreSQL;
    always True on SQLite, where there is one process)."""
    if db.dialect != "postgresql":
        yield True
        return
    async with db.transaction() as conn:
        row = await conn.fetchone(f"SELECT pg_try_advisory_xact_lock({WEBHOOK_LOCK})")
        yield bool(row and row[0])


class UpdateClaims:
    def __init__(self, db: Database, worker_key: int, worker: str) -> None:
        self.db = db
        self.worker_key = worker_key
        self.worker = worker

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

    async def holders(self) -> list[int | None]:
        """Worker keys (``None``: released) holding unfinished claims, other than ours."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT worker_key FROM processed_updates"
            " WHERE state IN ('claimed', 'sending') AND (worker_key IS NULL OR worker_key <> ?)",
            (self.worker_key,),
        )
        return [row[0] for row in rows]

    async def take_abandoned(
        self, holder: int | None
    ) -> tuple[list[TakenUpdate], list[AmbiguousUpdate]]:
        """Move the unfinished claims of ``holder`` (``None``: released ones) to this worker
        if that holder is gone; ``([], [])`` while it lives."""
        async with self.db.transaction() as conn:
            params: tuple[int, ...] = ()
            if holder is None:
                who = "worker_key IS NULL"
            elif await self._holder_gone(conn, holder):
                who, params = "worker_key = ?", (holder,)
            else:
                return [], []
            rows = await conn.fetchall(
                "UPDATE processed_updates SET worker_key = ?, worker = ?,"
                " attempts = attempts + 1 WHERE update_id IN (SELECT update_id FROM"
                f" processed_updates WHERE {who} AND state = 'claimed' ORDER BY update_id"
                f" LIMIT {TAKE_BATCH}) AND {who} AND state = 'claimed'"
                " RETURNING update_id, payload",
                (self.worker_key, self.worker, *params, *params),
            )
            ambiguous = await self._ambiguous(conn, who, params)
        taken = sorted((TakenUpdate(r[0], r[1]) for r in rows), key=lambda t: t.update_id)
        return taken, ambiguous

    async def _holder_gone(self, conn: Connection, holder: int) -> bool:
        if self.db.dialect != "postgresql":
            return True  # SQLite: one process, and the holder is not this one
        # Held until this transaction ends: no other worker takes the same claims meanwhile.
        row = await conn.fetchone(
            f"SELECT pg_try_advisory_xact_lock({WORKER_LOCKS}, {int(holder)})"
        )
        return bool(row and row[0])

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
