"""Two real ``zhaiyao run`` workers on one PostgreSQL database, digests due for eight chats
at once, one worker killed (SIGKILL) as the first digest lands and restarted (issue 21).

Both workers arm every chat and fire every slot at the same moment; the slot claim lets one
compose each digest, the outbox lets one send each message. Whatever the kill interrupts is
taken over by the survivor or the restarted worker. Afterwards every chat has its digest
exactly once — except a message the killed worker had handed to Telegram, which is
recorded ambiguous, reported to the admin chat and never sent twice.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from storage import connect
from storage.articles import ArticleRepository
from storage.subscriptions import SubscriptionRepository, utcnow
from tests.helpers.digests import CITIES, TOPICS
from tests.helpers.fake_bot_api import FakeBotAPI, StoredMessage
from tests.helpers.postgres import fresh_database
from tests.helpers.zhaiyao_process import zhaiyao_run
from tests.storage.conftest import make_analysis

CHATS = list(range(1201, 1209))
ADMIN_CHAT = 1290
HEADING = "新闻摘要"


async def seed(url: str) -> None:
    """Eight chats with a story each and a digest slot that passed a minute ago."""
    db = await connect(url)
    try:
        subs, articles = SubscriptionRepository(db), ArticleRepository(db)
        now = utcnow()
        for i, chat in enumerate(CHATS):
            await subs.ensure(chat, "private")
            await subs.set_schedule(chat, "daily 08:00", now - timedelta(minutes=1))
            body = f"据{CITIES[i]}日报报道，{CITIES[i]}{TOPICS[i]}{TOPICS[i + 1]}"
            saved = await articles.save(make_analysis(f"{CITIES[i]}新闻{i}", body))
            await subs.record_story(chat, saved.article_id, via="feed", at=now - timedelta(hours=1))
    finally:
        await db.close()


def digests(api: FakeBotAPI, chat: int) -> list[StoredMessage]:
    """Digest messages Telegram stored in the chat, answered to the bot or not."""
    in_chat = [m for (c, _), m in sorted(api.messages.items()) if c == chat]
    return [m for m in in_chat if HEADING in m.text.split("\n")[0]]


async def states(url: str) -> dict[int, list[str]]:
    db = await connect(url, migrate=False)
    try:
        rows = await db.fetchall(
            "SELECT d.chat_id, o.state FROM digests AS d JOIN outbox AS o ON o.digest_id = d.id"
            " ORDER BY d.chat_id, o.seq"
        )
    finally:
        await db.close()
    found: dict[int, list[str]] = {}
    for chat, state in rows:
        found.setdefault(chat, []).append(state)
    return found


async def test_two_workers_one_killed_every_digest_once_or_reported(tmp_path: Path) -> None:
    api = FakeBotAPI()
    async with api, fresh_database(migrated=True) as url:
        await seed(url)
        env = {"ZHAIYAO_DATABASE_URL": url, "ZHAIYAO_ADMIN_CHAT": str(ADMIN_CHAT)}
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        async with zhaiyao_run(api, tmp_path / "b", **env) as survivor:
            async with zhaiyao_run(api, tmp_path / "a", **env) as victim:
                await api.wait_for(lambda: any(digests(api, c) for c in CHATS), timeout=120)
                victim.proc.kill()
                await victim.proc.wait()
            assert victim.proc.returncode == -9, victim.output[-3000:]
            async with zhaiyao_run(api, tmp_path / "a", **env):  # restarted
                async with asyncio.timeout(120):
                    while not all(
                        s and set(s) <= {"sent", "ambiguous"}
                        for s in [(await states(url)).get(c) for c in CHATS]
                    ):
                        await asyncio.sleep(0.5)
                owed = await states(url)
                if any("ambiguous" in owed[c] for c in CHATS):
                    await api.wait_for(lambda: api.sent(ADMIN_CHAT), timeout=30)
                await api.settle(quiet=3.0, timeout=60)
        assert survivor.proc.returncode == 0, survivor.output[-3000:]
        owed = await states(url)

    for chat in CHATS:
        got = digests(api, chat)
        assert len(got) <= 1, chat  # never twice
        assert owed[chat] in (["sent"], ["ambiguous"]), (chat, owed[chat])
        if owed[chat] == ["sent"]:
            assert len(got) == 1 and "1 条新闻" in got[0].text
    reported = "\n".join(m.text for m in api.sent(ADMIN_CHAT))
    for chat in CHATS:
        assert (str(chat) in reported) == (owed[chat] == ["ambiguous"])
