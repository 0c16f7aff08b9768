"""The 正在读取… placeholder: shown when fetching a page takes long, edited into the answer.

A placeholder costs two Bot API calls (the placeholder, then the edit) where an answer
alone costs one, and every call counts against Telegram's ~30 calls/s for the bot: under a
burst, cosmetic calls would make the cards themselves wait. So only work that waits on the
network (a link) gets one, and only when it has not answered after
:data:`PLACEHOLDER_AFTER`; local work (pasted text: about 0.1 s of CPU) gets none, however
long it queues, and no chat action is sent before a placeholder.

Whatever Telegram does meanwhile (429s, dropped connections, a placeholder the user
deleted), the user gets exactly one final answer, replying to their message, and no
placeholder is left behind.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup, Message
from telegram.error import TelegramError

from bot.telegram.access_log import note
from bot.telegram.send import delete, edit, send
from bot.texts import Lang, t

log = logging.getLogger(__name__)
T = TypeVar("T")
# A fetch that has not answered after this long gets a placeholder message first.
PLACEHOLDER_AFTER = 1.0

Render = Callable[[T], tuple[str, InlineKeyboardMarkup | None]]


async def _show_placeholder(
    bot: Any, chat_id: int, reply_to: int | None, lang: Lang
) -> Message | None:
    try:
        (placeholder,) = await send(bot, chat_id, t("reading", lang), reply_to=reply_to)
    except TelegramError as err:  # cosmetic: the answer will be sent fresh
        log.info("placeholder not shown in %s: %s", chat_id, err)
        return None
    return placeholder


async def with_placeholder(
    bot: Any,
    chat_id: int,
    reply_to: int | None,
    lang: Lang,
    work: Awaitable[T],
    render: Render[T],
    on_error: Callable[[BaseException], str | None],
    *,
    placeholder_after: float | None = PLACEHOLDER_AFTER,
) -> None:
    """Run ``work``; if it takes longer than ``placeholder_after`` seconds, show 正在读取…
    and edit it into the result (``None``: never a placeholder).

    ``on_error`` turns an expected error into one sentence (``None``: not expected; the
    placeholder is removed and the error re-raised for the application's error handler,
    which answers the user)."""
    task: asyncio.Future[T] = asyncio.ensure_future(work)
    placeholder = None
    if placeholder_after is not None:
        done, _ = await asyncio.wait({task}, timeout=placeholder_after)
        placeholder = None if done else await _show_placeholder(bot, chat_id, reply_to, lang)
    try:
        result = await task
    except Exception as err:
        sentence = on_error(err)
        if sentence is None:
            if placeholder is not None:
                await delete(bot, placeholder)
            raise
        note("refused")
        text, markup = html.escape(sentence), None
    else:
        text, markup = render(result)
    if placeholder is not None:
        await edit(bot, placeholder, text, reply_to=reply_to, markup=markup)
    else:
        await send(bot, chat_id, text, reply_to=reply_to, markup=markup)
