"""Three real ``zhaiyao run --webhook`` workers on one PostgreSQL database (issue 21).

The fake Bot API posts its updates to the workers round-robin (a load balancer), posts a
share of them a second time to another worker (Telegram's at-least-once delivery), and
answers a share of the bots' calls with 429. While users paste articles, one worker is
killed with SIGKILL at a random moment and started again. Afterwards every user message
has exactly one answer — except one whose worker died during the send: that one has at
most one answer and is reported to the admin chat as ambiguous, never answered twice.
The default run has 24 users; the long form (``-m slow``) 90.
"""

from __future__ import annotations

import asyncio
import random
import re
from pathlib import Path

import asyncpg
import pytest

from tests.helpers.articles import NEWS, PRICES
from tests.helpers.fake_bot_api import FakeBotAPI
from tests.helpers.postgres import fresh_database
from tests.helpers.webhook_delivery import WebhookDelivery
from tests.helpers.zhaiyao_process import workers

SECRET = "multi-worker-secret"
ADMIN_CHAT = -1009
PLACEHOLDER = "正在读取…"
AMBIGUOUS = re.compile(r"ambiguous: worker died during send: update (\d+) \(chat (-?\d+)")


def reported(api: FakeBotAPI) -> dict[int, int]:
    """Chats of the updates reported as ambiguous: chat -> how many reports."""
    found: dict[int, int] = {}
    for message in api.sent(ADMIN_CHAT):
        for _, chat in AMBIGUOUS.findall(message.text):
            found[int(chat)] = found.get(int(chat), 0) + 1
    return found


def answered(api: FakeBotAPI, chat: int) -> bool:
    found = api.sent(chat)
    return bool(found) and all(m.raw != PLACEHOLDER for m in found)


async def paste_through_three_workers(
    api: FakeBotAPI, workdir: Path, users: int, seed: int
) -> None:
    rng = random.Random(seed)
    chats = list(range(5000, 5000 + users))
    titles = {chat: f"第{i}号新闻：物价温和上涨" for i, chat in enumerate(chats)}
    env = {"ZHAIYAO_ADMIN_CHAT": str(ADMIN_CHAT)}
    async with (
        fresh_database() as url,
        workers(api, workdir, url, SECRET, n=3, **env) as running,
        WebhookDelivery(api, [w.url for w in running], SECRET, redeliver=0.25, seed=seed) as post,
    ):
        api.storm(too_many=0.2, dropped=0.0, retry_after=1, seed=seed)
        victim = rng.choice(running)
        kill_after = rng.randrange(users // 4, 3 * users // 4)
        for i, chat in enumerate(chats):
            paragraphs = [f"{p}（第{i}篇）" for p in (NEWS + PRICES if i % 2 else PRICES + NEWS)]
            api.send_text(chat, "\n".join([titles[chat], *paragraphs]))
            await asyncio.sleep(rng.uniform(0.0, 0.1))
            if i == kill_after:
                await asyncio.sleep(rng.uniform(0.0, 2.0))  # a random moment of its work
                victim.kill()
                await victim.start()  # the same port: the balancer sends it work again
        await victim.ready()
        await api.wait_for(
            lambda: all(answered(api, c) or c in reported(api) for c in chats),
            timeout=120 + 4 * users,
        )
        await api.settle(quiet=3.0, timeout=60)
        api.calm()
        states = await _claim_states(url)
    codes = [w.proc.returncode if w.proc else None for w in running]
    print("deliveries", len(post.deliveries), "redelivered", len(post.redelivered))
    logs = "".join(out for w in running for out in w.outputs)
    print("claims", states, "reported", reported(api), "taken over", logs.count("taken over"))

    assert codes == [0, 0, 0], [w.output()[-3000:] for w in running]  # SIGTERM: clean exit
    assert len(victim.pids) == 2 and len(victim.outputs) == 2  # killed, started again
    assert f":{victim.pids[1]}] bot.webhook.worker: ready" in victim.outputs[1]
    assert sum(c.error_code == 429 for c in api.calls) >= users // 4  # the 429s did strike
    duplicates = [u for u in post.redelivered if post.delivered(u)]
    assert duplicates, "some updates were delivered twice"
    ambiguous = reported(api)
    assert all(n == 1 for n in ambiguous.values()), ambiguous  # reported once each
    assert set(states) <= {"done", "ambiguous"}, states
    assert states.get("ambiguous", 0) == len(ambiguous)
    for chat in chats:
        found = api.sent(chat)
        if chat in ambiguous:
            assert len(found) <= 1, (chat, [m.raw[:40] for m in found])  # never doubled
            continue
        assert len(found) == 1, (chat, [m.raw[:40] for m in found])  # exactly one answer
        assert found[0].text.startswith(titles[chat]), (chat, found[0].text[:80])


async def _claim_states(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT state, count(*) FROM processed_updates GROUP BY state")
    finally:
        await conn.close()
    return {row[0]: row[1] for row in rows}


async def test_three_workers_answer_each_message_once_through_a_kill(
    fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    await paste_through_three_workers(fake_bot_api, tmp_path, users=24, seed=21)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_three_workers_long(fake_bot_api: FakeBotAPI, tmp_path: Path, seed: int) -> None:
    await paste_through_three_workers(fake_bot_api, tmp_path, users=90, seed=seed)
