"""One ``zhaiyao run --webhook`` worker as a real process on PostgreSQL: the secret token,
``/healthz``, duplicates answered 200 without a second answer, SIGTERM."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.helpers.fake_bot_api import FakeBotAPI
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
