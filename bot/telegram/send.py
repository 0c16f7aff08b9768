"""The one send path: every message the bot sends or edits goes through here.

- :func:`retried` runs one Bot API call and retries it on ``RetryAfter`` (after waiting as
  told; the bot's rate limiter may already have retried) and on network failures. A
  *read* timeout is retried only for idempotent calls (edits, deletes, lookups): a send that
  timed out may have arrived, and sending it again would post it twice. Connection failures
  before the request was answered are retried for sends too (Telegram did not answer, and in
  practice did not take the message).
- :func:`send` splits Telegram HTML below 4,096 UTF-16 units, puts the buttons on the last
  part, replies to a message when asked, and falls back to plain text when Telegram refuses
  our HTML, so a message goes out rather than not at all.
- :func:`edit` turns a message (the 正在读取… placeholder) into the answer; an edit that
  cannot be made (deleted placeholder, repeated failures) becomes a fresh reply instead.
- :func:`cosmetic` runs a call whose failure must never abort the work (typing, deleting a
  placeholder, answering a button): it logs and carries on.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from telegram import (
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.telegram.access_log import note
from bot.telegram.split import split_message

log = logging.getLogger(__name__)
T = TypeVar("T")
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove  # edits: inline only

ATTEMPTS = 6
BACKOFF_S = 0.25
MAX_BACKOFF_S = 4.0
_TAG = re.compile(r"<[^<>]*>")
# httpx timeouts that happen before the request left: safe to retry even for a send.
_NOT_SENT = (httpx.ConnectTimeout, httpx.PoolTimeout)


def retry_after_seconds(err: RetryAfter) -> float:
    """``err.retry_after`` as seconds, whether PTB gives an int or a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 warns about the int form
        value: int | timedelta = err.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def html_to_plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


def is_parse_error(err: BadRequest) -> bool:
    """Telegram could not parse our HTML ("can't parse entities", "unsupported start tag")."""
    message = err.message.lower()
    return "parse entities" in message or "entity" in message or "start tag" in message


def is_not_modified(err: BadRequest) -> bool:
    return "not modified" in err.message.lower()


def _may_retry(err: TelegramError, idempotent: bool) -> bool:
    if isinstance(err, RetryAfter):
        return True
    if isinstance(err, TimedOut):
        return idempotent or isinstance(err.__cause__, _NOT_SENT)
    return isinstance(err, NetworkError) and not isinstance(err, BadRequest)


async def retried(call: Callable[[], Awaitable[T]], *, what: str, idempotent: bool = False) -> T:
    """``await call()``, retried on 429 and network failures (see the module docstring)."""
    for attempt in range(ATTEMPTS):
        try:
            return await call()
        except TelegramError as err:
            if attempt == ATTEMPTS - 1 or not _may_retry(err, idempotent):
                raise
            if isinstance(err, RetryAfter):
                delay = retry_after_seconds(err)
            else:
                delay = min(BACKOFF_S * 2**attempt, MAX_BACKOFF_S)
            log.info("%s failed (%s); retry in %.1f s", what, type(err).__name__, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


async def cosmetic(call: Callable[[], Awaitable[object]], *, what: str) -> None:
    """A call that only makes things look nicer: retried a little, never raising."""
    try:
        await retried(call, what=what, idempotent=True)
    except TelegramError as err:
        log.info("%s skipped: %s", what, err)


async def typing(bot: Any, chat_id: int) -> None:
    await cosmetic(lambda: bot.send_chat_action(chat_id, ChatAction.TYPING), what="typing")


async def _send_one(bot: Any, chat_id: int, chunk: str, **kwargs: Any) -> Message:
    async def html_mode() -> Message:
        sent: Message = await bot.send_message(chat_id, chunk, **kwargs)
        return sent

    async def plain_mode() -> Message:
        sent: Message = await bot.send_message(
            chat_id, html_to_plain(chunk), parse_mode=None, **kwargs
        )
        return sent

    try:
        return await retried(html_mode, what="sendMessage")
    except BadRequest as err:
        if not is_parse_error(err):
            raise
        log.warning("Telegram rejected our HTML (%s); sending plain text", err.message)
        return await retried(plain_mode, what="sendMessage")


async def send(
    bot: Any,
    chat_id: int,
    text: str,
    *,
    reply_to: int | None = None,
    markup: Markup | None = None,
) -> list[Message]:
    """Send ``text`` (Telegram HTML) as one or more messages; buttons on the last one."""
    chunks = split_message(text)
    sent: list[Message] = []
    for i, chunk in enumerate(chunks):
        params = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        note("answered")
        sent.append(
            await _send_one(
                bot,
                chat_id,
                chunk,
                reply_parameters=params if i == 0 else None,
                reply_markup=markup if i == len(chunks) - 1 else None,
            )
        )
    return sent


async def _edit_one(
    bot: Any, message: Message, chunk: str, markup: InlineKeyboardMarkup | None
) -> None:
    async def edit_as(text: str, parse_mode: Any) -> None:
        try:
            await bot.edit_message_text(
                text,
                chat_id=message.chat_id,
                message_id=message.message_id,
                reply_markup=markup,
                **({"parse_mode": None} if parse_mode is None else {}),
            )
        except BadRequest as err:
            if not is_not_modified(err):  # a retried edit whose first try landed
                raise

    try:
        await retried(lambda: edit_as(chunk, "html"), what="editMessageText", idempotent=True)
    except BadRequest as err:
        if not is_parse_error(err):
            raise
        await retried(
            lambda: edit_as(html_to_plain(chunk), None), what="editMessageText", idempotent=True
        )


async def edit(
    bot: Any,
    message: Message,
    text: str,
    *,
    reply_to: int | None = None,
    markup: InlineKeyboardMarkup | None = None,
) -> list[Message]:
    """Turn ``message`` into ``text``; overflow goes out as new messages.

    When the edit cannot be made (the message is gone, or Telegram keeps failing), the
    answer is sent fresh, replying to ``reply_to``, and ``message`` is deleted: the user
    gets exactly one answer either way."""
    chunks = split_message(text)
    if not chunks:
        return []
    try:
        await _edit_one(bot, message, chunks[0], markup if len(chunks) == 1 else None)
    except TelegramError as err:
        log.info("edit of %s failed (%s); sending the answer fresh", message.message_id, err)
        await delete(bot, message)
        return await send(bot, message.chat_id, text, reply_to=reply_to, markup=markup)
    rest: list[Message] = []
    for j, chunk in enumerate(chunks[1:], start=1):
        last = j == len(chunks) - 1
        rest += await send(bot, message.chat_id, chunk, markup=markup if last else None)
    return rest


async def delete(bot: Any, message: Message) -> None:
    await cosmetic(
        lambda: bot.delete_message(message.chat_id, message.message_id), what="deleteMessage"
    )


async def reply(
    bot: Any, message: Message, text: str, *, markup: Markup | None = None
) -> list[Message]:
    """Answer ``message`` (Telegram HTML) in its chat, as a reply to it."""
    return await send(bot, message.chat_id, text, reply_to=message.message_id, markup=markup)
