"""Sending replies: split to the limit, fall back to plain text, and the 正在读取… placeholder.

Telegram rejects a message whose HTML it cannot parse; we escape everything, but if it
still says no, the same text goes out as plain text rather than not at all.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from telegram import InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ChatAction
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.render import split_message
from bot.texts import t

log = logging.getLogger(__name__)
T = TypeVar("T")
# A fetch that has not answered after this long gets a placeholder message first.
PLACEHOLDER_AFTER = 1.0
_TAG = re.compile(r"<[^<>]*>")
# Network failures before Telegram took the message (502, connection refused) are retried
# with backoff. A timeout is not: the message may have arrived, and a retry would repeat it.
SEND_ATTEMPTS = 4
BACKOFF_S = 0.5


async def _send(bot: Any, chat_id: int, text: str, **kwargs: Any) -> Message:
    for attempt in range(SEND_ATTEMPTS):
        try:
            message: Message = await bot.send_message(chat_id, text, **kwargs)
            return message
        except (BadRequest, TimedOut):
            raise
        except NetworkError as err:
            if attempt == SEND_ATTEMPTS - 1:
                raise
            log.warning("sendMessage failed (%s); retrying", err.message)
            await asyncio.sleep(BACKOFF_S * 2**attempt)
    raise AssertionError("unreachable")


def html_to_plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


def _is_parse_error(err: BadRequest) -> bool:
    return "parse entities" in err.message.lower() or "entity" in err.message.lower()


async def send_html(
    bot: Any,
    chat_id: int,
    text: str,
    *,
    reply_to: int | None = None,
    markup: InlineKeyboardMarkup | None = None,
) -> list[Message]:
    """Send ``text`` (Telegram HTML) as one or more messages; buttons on the last one."""
    chunks = split_message(text)
    sent: list[Message] = []
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        params = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        kwargs: dict[str, Any] = {
            "reply_parameters": params if i == 0 else None,
            "reply_markup": markup if last else None,
        }
        try:
            sent.append(await _send(bot, chat_id, chunk, **kwargs))
        except BadRequest as err:
            if not _is_parse_error(err):
                raise
            log.warning("Telegram rejected our HTML (%s); sending plain text", err.message)
            sent.append(await _send(bot, chat_id, html_to_plain(chunk), parse_mode=None, **kwargs))
    return sent


async def edit_html(
    bot: Any, message: Message, text: str, *, markup: InlineKeyboardMarkup | None = None
) -> list[Message]:
    """Turn ``message`` (a placeholder) into ``text``; overflow goes out as new messages."""
    chunks = split_message(text)
    if not chunks:
        return []
    first_markup = markup if len(chunks) == 1 else None
    try:
        await bot.edit_message_text(
            chunks[0],
            chat_id=message.chat_id,
            message_id=message.message_id,
            reply_markup=first_markup,
        )
    except BadRequest as err:
        if not _is_parse_error(err):
            raise
        await bot.edit_message_text(
            html_to_plain(chunks[0]),
            chat_id=message.chat_id,
            message_id=message.message_id,
            reply_markup=first_markup,
            parse_mode=None,
        )
    rest: list[Message] = []
    for j, chunk in enumerate(chunks[1:], start=1):
        rest += await send_html(
            bot, message.chat_id, chunk, markup=markup if j == len(chunks) - 1 else None
        )
    return rest


async def typing(bot: Any, chat_id: int) -> None:
    try:
        await bot.send_chat_action(chat_id, ChatAction.TYPING)
    except BadRequest:  # e.g. a channel where we may not post: not worth failing over
        log.debug("sendChatAction refused in %s", chat_id)


async def with_placeholder(
    bot: Any,
    chat_id: int,
    reply_to: int | None,
    lang: str,
    work: Awaitable[T],
    render: Callable[[T], tuple[str, InlineKeyboardMarkup | None]],
    on_error: Callable[[BaseException], str | None],
) -> None:
    """Run ``work``; if it takes long, show 正在读取… and edit it into the result.

    ``on_error`` turns an expected error into one sentence (``None``: not expected, it is
    re-raised for the application's error handler after the placeholder is removed).
    """
    task: asyncio.Task[T] = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=PLACEHOLDER_AFTER)
    placeholder: Message | None = None
    if not done:
        (placeholder,) = await send_html(bot, chat_id, t("reading", lang), reply_to=reply_to)
    try:
        result = await task
    except Exception as err:
        sentence = on_error(err)
        if sentence is None:
            if placeholder is not None:
                await bot.delete_message(chat_id, placeholder.message_id)
            raise
        text, markup = html.escape(sentence), None
    else:
        text, markup = render(result)
    if placeholder is not None:
        await edit_html(bot, placeholder, text, markup=markup)
    else:
        await send_html(bot, chat_id, text, reply_to=reply_to, markup=markup)


async def send_all(bot: Any, chat_id: int, texts: Sequence[str], reply_to: int | None) -> None:
    for text in texts:
        await send_html(bot, chat_id, text, reply_to=reply_to)
