"""Three real ``zhaiyao run --webhook`` workers on one PostgreSQL database (issue 21).

The fake Bot API posts its updates to the workers round-robin (a load balancer), posts a
share of them a second time to another worker (Telegram's at-least-once delivery), and
answers a share of the bots' calls with 429.

1. Through the workers, chats subscribe to a daily digest and share a story, and others
   follow a feed with instant posts; every command and article is answered once.
2. The workers are stopped (SIGTERM), every digest slot is made due and the feed gets new
   items, and the workers start again. While the 20 digests and the feed posts go out and
   other users paste articles, one worker is killed with SIGKILL at a random moment and
   started again. (A feed that the killed worker had claimed waits out its 15-minute
   poll lease before another worker polls it; the test ends that lease at once.)

Afterwards every user message has exactly one answer, every (chat, slot) digest arrived
exactly once and every new feed item reached each subscriber once — except what was being
sent when the worker died: recorded ambiguous and reported to the admin chat, at most
once, never silently doubled. The default run has 20 digest chats, 3 feed chats and 24
pasting users; the long form (``-m slow``) 60 pasting users, three seeds.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Callable
from pathlib import Path

import asyncpg
import pytest

from tests.helpers.articles import NEWS, PRICES
from tests.helpers.digests import CHIPS, feed_items
from tests.helpers.fake_bot_api import FakeBotAPI, StoredMessage
from tests.helpers.feed_server import FeedServer, feed_server
from tests.helpers.postgres import fresh_database
from tests.helpers.webhook_delivery import WebhookDelivery
from tests.helpers.zhaiyao_process import Worker, workers

SECRET = "multi-worker-secret"
ADMIN_CHAT = -1009
PLACEHOLDER = "正在读取…"
DIGEST_CHATS = list(range(6000, 6020))
FEED_CHATS = [6100, 6101, 6102]
OLD_ITEMS, NEW_ITEMS = 36, 39  # items 36-38 appear while the workers run
STORY = "华为发布新款手机"
UPDATE_REPORT = re.compile(r"ambiguous: worker died during send: update \d+ \(chat (-?\d+)")


def is_digest(message: StoredMessage) -> bool:
    return message.text.startswith("📰")


def answered(api: FakeBotAPI, chat: int, count: int) -> bool:
    found = api.sent(chat)
    return len(found) >= count and all(m.raw != PLACEHOLDER for m in found)


async def each_answered(api: FakeBotAPI, chats: list[int], count: int) -> None:
    try:
        await api.wait_for(lambda: all(answered(api, c, count) for c in chats), timeout=180)
    except TimeoutError:
        missing = {
            c: [m.text[:50] for m in api.sent(c)] for c in chats if not answered(api, c, count)
        }
        raise AssertionError(f"not answered {count} times: {missing}") from None


def update_reports(api: FakeBotAPI) -> list[int]:
    """Chats of the updates reported as ambiguous (one entry per report)."""
    return [int(c) for m in api.sent(ADMIN_CHAT) for c in UPDATE_REPORT.findall(m.text)]


async def sql(url: str, query: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


async def subscribe(api: FakeBotAPI, feeds: FeedServer) -> None:
    """Phase 1: digest chats subscribe and share a story; feed chats follow the feed."""
    for chat in DIGEST_CHATS:
        api.send_text(chat, "/digest daily 08:00")
    for chat in FEED_CHATS:
        api.send_text(chat, f"/feed add {feeds.feed_url}")
    await each_answered(api, DIGEST_CHATS + FEED_CHATS, 1)
    for i, chat in enumerate(DIGEST_CHATS):
        api.send_text(chat, "\n".join([f"{STORY}（{i}）", *CHIPS]))
    for chat in FEED_CHATS:
        api.send_text(chat, "/feed instant 1 on")
    await each_answered(api, DIGEST_CHATS + FEED_CHATS, 2)


async def three_workers_through_a_kill(
    api: FakeBotAPI, workdir: Path, users: int, seed: int
) -> None:
    rng = random.Random(seed)
    pasting = list(range(5000, 5000 + users))
    titles = {chat: f"第{i}号新闻：物价温和上涨" for i, chat in enumerate(pasting)}
    env = {"ZHAIYAO_ADMIN_CHAT": str(ADMIN_CHAT)}
    async with fresh_database() as url, feed_server() as feeds:

        def delivery(running: list[Worker]) -> WebhookDelivery:
            urls = [w.url for w in running]
            return WebhookDelivery(api, urls, SECRET, redeliver=0.25, seed=seed)

        feeds.publish(feed_items(OLD_ITEMS))
        api.storm(too_many=0.2, dropped=0.0, retry_after=1, seed=seed)
        async with workers(api, workdir, url, SECRET, n=3, **env) as first, delivery(first):
            await subscribe(api, feeds)
        before = {chat: len(api.sent(chat)) for chat in DIGEST_CHATS + FEED_CHATS}
        await sql(url, "UPDATE subscriptions SET next_run_at = now() WHERE next_run_at IS NOT NULL")
        await sql(url, "UPDATE feeds SET next_poll_at = now()")
        feeds.publish(feed_items(NEW_ITEMS))
        new_titles = [title for guid, title, _ in feed_items(NEW_ITEMS, OLD_ITEMS)]

        async with (
            workers(api, workdir, url, SECRET, n=3, **env) as running,
            delivery(running) as post,
        ):
            victim = rng.choice(running)
            kill_after = rng.randrange(users // 4, 3 * users // 4)
            for i, chat in enumerate(pasting):
                paragraphs = [
                    f"{p}（第{i}篇）" for p in (NEWS + PRICES if i % 2 else PRICES + NEWS)
                ]
                api.send_text(chat, "\n".join([titles[chat], *paragraphs]))
                await asyncio.sleep(rng.uniform(0.0, 0.1))
                if i == kill_after:
                    await asyncio.sleep(rng.uniform(0.0, 2.0))  # a random moment of its work
                    victim.kill()
                    await victim.start()  # the same port: the balancer sends it work again
            await victim.ready()
            # A feed the killed worker had claimed waits out its lease (15 min, see
            # bot/feeds/poller.py POLL_LEASE) before another worker polls it: end it now.
            # Every feed is due again, not only those whose last poll looks old (a feed
            # polled seconds before the victim claimed it again kept its lease that way);
            # a feed polled twice must still send each item once.
            await sql(
                url,
                "UPDATE feeds SET next_poll_at = now()"
                " WHERE next_poll_at > now() + interval '10 minutes'",
            )
            reported = await _everything_arrives(api, url, pasting, new_titles, before)
            await api.settle(quiet=3.0, timeout=60)
            api.calm()
            claims = dict(
                await sql(url, "SELECT state, count(*) FROM processed_updates GROUP BY 1")
            )
            outbox = await _outbox(url)
        logs = "".join(out for w in running for out in w.outputs)
    print(
        f"deliveries {len(post.deliveries)}, redelivered {len(post.redelivered)},"
        f" claims {claims}, taken over {logs.count('taken over')}, reported {reported},"
        f" outbox {sorted(set(s for _, s in outbox))}"
    )

    # the workers: SIGTERM gives a clean exit; the victim was killed and came back
    assert [w.proc.returncode if w.proc else None for w in [*first, *running]] == [0] * 6
    assert len(victim.pids) == 2 and f":{victim.pids[1]}] bot.webhook.worker: ready" in logs
    # the weather: 429s struck, and some updates arrived twice
    assert sum(c.error_code == 429 for c in api.calls) >= users // 4
    assert [u for u in post.redelivered if post.delivered(u)], "nothing delivered twice"

    # every user message: exactly one answer (or reported as ambiguous, at most one)
    ambiguous_updates = update_reports(api)
    assert len(ambiguous_updates) == len(set(ambiguous_updates)) == claims.get("ambiguous", 0)
    assert set(claims) <= {"done", "ambiguous"}, claims
    for chat in pasting:
        found = api.sent(chat)
        if chat in ambiguous_updates:
            assert len(found) <= 1, (chat, [m.raw[:40] for m in found])
            continue
        assert len(found) == 1, (chat, [m.raw[:40] for m in found])
        assert found[0].text.startswith(titles[chat]), (chat, found[0].text[:80])

    # every (chat, slot) digest: exactly once, unless ambiguous (then reported, not doubled)
    ambiguous_chats = {chat for chat, state in outbox if state == "ambiguous"}
    for chat in DIGEST_CHATS:
        digests = [m for m in api.sent(chat)[before[chat] :] if is_digest(m)]
        if chat in ambiguous_chats:
            assert len(digests) <= 1, chat
            assert any(str(chat) in m.text for m in api.sent(ADMIN_CHAT)), chat
            continue
        assert len(digests) == 1, (chat, [m.text[:40] for m in digests])
        assert STORY in digests[0].text
    assert {state for chat, state in outbox if chat in DIGEST_CHATS} <= {"sent", "ambiguous"}

    # every new feed item: posted to each subscriber once (the ambiguous: at most once)
    for chat in FEED_CHATS:
        posts = api.sent(chat)[before[chat] :]
        for title in new_titles:
            cards = [m for m in posts if m.text.startswith(title)]
            assert len(cards) <= 1, (chat, title)
            assert cards or chat in ambiguous_chats, (chat, title, [m.text[:30] for m in posts])


async def _everything_arrives(
    api: FakeBotAPI, url: str, pasting: list[int], new_titles: list[str], before: dict[int, int]
) -> list[int]:
    def has(chat: int, what: Callable[[StoredMessage], bool]) -> bool:
        return any(what(m) for m in api.sent(chat)[before.get(chat, 0) :])

    def arrived() -> bool:
        reported = " ".join(m.text for m in api.sent(ADMIN_CHAT))
        return (
            all(answered(api, c, 1) or str(c) in reported for c in pasting)
            and all(has(c, is_digest) or str(c) in reported for c in DIGEST_CHATS)
            and all(
                has(c, lambda m, t=title: m.text.startswith(t)) or str(c) in reported  # type: ignore[misc]
                for c in FEED_CHATS
                for title in new_titles
            )
        )

    try:
        await api.wait_for(arrived, timeout=150 + 4 * len(pasting))
    except TimeoutError:
        reported = " ".join(m.text for m in api.sent(ADMIN_CHAT))
        missing = {
            "pasting": [c for c in pasting if not answered(api, c, 1) and str(c) not in reported],
            "digests": [c for c in DIGEST_CHATS if not has(c, is_digest)],
            "feeds": {c: [m.text[:30] for m in api.sent(c)] for c in FEED_CHATS},
            "new titles": new_titles,
            "admin": reported[:2000],
            "feed rows": [
                tuple(r)
                for r in await sql(
                    url, "SELECT id, chat_id, next_poll_at, last_polled_at, failures FROM feeds"
                )
            ],
            "outbox": [tuple(r) for r in await sql(url, "SELECT chat_id, state, key FROM outbox")],
            "subs": [tuple(r) for r in await sql(url, "SELECT chat_id, state FROM subscriptions")],
        }
        raise AssertionError(f"missing after the kill: {missing}") from None
    return update_reports(api)


async def _outbox(url: str) -> list[tuple[int, str]]:
    """(chat, state) of every outbox message: digests and instant feed posts."""
    rows = await sql(url, "SELECT chat_id, state FROM outbox")
    return [(row[0], row[1]) for row in rows]


async def test_three_workers_deliver_everything_once_through_a_kill(
    fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    await three_workers_through_a_kill(fake_bot_api, tmp_path, users=24, seed=21)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_three_workers_long(fake_bot_api: FakeBotAPI, tmp_path: Path, seed: int) -> None:
    await three_workers_through_a_kill(fake_bot_api, tmp_path, users=60, seed=seed)
