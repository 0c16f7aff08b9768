"""One ``zhaiyao run --webhook`` worker as a real process on PostgreSQL: the secret token,
``/healthz``, duplicates answered 200 without a second answer, SIGTERM."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx

from tests.helpers.fake_bot_api import BotAPIError, FakeBotAPI
from tests.helpers.postgres import fresh_database
from tests.helpers.webhook_delivery import SECRET_HEADER
from tests.helpers.zhaiyao_process import workers

SECRET = "s3cret-token_for-tests"


async def test_a_worker_checks_the_secret_answers_once_and_stops_on_sigterm(
    fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    api = fake_bot_api
    async with fresh_database() as url, workers(api, tmp_path, url, SECRET, n=1) as (worker,):
        update = api.add_update({"message": api._message(301, 301, text="/start")})
        body = {"update_id": update, "message": api._message(301, 301, text="/start")}
        async with httpx.AsyncClient() as client:
            health = await client.get(f"http://127.0.0.1:{worker.port}/healthz")
            assert health.status_code == 200
            assert health.json()["database"] == "ok" and health.json()["models"] == "loaded"
            wrong = await client.post(worker.url, json=body, headers={SECRET_HEADER: "nope"})
            assert wrong.status_code == 403
            statuses = [
                (
                    await client.post(worker.url, json=body, headers={SECRET_HEADER: SECRET})
                ).status_code
                for _ in range(3)
            ]
            assert statuses == [200, 200, 200]  # the first claims it; duplicates: 200 too
            reply = await api.wait_for_message(301, timeout=60)
            assert "摘要" in reply.text
            await api.settle(quiet=1.0)
            assert len(api.sent(301)) == 1  # answered once
            assert api.webhook is not None and api.webhook["secret_token"] == SECRET
            started = time.monotonic()
            code = await worker.stop()
            assert code == 0 and time.monotonic() - started < 30
    output = worker.outputs[-1]
    assert f":{worker.pids[0]}] bot.webhook.worker: ready" in output  # the worker's id
    assert "duplicate, claimed before" in output
    assert SECRET not in output and api.token not in output


class HoldingBotAPI(FakeBotAPI):
    """Holds every ``sendMessage`` to chat ``HELD`` unanswered (and unstored) until released."""

    HELD = 777

    def __init__(self) -> None:
        super().__init__()
        self.held = 0
        self._release = asyncio.Event()

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        if int(params.get("chat_id", 0)) == self.HELD and not self._release.is_set():
            self.held += 1
            await self._notify()
            await self._release.wait()
            raise BotAPIError(502, "Bad Gateway")  # its caller was killed long ago
        return await super()._m_sendMessage(params)


async def test_a_worker_killed_during_a_send_is_reported_not_repeated(tmp_path: Path) -> None:
    """The kill lands while the answer's sendMessage is in flight: another worker finds
    the claim ``sending`` with its holder gone, and reports it instead of answering twice."""
    api = HoldingBotAPI()
    env = {"ZHAIYAO_ADMIN_CHAT": "-1009"}
    async with (
        api,
        fresh_database() as url,
        workers(api, tmp_path, url, SECRET, n=2, **env) as (doomed, other),
    ):
        update_id = api.add_update({"message": api._message(api.HELD, api.HELD, text="/start")})
        body = {"update_id": update_id, "message": api._message(api.HELD, api.HELD, text="/start")}
        async with httpx.AsyncClient() as client:
            sent = await client.post(doomed.url, json=body, headers={SECRET_HEADER: SECRET})
            assert sent.status_code == 200
            await api.wait_for(lambda: api.held, timeout=60)
            doomed.kill()  # SIGKILL mid-send
            # Telegram got its 200 and will not redeliver; if it did, still no second answer:
            again = await client.post(other.url, json=body, headers={SECRET_HEADER: SECRET})
            assert again.status_code == 200
        report = await api.wait_for_message(-1009, timeout=60)
        api._release.set()
        await api.settle(quiet=3.0)
    assert f"ambiguous: worker died during send: update {update_id} (chat {api.HELD}" in report.text
    assert api.sent(api.HELD) == []  # not answered a second time (the held one never landed)
    assert len(api.sent(-1009)) == 1


async def test_a_worker_killed_while_its_answer_waits_out_a_429_is_replaced(
    fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    """Telegram refused the only send (429, retry after 30 s), so nothing reached the chat:
    after the kill another worker takes the claim over and answers, once."""
    api, chat = fake_bot_api, 778
    async with (
        fresh_database() as url,
        workers(api, tmp_path, url, SECRET, n=2) as (doomed, other),
    ):
        api.fail_next("sendMessage", 1, retry_after=30)
        update_id = api.add_update({"message": api._message(chat, chat, text="/start")})
        body = {"update_id": update_id, "message": api._message(chat, chat, text="/start")}
        async with httpx.AsyncClient() as client:
            sent = await client.post(doomed.url, json=body, headers={SECRET_HEADER: SECRET})
            assert sent.status_code == 200
        await api.wait_for(lambda: api.calls_to("sendMessage", ok=False), timeout=60)
        await asyncio.sleep(0.5)  # the refusal is recorded: the claim is back to 'claimed'
        doomed.kill()
        reply = await api.wait_for_message(chat, timeout=60)
        await api.settle(quiet=3.0)
    assert "摘要" in reply.text and len(api.sent(chat)) == 1
    assert "taken over from a stopped worker" in other.outputs[-1]
