"""Telegram's limits and the per-user article limit, held for the whole deployment: the
token buckets on each store (this process, the database on SQLite and PostgreSQL, Redis),
two workers' limiters sharing one, and PTB's rate-limiter hook against the loopback fake
Bot API (issue 21). Nothing here asserts a duration: a bucket's answer says whether a call
would wait."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from telegram.constants import ParseMode
from telegram.error import RetryAfter
from telegram.ext import ApplicationBuilder, Defaults

from bot.articles.request import RateLimiter
from bot.telegram.ratelimit import BOT_RATE, GROUP_PER_MINUTE, SharedRateLimiter
from storage import connect
from storage.buckets import Buckets, DatabaseBuckets, MemoryBuckets, RedisBuckets
from tests.helpers.fake_bot_api import FakeBotAPI
from tests.helpers.postgres import fresh_database

REDIS_URL = "redis://127.0.0.1:6379/0"


async def redis_or_skip() -> None:
    import redis.asyncio as redis

    client: Any = redis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as exc:
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {exc}")
    finally:
        await client.aclose()


@pytest.fixture(params=["memory", "sqlite", "postgresql", "redis"])
async def shared(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Buckets, Buckets]]:
    """Two workers' views of one store (memory: one process, one view)."""
    async with AsyncExitStack() as stack:
        if request.param == "memory":
            one = MemoryBuckets()
            yield one, one
            return
        if request.param == "redis":
            await redis_or_skip()
            views: list[Buckets] = [RedisBuckets(REDIS_URL), RedisBuckets(REDIS_URL)]
            for view in views:
                stack.push_async_callback(view.close)
            yield views[0], views[1]
            return
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'b.db'}"
        else:
            url = await stack.enter_async_context(fresh_database(migrated=True))
        dbs = [await connect(url), await connect(url, migrate=False)]
        for db in dbs:
            stack.push_async_callback(db.close)
        yield DatabaseBuckets(dbs[0]), DatabaseBuckets(dbs[1])


def key(name: str) -> str:
    return f"{name}:{uuid.uuid4().hex}"  # Redis outlives the test


async def test_a_bucket_holds_burst_then_refills_for_every_worker(
    shared: tuple[Buckets, Buckets],
) -> None:
    a, b = shared
    k = key("chat")
    assert [await a.take(k, rate=0.01, burst=3) for _ in range(2)] == [0.0, 0.0]
    assert await b.take(k, rate=0.01, burst=3) == 0.0  # the other worker's third
    wait = await a.take(k, rate=0.01, burst=3)
    assert 0 < wait <= 100.0  # one token at 0.01/s: up to 100 s away
    assert await b.take(k, rate=0.01, burst=3) > 0
    assert await a.take(key("other"), rate=0.01, burst=3) == 0.0  # buckets are per key


async def test_a_floor_keeps_tokens_back_and_a_429_empties_the_bucket(
    shared: tuple[Buckets, Buckets],
) -> None:
    a, b = shared
    k = key("bot")
    assert await a.take(k, rate=0.01, burst=4, floor=2) == 0.0  # 4 there: one taken
    assert await b.take(k, rate=0.01, burst=4, floor=2) == 0.0  # 3 there
    assert await a.take(k, rate=0.01, burst=4, floor=2) > 0  # 2 left: kept back
    assert await b.take(k, rate=0.01, burst=4) == 0.0  # ... for calls that need them
    held = key("held")
    await a.hold(held, rate=1.0, seconds=30)
    assert await b.take(held, rate=1.0, burst=5) >= 30


async def test_the_article_limit_per_user_holds_across_workers(
    shared: tuple[Buckets, Buckets],
) -> None:
    a, b = RateLimiter(3, shared[0]), RateLimiter(3, shared[1])
    user = int(uuid.uuid4().int % 10**9)
    assert await a.allow(user) and await b.allow(user, cost=2)
    assert not await a.allow(user) and not await b.allow(user)
    assert await a.allow(user + 1)  # another user has a budget of their own
    assert not await a.allow(user + 2, cost=4)  # more links than a minute allows
    assert await b.should_warn(user) and not await a.should_warn(user)  # told once


def make_app(api: FakeBotAPI, limiter: SharedRateLimiter) -> Any:
    return (
        ApplicationBuilder()
        .token(api.token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .rate_limiter(limiter)
        .build()
    )


async def test_typing_is_skipped_when_the_budget_is_short_and_cards_still_go(
    fake_bot_api: FakeBotAPI,
) -> None:
    buckets = MemoryBuckets()
    app = make_app(fake_bot_api, SharedRateLimiter(buckets))
    async with app:
        assert await app.bot.send_chat_action(5, "typing")
        assert len(fake_bot_api.calls_to("sendChatAction")) == 1
        while await buckets.take("bot", BOT_RATE, BOT_RATE, floor=BOT_RATE / 2) == 0:
            pass  # cards took the bot's budget down to half
        assert await app.bot.send_chat_action(5, "typing")  # answered, never sent
        assert len(fake_bot_api.calls_to("sendChatAction")) == 1
        sent = await app.bot.send_message(5, "<b>卡片</b>")  # the card's budget is intact
        assert sent.text == "卡片"


async def test_a_429_is_waited_out_and_retried_unless_the_caller_wants_it_back(
    fake_bot_api: FakeBotAPI,
) -> None:
    buckets = MemoryBuckets()
    app = make_app(fake_bot_api, SharedRateLimiter(buckets, max_retries=2))
    async with app:
        fake_bot_api.fail_next("sendMessage", 1, retry_after=1)
        sent = await app.bot.send_message(-100, "一")
        assert sent.text == "一" and len(fake_bot_api.calls_to("sendMessage", ok=None)) == 2
        assert len(fake_bot_api.sent(-100)) == 1
        fake_bot_api.fail_next("sendMessage", 1, retry_after=7)
        with pytest.raises(RetryAfter):
            await app.bot.send_message(-100, "二", rate_limit_args={"max_retries": 0})
        # the group's bucket is empty for everyone until retry_after has passed
        assert await buckets.take("chat:-100", GROUP_PER_MINUTE / 60, GROUP_PER_MINUTE) > 6


async def test_a_groups_twenty_a_minute_hold_across_two_workers(
    shared: tuple[Buckets, Buckets],
) -> None:
    a, b = SharedRateLimiter(shared[0]), SharedRateLimiter(shared[1])
    group = -int(uuid.uuid4().int % 10**12) - 1
    for _ in range(int(GROUP_PER_MINUTE)):
        await a.reserve(group)  # twenty messages to the group from one worker
    rate = GROUP_PER_MINUTE / 60
    assert await shared[1].take(f"chat:{group}", rate, GROUP_PER_MINUTE) > 0  # the other waits
    await b.reserve(group + 1 if group < -2 else -2)  # another group is not held up
