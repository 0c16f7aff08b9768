"""The broadcast runner against the loopback fake Bot API (a real ``telegram.Bot``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.admin.broadcast import BroadcastRunner
from storage import Database
from storage.admin import BroadcastStore
from storage.admin.broadcasts import Broadcast, DeliveryCounts
from tests.helpers.fake_bot_api import FakeBotAPI

USERS = list(range(1000, 1100))


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22.8 warns inside RetryAfter.__init__ unless opted in to timedelta values;
    # with warnings as errors that warning would replace the RetryAfter itself.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
async def bot(fake_bot_api: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(fake_bot_api.token, base_url=fake_bot_api.base_url) as b:
        yield b


def delivered(api: FakeBotAPI) -> Counter[int]:
    return Counter(int(c.params["chat_id"]) for c in api.calls_to("sendMessage"))


async def test_broadcast_reaches_everyone_once_despite_retry_after(
    db: Database, bot: Bot, fake_bot_api: FakeBotAPI
) -> None:
    store = BroadcastStore(db)
    bid = await store.create("通知：<b>维护</b>", "users", created_by=1)
    assert await store.start(bid, USERS)
    fake_bot_api.fail_next("sendMessage", 2, retry_after=1)
    seen: list[tuple[DeliveryCounts, bool]] = []

    async def progress(b: Broadcast, counts: DeliveryCounts, final: bool) -> None:
        seen.append((counts, final))

    runner = BroadcastRunner(store, bot, progress=progress, progress_every=0.05)
    result = await runner.run(bid)

    assert result.finished and result.counts.sent == 100 and result.counts.total == 100
    assert len(fake_bot_api.calls_to("sendMessage", ok=False)) == 2  # the 429s happened
    counts = delivered(fake_bot_api)
    assert set(counts) == set(USERS) and set(counts.values()) == {1}
    assert seen[-1] == (result.counts, True)
    assert (await store.get(bid)).state == "done"


async def test_blocked_users_are_marked_and_skipped_next_time(
    db: Database, bot: Bot, fake_bot_api: FakeBotAPI
) -> None:
    store = BroadcastStore(db)
    bid = await store.create("hello", "users", created_by=1)
    await store.start(bid, [1, 2, 3])
    # Recipients are sent in id order: user 1 gets the 403.
    fake_bot_api.fail_next_with("sendMessage", 403, "Forbidden: bot was blocked by the user")
    result = await BroadcastRunner(store, bot).run(bid)
    assert (result.counts.sent, result.counts.blocked) == (2, 1)
    assert (await store.statuses(bid))[1] == "blocked"

    again = await store.create("second", "users", created_by=1)
    await store.start(again, [1, 2, 3])
    await BroadcastRunner(store, bot).run(again)
    second = [int(c.params["chat_id"]) for c in fake_bot_api.calls_to("sendMessage")][-2:]
    assert second == [2, 3]


async def test_stop_mid_broadcast_then_resume_sends_no_duplicates(
    db: Database, bot: Bot, fake_bot_api: FakeBotAPI
) -> None:
    store = BroadcastStore(db)
    bid = await store.create("hello", "users", created_by=1)
    await store.start(bid, USERS)

    # keep_going turns False after 30 sends, as when the Application is stopping.
    first = await BroadcastRunner(store, bot).run(
        bid, keep_going=lambda: len(fake_bot_api.calls_to("sendMessage")) < 30
    )
    assert not first.finished and first.counts.sent == 30 and first.counts.pending == 70
    assert [b.id for b in await store.unfinished()] == [bid]

    second = await BroadcastRunner(store, bot).run(bid)
    assert second.finished and second.counts.sent == 100
    counts = delivered(fake_bot_api)
    assert set(counts) == set(USERS) and set(counts.values()) == {1}


async def test_cancelled_broadcast_stops(db: Database, bot: Bot, fake_bot_api: FakeBotAPI) -> None:
    store = BroadcastStore(db)
    bid = await store.create("hello", "users", created_by=1)
    await store.start(bid, USERS)
    await store.cancel(bid)
    result = await BroadcastRunner(store, bot).run(bid)
    assert not result.finished and result.counts.pending == 100
    assert fake_bot_api.calls_to("sendMessage") == []
