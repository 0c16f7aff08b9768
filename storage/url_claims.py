"""A link being read, claimed by one worker: the same link sent to two workers at once is
fetched, analysed and stored once.

:func:`reading` claims the normalised URL (``url_claims``, one row per URL, inserted with
``ON CONFLICT DO NOTHING``) for the duration of fetch → analyse → store. A worker that finds
it claimed waits until the claim is released (or its worker is dead), then reads what was
stored. A claim is released when the work ends, however it ends; one left by a killed
worker is taken over at once (:mod:`storage.workers`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from storage.db import Database
from storage.subscriptions import aware, utcnow
from storage.urls import canonical_url
from storage.workers import Worker

POLL_S = (0.05, 0.5)  # first and longest wait between looks at another worker's claim
WAIT_S = 180.0  # how long to wait for another worker's read at most (fetch + analysis)


async def claim(db: Database, url: str, worker: Worker) -> bool:
    """Claim ``url`` (normalised) for ``worker``; False while a live worker holds it."""
    async with db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO url_claims (url, worker, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (url, worker.key, aware(utcnow())),
        )
        if cur.rowcount > 0:
            return True
        cur = await conn.execute(
            f"UPDATE url_claims SET worker = ?, at = ? WHERE url = ? AND {worker.dead()}",
            (worker.key, aware(utcnow()), url),
        )
        return cur.rowcount > 0


async def release(db: Database, url: str, worker: Worker) -> None:
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM url_claims WHERE url = ? AND worker = ?", (url, worker.key))


async def stored(db: Database, url: str) -> int | None:
    """The stored article with this normalised URL, if any."""
    row = await db.fetchone(
        "SELECT id FROM articles WHERE canonical_url = ? ORDER BY id LIMIT 1", (url,)
    )
    return None if row is None else int(row[0])


@asynccontextmanager
async def reading(db: Database, link: str, worker: Worker) -> AsyncIterator[int | None]:
    """Around reading ``link``: yields None when this worker is to read it (holding the
    claim until the block ends), or the id of the article another worker stored while
    this one waited."""
    url = canonical_url(link)
    if url is None:
        yield None
        return
    pause, deadline = POLL_S[0], time.monotonic() + WAIT_S
    waited = False
    while not await claim(db, url, worker):
        waited = True
        if time.monotonic() > deadline:  # the other read hangs: read it ourselves
            break
        await asyncio.sleep(pause)
        pause = min(pause * 2, POLL_S[1])
    else:
        try:
            found = await stored(db, url) if waited else None
            yield found
        finally:
            await asyncio.shield(release(db, url, worker))
        return
    yield None
