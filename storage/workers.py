"""This process as one of several workers on a store: a key its claims carry, and a way to
tell that the worker behind a claim is gone.

A worker's claims (a digest slot being composed, an outbox message being sent, a link being
read) are rows naming its key. The key is kept alive the backend's way
(:meth:`storage.backends.base.Backend.hold_worker`): on PostgreSQL a session-level advisory
lock the server drops the moment the worker's connection closes (kill -9 included); on
SQLite, with one bot process, the workers this process started. :meth:`Worker.dead` is the
SQL that is true for a column naming any other, dead worker, so a claim is taken over
without waiting for a lease to run out.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import weakref
from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database


class Worker:
    def __init__(self, db: Database, *, key: int | None = None) -> None:
        self.db = db
        self.key = key if key is not None else 1 + secrets.randbelow(2**31 - 2)
        self.name = f"{socket.gethostname()}:{os.getpid()}:{self.key}"
        self._held: AsyncConnection | None = None
        self._starting = asyncio.Lock()
        self.started = False

    async def start(self) -> Worker:
        async with self._starting:
            if not self.started:
                self._held = await self.db.backend.hold_worker(self.db, self.key)
                self.started = True
        return self

    async def close(self) -> None:
        if self.started:
            self.started = False
            held, self._held = self._held, None
            await self.db.backend.release_worker(self.key, held)

    def dead(self, column: str = "worker") -> str:
        """SQL true where ``column`` (not NULL) names a worker that is not alive."""
        return self.db.backend.dead_worker(column)

    async def __aenter__(self) -> Worker:
        return await self.start()

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"Worker({self.name})"


_BY_STORE: weakref.WeakKeyDictionary[Database, Worker] = weakref.WeakKeyDictionary()


async def worker_for(db: Database) -> Worker:
    """This process's worker on ``db``, started on first use, closed with the store."""
    worker = _BY_STORE.get(db)
    if worker is None:
        worker = _BY_STORE[db] = Worker(db)
    return await worker.start()


async def close_worker(db: Database) -> None:
    worker = _BY_STORE.pop(db, None)
    if worker is not None:
        await worker.close()
