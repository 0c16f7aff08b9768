"""Update claims (``storage.updates``) on both backends: claimed once, taken over from a
dead worker (handled again, or ambiguous once a send began), released, expired."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage import Database, connect
from storage.updates import AmbiguousUpdate, TakenUpdate, UpdateClaims, first_worker, utcnow
from storage.workers import Worker
from tests.helpers.postgres import fresh_database


async def test_an_update_is_claimed_once_across_workers(db: Database) -> None:
    async with Worker(db, key=11) as a, Worker(db, key=12) as b:
        first, second = UpdateClaims(db, a, "a:1"), UpdateClaims(db, b, "b:2")
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
        assert not await second.claim(7, "{}", 100)
        assert await first.alive() and await second.alive()


async def test_a_dead_workers_claims_are_taken_or_reported(db: Database) -> None:
    async with Worker(db, key=22) as live_worker:
        dead_worker = await Worker(db, key=21).start()
        dead, live = UpdateClaims(db, dead_worker, "dead:1"), UpdateClaims(db, live_worker)
        await dead.claim(1, '{"update_id": 1}', 501)
        await dead.claim(2, '{"update_id": 2}', 502)
        await dead.sending(2)
        await live.claim(3, '{"update_id": 3}', 503)
        assert await live.take_abandoned() == ([], [])  # its worker lives: nothing moves
        await dead_worker.close()  # as the server does when the process dies
        assert not await dead.alive()
        taken, ambiguous = await live.take_abandoned()
        assert taken == [TakenUpdate(1, '{"update_id": 1}')]
        assert ambiguous == [AmbiguousUpdate(2, 502, "dead:1")]
        assert await live.take_abandoned() == ([], [])  # once
        assert await live.state(2) == "ambiguous"
        await live.finish(1)
        assert await live.state(1) == "done" and await live.state(3) == "claimed"


async def test_released_claims_go_to_the_next_worker(db: Database) -> None:
    async with Worker(db, key=31) as s, Worker(db, key=32) as o:
        stopping, other = UpdateClaims(db, s, "s:1"), UpdateClaims(db, o, "o:2")
        for update_id in (1, 2):
            await stopping.claim(update_id, f'{{"update_id": {update_id}}}', 600 + update_id)
        await stopping.sending(2)
        assert await stopping.release([1, 2]) == [AmbiguousUpdate(2, 602, "s:1")]
        taken, ambiguous = await other.take_abandoned()
        assert [t.update_id for t in taken] == [1] and ambiguous == []


async def test_claims_expire_after_a_day(db: Database) -> None:
    async with Worker(db, key=41) as w:
        claims = UpdateClaims(db, w)
        await claims.claim(5, "{}", None)
        assert await claims.expire() == 0
        assert await claims.expire(utcnow() + timedelta(days=1, minutes=1)) == 1
        assert await claims.claim(5, "{}", None)


async def test_a_killed_workers_connection_frees_its_claims() -> None:
    """PostgreSQL drops the liveness lock with the connection (a kill -9 closes it)."""
    async with fresh_database(migrated=True) as url:
        one, two = await connect(url), await connect(url)
        try:
            holder = await Worker(one, key=51).start()
            await UpdateClaims(one, holder).claim(9, "{}", None)
            async with Worker(two, key=52) as taker:
                claims = UpdateClaims(two, taker)
                assert await claims.take_abandoned() == ([], [])
                async with two.transaction() as conn:  # its connection dies with the process
                    await conn.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_locks"
                        " WHERE locktype = 'advisory' AND objid = 51 AND objsubid = 2"
                        " AND database = (SELECT oid FROM pg_database"
                        " WHERE datname = current_database())"
                    )
                taken: list[TakenUpdate] = []
                for _ in range(50):  # the server ends the backend, and drops its locks, soon
                    taken, _ = await claims.take_abandoned()
                    if taken:
                        break
                    await asyncio.sleep(0.1)
                assert [t.update_id for t in taken] == [9]
        finally:
            await one.close()
            await two.close()


async def test_one_worker_at_a_time_is_first(db: Database) -> None:
    async with first_worker(db) as first:
        assert first
        if db.dialect == "postgresql":  # another worker starting meanwhile leaves it alone
            other = await connect(db.url)
            try:
                async with first_worker(other) as second:
                    assert not second
            finally:
                await other.close()
        async with db.transaction() as conn:  # the store stays writable meanwhile
            await conn.execute("DELETE FROM processed_updates")
    async with first_worker(db) as again:
        assert again
