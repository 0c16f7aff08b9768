"""Builders for Telegram update dicts, mixed into :class:`FakeBotAPI`.

Each ``send_*`` method builds a realistic update (entities for commands, links and
mentions computed in UTF-16 units as Telegram does), queues it for ``getUpdates`` and
returns the message dict so a test can reply to it or click its buttons.

Chat ids: positive → private chat with that user, negative → supergroup, ids registered
with ``set_chat(chat_id, type="channel", title=...)`` take that type.
"""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

_URL = re.compile(r"https?://[^\s<>\"'，。！？）】」]+")
_COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")
_MENTION = re.compile(r"@[A-Za-z0-9_]{5,32}")


def _u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def auto_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram's client-side parser would attach to a typed message."""
    entities: list[dict[str, Any]] = []
    if m := _COMMAND.match(text):
        entities.append({"type": "bot_command", "offset": 0, "length": _u16(m.group(0))})
    for pattern, kind in ((_URL, "url"), (_MENTION, "mention")):
        for m in pattern.finditer(text):
            if kind == "mention" and m.start() > 0 and text[m.start() - 1] not in " \n\t":
                continue
            entities.append(
                {"type": kind, "offset": _u16(text[: m.start()]), "length": _u16(m.group(0))}
            )
    return sorted(entities, key=lambda e: e["offset"])


class UpdateFactory:
    chats: dict[int, dict[str, Any]]
    messages: dict[Any, Any]

    def __init__(self, *, bot_id: int, bot_username: str) -> None:
        self.bot_user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Zhaiyao",
            "username": bot_username,
        }
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._last_update = 0

    # subclasses provide these
    def add_update(self, update: dict[str, Any]) -> int:  # pragma: no cover
        raise NotImplementedError

    def add_file(self, data: bytes, file_name: str) -> str:  # pragma: no cover
        raise NotImplementedError

    def _next_update_id(self) -> int:
        self._last_update = next(self._update_ids)
        return self._last_update

    def _last_update_id(self) -> int:
        return self._last_update

    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    # -- objects -------------------------------------------------------------------------
    @staticmethod
    def user_json(user_id: int, language_code: str | None = "zh-hans") -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": f"User{user_id}",
            "username": f"user{user_id}",
        }
        if language_code:
            user["language_code"] = language_code
        return user

    def chat_json(self, chat_id: int) -> dict[str, Any]:
        extra = self.chats.get(chat_id, {})
        kind = extra.get("type") or ("private" if chat_id > 0 else "supergroup")
        chat: dict[str, Any] = {"id": chat_id, "type": kind}
        if kind == "private":
            chat["first_name"] = f"User{chat_id}"
        else:
            chat["title"] = extra.get("title", f"Chat {chat_id}")
        if "username" in extra:
            chat["username"] = extra["username"]
        return chat

    def chat_member_json(self, user_id: int, status: str) -> dict[str, Any]:
        user = self.bot_user if user_id == self.bot_user["id"] else self.user_json(user_id)
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                dict.fromkeys(
                    [
                        "can_be_edited",
                        "is_anonymous",
                        "can_manage_chat",
                        "can_delete_messages",
                        "can_manage_video_chats",
                        "can_restrict_members",
                        "can_promote_members",
                        "can_change_info",
                        "can_invite_users",
                        "can_post_stories",
                        "can_edit_stories",
                        "can_delete_stories",
                    ],
                    False,
                )
            )
            member["can_manage_chat"] = True
        elif status == "restricted":
            member.update(
                dict.fromkeys(
                    [
                        "is_member",
                        "can_change_info",
                        "can_invite_users",
                        "can_pin_messages",
                        "can_send_messages",
                        "can_send_polls",
                        "can_send_other_messages",
                        "can_add_web_page_previews",
                        "can_manage_topics",
                        "can_send_audios",
                        "can_send_documents",
                        "can_send_photos",
                        "can_send_videos",
                        "can_send_video_notes",
                        "can_send_voice_notes",
                        "can_edit_tag",
                    ],
                    False,
                )
            )
            member["until_date"] = 0
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _message(
        self,
        chat_id: int,
        user_id: int | None,
        *,
        text: str | None = None,
        reply_to: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        language_code: str | None = "zh-hans",
        **extra: Any,
    ) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "message_id": self.next_message_id(chat_id),
            "date": int(time.time()),
            "chat": self.chat_json(chat_id),
        }
        if user_id is not None:
            msg["from"] = self.user_json(user_id, language_code)
        if text is not None:
            msg["text"] = text
            ents = auto_entities(text) if entities is None else entities
            if ents:
                msg["entities"] = ents
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        msg.update(extra)
        return msg

    # -- injectors -----------------------------------------------------------------------
    def send_text(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        reply_to: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        language_code: str | None = "zh-hans",
        **extra: Any,
    ) -> dict[str, Any]:
        """A user's text message; in a private chat ``user_id`` defaults to ``chat_id``."""
        user_id = user_id if user_id is not None else chat_id
        msg = self._message(
            chat_id,
            user_id,
            text=text,
            reply_to=reply_to,
            entities=entities,
            language_code=language_code,
            **extra,
        )
        self.add_update({"message": msg})
        return msg

    def edit_text(self, message: dict[str, Any], new_text: str) -> dict[str, Any]:
        msg = {**message, "text": new_text, "edit_date": int(time.time())}
        msg["entities"] = auto_entities(new_text)
        self.add_update({"edited_message": msg})
        return msg

    def send_document(
        self,
        chat_id: int,
        data: bytes,
        file_name: str,
        *,
        mime_type: str = "text/plain",
        user_id: int | None = None,
        caption: str | None = None,
    ) -> dict[str, Any]:
        file_id = self.add_file(data, file_name)
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        extra: dict[str, Any] = {"document": document}
        if caption:
            extra["caption"] = caption
        user_id = user_id if user_id is not None else chat_id
        msg = self._message(chat_id, user_id, **extra)
        self.add_update({"message": msg})
        return msg

    def forward_channel_post(
        self,
        chat_id: int,
        text: str,
        *,
        channel_id: int = -1001234567890,
        channel_title: str = "新闻频道",
        user_id: int | None = None,
    ) -> dict[str, Any]:
        """A user forwards a channel post into a chat (``forward_origin`` of type channel)."""
        origin = {
            "type": "channel",
            "date": int(time.time()) - 60,
            "chat": {"id": channel_id, "type": "channel", "title": channel_title},
            "message_id": 42,
        }
        user_id = user_id if user_id is not None else chat_id
        msg = self._message(chat_id, user_id, text=text, forward_origin=origin)
        self.add_update({"message": msg})
        return msg

    def share_chat(self, user_id: int, chat_id: int, *, request_id: int) -> dict[str, Any]:
        """The user picked ``chat_id`` with a ``request_chat`` button (a ``chat_shared``
        service message in the private chat)."""
        shared = {"request_id": request_id, "chat_id": chat_id}
        msg = self._message(user_id, user_id, chat_shared=shared)
        self.add_update({"message": msg})
        return msg

    def channel_post(self, channel_id: int, text: str) -> dict[str, Any]:
        """A post in a channel the bot administers (no ``from``)."""
        self.chats.setdefault(channel_id, {"type": "channel", "title": "Channel"})
        msg = self._message(channel_id, None, text=text)
        self.add_update({"channel_post": msg})
        return msg

    def click(self, message: Any, data: str, *, user_id: int | None = None) -> dict[str, Any]:
        """A callback query on a bot message (a ``StoredMessage`` or a message dict)."""
        is_dict = isinstance(message, dict)
        msg_json = message if is_dict else self._message_json(message)  # type: ignore[attr-defined]
        chat_id = msg_json["chat"]["id"]
        query = {
            "id": str(next(self._callback_ids)),
            "from": self.user_json(user_id if user_id is not None else chat_id),
            "message": msg_json,
            "chat_instance": f"ci{chat_id}",
            "data": data,
        }
        self.add_update({"callback_query": query})
        return query

    def my_chat_member(
        self, chat_id: int, *, old: str = "left", new: str = "member", by_user: int = 1
    ) -> dict[str, Any]:
        """The bot's membership in ``chat_id`` changed (added to a group, blocked, ...)."""
        bot_id = self.bot_user["id"]
        change = {
            "chat": self.chat_json(chat_id),
            "from": self.user_json(by_user),
            "date": int(time.time()),
            "old_chat_member": self.chat_member_json(bot_id, old),
            "new_chat_member": self.chat_member_json(bot_id, new),
        }
        self.add_update({"my_chat_member": change})
        return change

    def bot_message_json(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """A message the bot sent, as a dict (to use as ``reply_to``)."""
        return self._message_json(self.messages[(chat_id, message_id)])  # type: ignore[attr-defined,no-any-return]
