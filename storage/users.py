"""Users and chats the bot has met, with their preferences (storage/migrations/0003).

``touch_user`` / ``touch_chat`` upsert on every update (last_seen), so the rows double as
the audience list for broadcasts and as usage stats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from storage.db import Database, Record, read_time
from storage.errors import NotFound

Lang = Literal["zh", "en"]
MIN_SENTENCES, MAX_SENTENCES = 1, 10


@dataclass(frozen=True, slots=True)
class UserPrefs:
    id: int
    lang: str | None  # chosen with /lang; None: follow language_code
    language_code: str | None
    summary_sentences: int | None
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class ChatPrefs:
    id: int
    type: str
    title: str | None
    auto_mode: bool
    lang: str | None
    first_seen: datetime
    last_seen: datetime


def _user(row: Record) -> UserPrefs:
    return UserPrefs(
        row["id"],
        row["lang"],
        row["language_code"],
        row["summary_sentences"],
        read_time(row["first_seen"]),
        read_time(row["last_seen"]),
    )


def _chat(row: Record) -> ChatPrefs:
    return ChatPrefs(
        row["id"],
        row["type"],
        row["title"],
        bool(row["auto_mode"]),
        row["lang"],
        read_time(row["first_seen"]),
        read_time(row["last_seen"]),
    )


class UserRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def touch_user(
        self,
        user_id: int,
        *,
        username: str | None = None,
        first_name: str | None = None,
        language_code: str | None = None,
    ) -> UserPrefs:
        now = datetime.now(UTC)
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO users (id, username, first_name, language_code, first_seen, last_seen)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET username = excluded.username,"
                " first_name = excluded.first_name,"
                " language_code = COALESCE(excluded.language_code, users.language_code),"
                " last_seen = excluded.last_seen",
                (user_id, username, first_name, language_code, now, now),
            )
        return await self.get_user(user_id)

    async def touch_chat(self, chat_id: int, *, type: str, title: str | None = None) -> ChatPrefs:
        now = datetime.now(UTC)
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO chats (id, type, title, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET type = excluded.type,"
                " title = excluded.title, last_seen = excluded.last_seen",
                (chat_id, type, title, now, now),
            )
        return await self.get_chat(chat_id)

    async def get_user(self, user_id: int) -> UserPrefs:
        row = await self.db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
        if row is None:
            raise NotFound("user", user_id)
        return _user(row)

    async def get_chat(self, chat_id: int) -> ChatPrefs:
        row = await self.db.fetchone("SELECT * FROM chats WHERE id = ?", (chat_id,))
        if row is None:
            raise NotFound("chat", chat_id)
        return _chat(row)

    async def set_lang(self, user_id: int, lang: Lang) -> None:
        await self._update("users", user_id, "lang", lang)

    async def set_summary_sentences(self, user_id: int, sentences: int) -> None:
        if not MIN_SENTENCES <= sentences <= MAX_SENTENCES:
            raise ValueError(f"summary length must be {MIN_SENTENCES}..{MAX_SENTENCES}")
        await self._update("users", user_id, "summary_sentences", sentences)

    async def set_auto_mode(self, chat_id: int, on: bool) -> None:
        await self._update("chats", chat_id, "auto_mode", int(on))

    async def set_chat_lang(self, chat_id: int, lang: Lang) -> None:
        await self._update("chats", chat_id, "lang", lang)

    async def _update(self, table: str, key: int, column: str, value: object) -> None:
        # table/column come from the methods above only, never from user input
        async with self.db.transaction() as conn:
            cur = await conn.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (value, key))
            if cur.rowcount == 0:
                raise NotFound(table[:-1], key)

    async def count(self) -> tuple[int, int]:
        """(users, chats)."""
        users = await self.db.scalar("SELECT COUNT(*) FROM users")
        chats = await self.db.scalar("SELECT COUNT(*) FROM chats")
        return int(users), int(chats)
