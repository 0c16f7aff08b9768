"""A link read once however many workers are sent it at the same moment (issue 21).

:func:`read_once` wraps ``NewsService.read`` of a link in a claim on its normalised URL
(:mod:`storage.url_claims`): the first worker fetches, analyses and stores it; one that
finds the link claimed waits, then answers from the stored article (logged as a
``duplicate`` request, as a link read earlier is), so both users get the card.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from storage.db import Database
from storage.requests import RequestLog
from storage.url_claims import reading
from storage.workers import worker_for

R = TypeVar("R")


async def read_once(
    db: Database,
    requests: RequestLog,
    url: str,
    read: Callable[[], Awaitable[R]],
    stored: Callable[[int], Awaitable[R]],
    *,
    user_id: int | None,
    chat_id: int | None,
) -> R:
    """``read()`` under the claim on ``url``, or ``stored(article_id)`` when another
    worker read it meanwhile."""
    async with reading(db, url, await worker_for(db)) as stored_id:
        if stored_id is None:
            return await read()
    started = time.perf_counter()
    report = await stored(stored_id)
    await requests.record(
        user_id,
        chat_id,
        "url",
        url,
        "duplicate",
        (time.perf_counter() - started) * 1000,
        article_id=stored_id,
    )
    return report
