"""Gates that run before the chat handlers: bans / allow-only, and daily quotas.

Groups (lower runs first): ``BAN_GROUP`` −6 drops every update of a banned user (or, in
allow-only mode, of anyone not allowlisted) with :class:`ApplicationHandlerStop` before
anything else sees it: not recorded as activity, not rate-limited with a reply, and no
link fetched. ``QUOTA_GROUP`` −1 runs after the chat feature's tracking (−3) and rate
limit (−2): a message that would read articles past the user's daily quota gets one
polite line instead of cards.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop

from bot.context import Context
from bot.telegram.access_log import note
from bot.telegram.send import reply
from bot.texts import t

BAN_GROUP = -6  # first of all
QUOTA_GROUP = -1
DOCUMENT_SUFFIXES = (".html", ".htm", ".txt")


async def ban_gate(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None:  # channel posts, polls: nobody to ban
        return
    if not await context.admin.may_use(user.id):
        note("banned")
        raise ApplicationHandlerStop


async def articles_in(message: Message, context: Context) -> int:
    """How many articles the chat feature will read for this message (0: none)."""
    if message.document is not None:
        name = (message.document.file_name or "").casefold()
        return 1 if name.endswith(DOCUMENT_SUFFIXES) else 0
    # The chat feature's own classification (links, pasted text, group addressing,
    # auto mode), made once per update: the quota counts exactly what will be read.
    request = await context.request(message)
    return 0 if request is None else int(request.cost)


async def quota_gate(update: Update, context: Context) -> None:
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return
    admin = context.admin
    if not await admin.has_quota(user.id):
        return  # the common case: one indexed lookup, no classification
    wanted = await articles_in(message, context)
    if wanted and not await admin.consume_quota(user.id, wanted):
        note("quota")
        quota = await admin.moderation.quota(user.id)
        lang = await context.lang()
        await reply(context.bot, message, t("quota_used", lang, limit=quota.limit))
        raise ApplicationHandlerStop
