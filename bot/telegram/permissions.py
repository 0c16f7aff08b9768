"""Who may do what in a chat: admins via getChatMember, channels the user administers.

Used by every feature that changes a chat's settings (digests, feeds): private chats
configure themselves; in groups only chat admins (and an anonymous admin posting as the
group); a channel from a private chat only when both the bot and the user administer it.
"""

from __future__ import annotations

from telegram import Bot, Chat, ChatMember, Update
from telegram.error import BadRequest, Forbidden

from bot.context import Context

ADMIN_STATUSES = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})


async def is_admin(bot: Bot, chat_id: int, user_id: int) -> bool:
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except (BadRequest, Forbidden):
        return False
    return member.status in ADMIN_STATUSES


async def may_configure(update: Update, context: Context) -> bool:
    """Private chats configure themselves; in groups only chat admins (incl. anonymous)."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or chat.type == Chat.PRIVATE:
        return True
    if message is not None and message.sender_chat and message.sender_chat.id == chat.id:
        return True  # an anonymous admin posting as the group
    return user is not None and await is_admin(context.bot, chat.id, user.id)


def target_of(word: str) -> int | str:
    return int(word) if word.lstrip("-").isdigit() else word


async def admin_channel(update: Update, context: Context, word: str) -> int | None:
    """The id of channel ``word`` (@name or id) if the bot serves it and the user
    administers it; ``None`` otherwise."""
    user = update.effective_user
    try:
        channel = await context.bot.get_chat(target_of(word))
    except (BadRequest, Forbidden):
        return None
    if user is None or channel.type != Chat.CHANNEL:
        return None
    if not await is_admin(context.bot, channel.id, user.id):
        return None
    return channel.id
