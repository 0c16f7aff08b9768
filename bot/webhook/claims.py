"""Which Bot API calls a claimed update made: the hook that says whether it may be redone.

Every Bot API request goes through :class:`ClaimAwareRequest` (PTB's own ``HTTPXRequest``
with a step before and after). While the webhook worker handles a claimed update it sets
``current_sends`` for that update's task; each request that changes a chat — anything but
a lookup (``get…``) or a cosmetic call — is announced before it leaves (:meth:`Sends.before`:
the claim becomes ``sending``) and its outcome after (:meth:`Sends.after`). A call Telegram
refused (a 429, a 400) or that never left (no connection) changed nothing: while every call
so far was refused, the claim goes back to ``claimed``. A worker that dies while its claim
is ``claimed`` left nothing in any chat, and the update is handled again elsewhere; one
that dies while it is ``sending`` may have, and the update is reported instead.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Protocol

import httpx
from telegram.error import NetworkError
from telegram.request import HTTPXRequest

# Calls whose repetition nobody sees (and whose loss nobody minds).
COSMETIC = frozenset({"sendChatAction", "answerCallbackQuery"})
# A request that failed with one of these never reached Telegram.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Sends(Protocol):
    async def before(self) -> None: ...

    async def after(self, *, refused: bool) -> None: ...


current_sends: ContextVar[Sends | None] = ContextVar("zhaiyao_current_sends", default=None)


def changes_chat(method: str) -> bool:
    return not method.startswith("get") and method not in COSMETIC


class ClaimAwareRequest(HTTPXRequest):
    """``HTTPXRequest`` that tells the current update's :class:`Sends` about its calls."""

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        sends = current_sends.get()
        if sends is None or not changes_chat(url.rsplit("/", 1)[-1]):
            return await super().do_request(url, method, *args, **kwargs)
        await sends.before()
        try:
            code, payload = await super().do_request(url, method, *args, **kwargs)
        except NetworkError as err:
            await sends.after(refused=isinstance(err.__cause__, _NOT_SENT))
            raise
        await sends.after(refused=code != 200)  # an error answer: Telegram did nothing
        return code, payload
