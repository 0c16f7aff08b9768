"""Update claims (``storage.updates``) on both backends: claimed once, taken over from a
dead worker (handled again, or ambiguous once a send began), released, expired."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage import Database, connect
from storage.updates import (
    WORKER_LOCKS,
    AmbiguousUpdate,
    TakenUpdate,
    UpdateClaims,
    WorkerLock,
    utcnow,
)


async def test_an_update_is_claimed_once_across_workers(db: Database) -> None:
    first, second = UpdateClaims(db, 11, "a:1"), UpdateClaims(db, 12, "b:2")
    assert await first.claim(7, '{"update_id": 7}', 100)
    assert not await second.claim(7, '{"update_id": 7}', 100)  # the duplicate
    assert not await first.claim(7, '{"update_id": 7}', 100)
    await first.sending(7)
    assert await first.state(7) == "sending"
    await first.unsend(7)  # Telegram refused the call (a 429): nothing reached the chat
    assert await first.state(7) == "claimed"
    await first.sending(7)
    await first.finish(7)
    assert await first.state(7) == "done"
    assert not await second.claim(7, "{}", 100)  # a day later Telegram has stopped retrying


async def test_a_dead_workers_claims_are_taken_or_reported(db: Database) -> None:
    if db.dialect == "postgresql":  # the dead worker held its lock and then lost it
        dead_lock = WorkerLock(db, 21)
        await dead_lock.acquire()
    dead, live = UpdateClaims(db, 21, "dead:1"), UpdateClaims(db, 22, "live:2")
    await dead.claim(1, '{"update_id": 1}', 501)
    await dead.claim(2, '{"update_id": 2}', 502)
    await dead.sending(2)
    await live.claim(3, '{"update_id": 3}', 503)
    assert await live.holders() == [21]
    if db.dialect == "postgresql":
        assert await live.take_abandoned(21) == ([], [])  # alive: nothing moves
        assert await dead_lock.alive()
        await dead_lock.release()  # as the server does when the process dies
    taken, ambiguous = await live.take_abandoned(21)
    assert taken == [TakenUpdate(1, '{"update_id": 1}')]
    assert ambiguous == [AmbiguousUpdate(2, 502, "dead:1")]
    assert await live.take_abandoned(21) == ([], [])  # once
    assert await live.state(2) == "ambiguous"
    await live.finish(1)
    assert await live.state(1) == "done"
    assert await live.holders() == []


async def test_released_claims_go_to_the_next_worker(db: Database) -> None:
    stopping, other = UpdateClaims(db, 31, "s:1"), UpdateClaims(db, 32, "o:2")
    for update_id in (1, 2):
        await stopping.claim(update_id, f'{{"update_id": {update_id}}}', 600 + update_id)
    await stopping.sending(2)
    assert await stopping.release([1, 2]) == [AmbiguousUpdate(2, 602, "s:1")]
    assert await other.holders() == [None]
    taken, ambiguous = await other.take_abandoned(None)
    assert [t.update_id for t in taken] == [1] and ambiguous == []


async def test_claims_expire_after_a_day(db: Database) -> None:
    claims = UpdateClaims(db, 41, "w:1")
    await claims.claim(5, "{}", None)
    assert await claims.expire() == 0
    assert await claims.expire(utcnow() + timedelta(days=1, minutes=1)) == 1
    assert await claims.claim(5, "{}", None)


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_the_worker_lock_is_held_by_one_worker(backend: str) -> None:
    from tests.helpers.postgres import fresh_database

    async with fresh_database(migrated=True) as url:
        one, two = await connect(url), await connect(url)
        try:
            lock = WorkerLock(one, 51)
            await lock.acquire()
            claims = UpdateClaims(two, 52, "two:2")
            await UpdateClaims(one, 51, "one:1").claim(9, "{}", None)
            assert await claims.take_abandoned(51) == ([], [])
            async with two.transaction() as conn:  # its connection dies with the process
                await conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND classid = ? AND objid = 51",
                    (WORKER_LOCKS,),
                )
            assert not await lock.alive()
            taken, _ = await claims.take_abandoned(51)
            assert [t.update_id for t in taken] == [9]
        finally:
            await lock.release()
            await one.close()
            await two.close()
