"""Which Bot API calls an update made: the hook that marks a claimed update ``sending``.

Every Bot API request goes through :class:`ClaimAwareRequest` (PTB's own ``HTTPXRequest``
with one step added): when the update being handled has a claim (``before_send`` is set
for its task by the webhook worker), the first request that changes a chat — anything but
a lookup (``get…``) or a cosmetic call — waits until the claim is marked ``sending``. A
worker that dies before that point left nothing in any chat, and its update is handled
again elsewhere; one that dies after it may have, and its update is reported instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from telegram.request import HTTPXRequest

# Calls whose repetition nobody sees (and whose loss nobody minds).
COSMETIC = frozenset({"sendChatAction", "answerCallbackQuery"})

before_send: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar(
    "zhaiyao_before_send", default=None
)


def changes_chat(method: str) -> bool:
    return not method.startswith("get") and method not in COSMETIC


class ClaimAwareRequest(HTTPXRequest):
    """``HTTPXRequest`` that runs the current update's ``before_send`` hook first."""

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        hook = before_send.get()
        if hook is not None and changes_chat(url.rsplit("/", 1)[-1]):
            await hook()
        return await super().do_request(url, method, *args, **kwargs)
