"""The Telegram side of broadcasts: parse ``/broadcast``, the confirm/cancel buttons,
the background send with its progress edited into one message, resume at start-up.
"""

from __future__ import annotations

import logging
import re
from typing import Literal

from telegram import Message, Update

from bot.admin.broadcast import BroadcastRunner
from bot.admin.text import broadcast_progress_text
from bot.context import BotApp, Context, reader_lang
from bot.telegram.send import cosmetic, edit
from bot.texts import Lang, t
from storage.admin.broadcasts import Audience, Broadcast, DeliveryCounts
from storage.errors import NotFound

log = logging.getLogger(__name__)

_COMMAND = re.compile(r"^/broadcast(?:@\w+)?\s*", re.IGNORECASE)
_AUDIENCE = re.compile(r"^(users|chats)\b\s*", re.IGNORECASE)
_CALLBACK = re.compile(r"^adm:bc:(go|no):(\d+)$")


def parse_command(message: Message) -> tuple[Audience, str] | None:
    """``/broadcast [users|chats] TEXT`` → (audience, TEXT as Telegram HTML).

    The text keeps the admin's formatting: ``text_html`` turns their entities into HTML
    and escapes everything else.
    """
    body = _COMMAND.sub("", message.text_html or "", count=1)
    audience: Audience = "users"
    if match := _AUDIENCE.match(body):
        audience = "chats" if match[1].casefold() == "chats" else "users"
        body = body[match.end() :]
    body = body.strip()
    return (audience, body) if body else None


def start_sending(app: BotApp, broadcast_id: int) -> None:
    """Send in the background; ``app.stop()`` waits for it, and it stops early (after
    the send in flight is recorded) as soon as the application stops running."""
    app.create_task(_send(app, broadcast_id), name=f"broadcast-{broadcast_id}")


async def lang_of_admin(app: BotApp, admin_id: int) -> Lang:
    """The language of the admin who confirmed a broadcast (its progress is theirs to read)."""
    try:
        prefs = await app.bot_data.services.users.get_user(admin_id)
    except NotFound:
        prefs = None
    return reader_lang(prefs, None)


async def _send(app: BotApp, broadcast_id: int) -> None:
    service = app.bot_data.admin
    lang = await lang_of_admin(app, (await service.broadcasts.get(broadcast_id)).created_by)

    async def progress(b: Broadcast, counts: DeliveryCounts, final: bool) -> None:
        if b.progress_chat_id is None or b.progress_message_id is None:
            return
        cancelled = b.state == "cancelled"
        text = broadcast_progress_text(counts, lang, final=final, cancelled=cancelled)
        await cosmetic(
            lambda: app.bot.edit_message_text(text, b.progress_chat_id, b.progress_message_id),
            what="editMessageText",
        )

    runner = BroadcastRunner(service.broadcasts, app.bot, progress=progress)
    result = await runner.run(broadcast_id, keep_going=lambda: app.running)
    log.info("broadcast %s: %s (finished=%s)", broadcast_id, result.counts, result.finished)


async def resume_unfinished(app: BotApp) -> list[int]:
    """Restart the broadcasts a previous process left sending; their ids."""
    service = app.bot_data.admin
    unfinished = await service.broadcasts.unfinished()
    for b in unfinished:
        start_sending(app, b.id)
    return [b.id for b in unfinished]


async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    match = _CALLBACK.match(query.data)
    assert match is not None  # the handler's pattern
    action: Literal["go", "no"] = "go" if match[1] == "go" else "no"
    bid, admin_id = int(match[2]), update.effective_user.id
    service, lang = context.admin, await context.lang()
    message = query.message if isinstance(query.message, Message) else None

    async def answer(text: str) -> None:
        await cosmetic(lambda: query.answer(text), what="answerCallbackQuery")

    if action == "no":
        await service.cancel_broadcast(admin_id, bid)
        await answer(t("adm_bc_answer_cancelled", lang))
        if message is not None:
            await edit(context.bot, message, t("adm_bc_cancelled", lang))
        return
    total = await service.confirm_broadcast(admin_id, bid)
    if total is None:  # a second click, or cancelled meanwhile
        await answer(t("adm_bc_answer_handled", lang))
        return
    await answer(t("adm_bc_answer_sending", lang, n=total))
    if message is not None:
        await service.broadcasts.set_progress_message(bid, message.chat.id, message.message_id)
        counts = DeliveryCounts(pending=total)
        text = broadcast_progress_text(counts, lang, final=False, cancelled=False)
        await edit(context.bot, message, text)
    start_sending(context.application, bid)
