"""The fake Bot API's webhook side: its updates posted to webhook workers as Telegram does.

    async with WebhookDelivery(api, [url1, url2, url3], secret, redeliver=0.2) as delivery:
        api.send_text(chat_id=1, text="...")   # posted to the next worker, round-robin

Each update goes to the next worker in turn (a load balancer's round-robin) with the
``X-Telegram-Bot-Api-Secret-Token`` header; a non-2xx answer, a refused connection or a
timeout is retried at the next worker after a short pause, until one answers 200 (as
Telegram retries a webhook). A ``redeliver`` share of the updates answered 200 is posted
once more to a different worker (Telegram's at-least-once delivery). ``deliveries`` records
every attempt: (update_id, worker index, HTTP status or 0 for a failed connection).
"""

from __future__ import annotations

import asyncio
import itertools
import random
from typing import Any

import httpx

from tests.helpers.fake_bot_api import FakeBotAPI

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDelivery:
    def __init__(
        self,
        api: FakeBotAPI,
        urls: list[str],
        secret: str,
        *,
        redeliver: float = 0.0,
        seed: int = 0,
        max_connections: int = 40,
        timeout: float = 30.0,
    ) -> None:
        self.api = api
        self.urls = urls
        self.secret = secret
        self.redeliver = redeliver
        self.rng = random.Random(seed)
        self.deliveries: list[tuple[int, int, int]] = []
        self.redelivered: list[int] = []
        self._turn = itertools.count()
        self._slots = asyncio.Semaphore(max_connections)
        self._client = httpx.AsyncClient(timeout=timeout)
        self._tasks: set[asyncio.Task[None]] = set()
        self._pump: asyncio.Task[None] | None = None

    async def __aenter__(self) -> WebhookDelivery:
        self._pump = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._pump is not None:
            self._pump.cancel()
        for task in [*self._tasks, *([self._pump] if self._pump else [])]:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._client.aclose()

    def delivered(self, update_id: int) -> bool:
        return any(u == update_id and status == 200 for u, _, status in self.deliveries)

    async def _run(self) -> None:
        self._cursor = 0
        while True:
            await self.api.wait_for(lambda: len(self.api._updates) > self._cursor, timeout=3600)
            for update in self.api._updates[self._cursor :]:
                task = asyncio.create_task(self._deliver(update))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            self._cursor = len(self.api._updates)

    async def _post(self, index: int, update: dict[str, Any]) -> int:
        async with self._slots:
            try:
                answer = await self._client.post(
                    self.urls[index], json=update, headers={SECRET_HEADER: self.secret}
                )
                status = answer.status_code
            except httpx.HTTPError:
                status = 0
        self.deliveries.append((update["update_id"], index, status))
        await self.api._notify()
        return status

    async def _deliver(self, update: dict[str, Any]) -> None:
        index = next(self._turn) % len(self.urls)
        pause = 0.1
        while (await self._post(index, update)) != 200:
            index = (index + 1) % len(self.urls)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 2.0)
        if self.rng.random() < self.redeliver:
            self.redelivered.append(update["update_id"])
            await self._post((index + 1) % len(self.urls), update)
