"""``zhaiyao run`` killed with SIGKILL while digests are being delivered, then restarted on
the same store (SQLite file, and a PostgreSQL database), against the loopback fake Bot API
(issues 18 and 21).

A digest is claimed and recorded in the outbox before its first send; each message is
``sending`` only during its Bot API call (``bot/telegram/outbox.py``). One kill lands at
three points at once, in three chats:

- *during the send*: the fake Bot API holds chat A's digest ``sendMessage`` unanswered (and,
  to be the worst case, stores it: Telegram has it). After the restart it is **not** sent
  again; it is recorded ambiguous and reported to the admin chat.
- *before the send*: chat B's digest got a 429 (``retry_after``); it waits, ``pending``, when
  the kill lands. After the restart it is sent, once.
- *after the send*: chat C's digest was accepted and marked sent. Nothing more happens.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from storage import connect
from tests.helpers.digests import CHIPS
from tests.helpers.fake_bot_api import BotAPIError, FakeBotAPI, StoredMessage
from tests.helpers.postgres import fresh_database
from tests.helpers.zhaiyao_process import zhaiyao_run

HELD, LIMITED, DONE = 905, 906, 907  # private chats that subscribe themselves
ADMIN_CHAT = 990
HEADING = "新闻摘要"
TITLE = "华为发布新款手机"
RETRY_AFTER = 15  # seconds: long enough that the kill lands while chat B waits


class KillBotAPI(FakeBotAPI):
    """Holds chat A's digest ``sendMessage`` (stored, never answered) and answers chat B's
    first digest ``sendMessage`` with 429."""

    def __init__(self) -> None:
        super().__init__()
        self.held = 0
        self.limited = 0
        self.release = asyncio.Event()

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, digest = int(params["chat_id"]), HEADING in str(params.get("text", ""))
        if digest and chat == LIMITED and not self.limited:
            self.limited += 1
            await self._notify()
            raise BotAPIError(
                429, f"Too Many Requests: retry after {RETRY_AFTER}", {"retry_after": RETRY_AFTER}
            )
        if digest and chat == HELD:
            await super()._m_sendMessage(params)  # Telegram took it ...
            self.held += 1
            await self._notify()
            await self.release.wait()  # ... and the answer never reaches the bot
            raise BotAPIError(502, "Bad Gateway")  # its caller was killed long ago
        return await super()._m_sendMessage(params)


def digests(api: FakeBotAPI, chat: int) -> list[StoredMessage]:
    """Digest messages in the chat: all Telegram stored, answered to the bot or not."""
    in_chat = [m for (c, _), m in sorted(api.messages.items()) if c == chat]
    return [m for m in in_chat if HEADING in m.text.split("\n")[0]]


async def outbox_states(url: str, chat: int) -> list[str]:
    db = await connect(url, migrate=False)
    try:
        rows = await db.fetchall(
            "SELECT o.state FROM outbox AS o JOIN digests AS d ON d.id = o.digest_id"
            " WHERE d.chat_id = ? ORDER BY o.id",
            (chat,),
        )
        return [r[0] for r in rows]
    finally:
        await db.close()


@asynccontextmanager
async def store(backend: str, workdir: Path) -> AsyncIterator[tuple[str, dict[str, str]]]:
    """The store's URL and the environment that points ``zhaiyao run`` at it."""
    if backend == "sqlite":
        path = workdir / "run.db"
        yield f"sqlite:///{path}", {"ZHAIYAO_DB": str(path)}
        return
    async with fresh_database() as url:
        yield url, {"ZHAIYAO_DATABASE_URL": url}


async def subscribe(api: FakeBotAPI, chat: int) -> None:
    api.send_text(chat, "/digest daily 08:00")
    await api.wait_for_message(chat)
    api.send_text(chat, "\n".join([TITLE, *CHIPS]))
    await api.wait_for_final(chat, 2, timeout=60)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_a_kill_before_during_and_after_sends(tmp_path: Path, backend: str) -> None:
    api = KillBotAPI()
    async with api, store(backend, tmp_path) as (url, env):
        env["ZHAIYAO_ADMIN_CHAT"] = str(ADMIN_CHAT)
        async with zhaiyao_run(api, tmp_path, **env) as run:
            for chat in (HELD, LIMITED, DONE):
                await subscribe(api, chat)
            api.send_text(DONE, "/digest now")
            await api.wait_for(lambda: digests(api, DONE), timeout=60)
            api.send_text(LIMITED, "/digest now")
            api.send_text(HELD, "/digest now")
            await api.wait_for(lambda: api.held and api.limited, timeout=60)
            assert await outbox_states(url, DONE) == ["sent"]
            run.proc.kill()  # SIGKILL: one send in flight, one waiting out a 429
            await run.proc.wait()
        assert run.proc.returncode == -9, run.output[-3000:]
        assert await outbox_states(url, HELD) == ["sending"]
        assert await outbox_states(url, LIMITED) == ["pending"]
        assert digests(api, LIMITED) == []
        api.release.set()

        async with zhaiyao_run(api, tmp_path, **env) as rerun:
            await api.wait_for(lambda: digests(api, LIMITED), timeout=60)
            await api.wait_for(lambda: api.sent(ADMIN_CHAT), timeout=30)
            await api.settle(quiet=3.0, timeout=30)
        assert rerun.proc.returncode == 0, rerun.output[-3000:]
        assert await outbox_states(url, HELD) == ["ambiguous"]
        assert await outbox_states(url, LIMITED) == ["sent"]
        assert await outbox_states(url, DONE) == ["sent"]

    for chat in (HELD, LIMITED, DONE):
        [digest] = digests(api, chat)  # once each: none lost, none doubled
        assert TITLE in digest.text and "1 条新闻" in digest.text
    asked = [c for c in api.calls_to("sendMessage", ok=None) if HEADING in str(c.params["text"])]
    assert sorted(int(c.params["chat_id"]) for c in asked) == sorted(
        [HELD, LIMITED, LIMITED, DONE]  # chat A once (held), chat B twice (429, then sent)
    )
    [report] = api.sent(ADMIN_CHAT)
    assert "不会重发" in report.text and str(HELD) in report.text
    assert str(LIMITED) not in report.text and str(DONE) not in report.text
