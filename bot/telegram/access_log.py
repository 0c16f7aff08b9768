"""One INFO line per update: which chat, what kind of update, the outcome, milliseconds.

An operator sees that a document was ignored or a page refused without reading user
content: the line never holds message text, links or tokens. Handlers (and the send
path) record the outcome with :func:`note` while the update is processed; the
Application subclass :class:`LoggedApplication` (set in ``build_application``) times the
update and writes the line when every handler group is done.

Outcomes: ``ignored`` (nothing answered), ``answered`` (something was sent), and the
specific ones handlers note — ``refused`` (an expected error, told to the user),
``rate_limited``, ``banned``, ``quota``, ``unsupported``, ``error`` (an unexpected error).
A specific outcome is kept over ``answered``; ``error`` is kept over everything.
"""

from __future__ import annotations

import logging
import time
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import Application

log = logging.getLogger("bot.updates")

_GENERIC = ("ignored", "answered")
_outcome: ContextVar[list[str] | None] = ContextVar("zhaiyao_update_outcome", default=None)


def note(outcome: str) -> None:
    """Record what became of the update being processed (no-op outside one)."""
    box = _outcome.get()
    if box is None or box[0] == "error":
        return
    if outcome == "answered" and box[0] not in _GENERIC:
        return
    box[0] = outcome


def kind_of(update: object) -> str:
    if not isinstance(update, Update):
        return type(update).__name__
    if update.callback_query is not None:
        return "button"
    if update.my_chat_member is not None or update.chat_member is not None:
        return "membership"
    message = update.message or update.channel_post
    if message is not None:
        if message.document is not None:
            return "document"
        if (message.text or "").startswith("/"):
            return "command"
        return "channel_post" if update.channel_post is not None else "message"
    if update.edited_message is not None or update.edited_channel_post is not None:
        return "edit"
    return "other"


def chat_of(update: object) -> str:
    chat = update.effective_chat if isinstance(update, Update) else None
    return str(chat.id) if chat is not None else "-"


class LoggedApplication(Application[Any, Any, Any, Any, Any, Any]):
    """PTB's Application, writing one access-log line per processed update."""

    async def process_update(self, update: object) -> None:
        box = ["ignored"]
        token = _outcome.set(box)
        started = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            _outcome.reset(token)
            ms = (time.perf_counter() - started) * 1000
            log.info(
                "update chat=%s kind=%s outcome=%s ms=%.0f",
                chat_of(update),
                kind_of(update),
                box[0],
                ms,
            )
