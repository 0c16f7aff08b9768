"""storage.users: users/chats upserts and preferences on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.db import connect
from storage.errors import NotFound
from storage.users import UserRepository


async def test_users_and_chats_are_upserted_with_their_preferences(tmp_path: Path) -> None:
    db = await connect(tmp_path / "u.db")
    users = UserRepository(db)
    try:
        first = await users.touch_user(7, username="a", first_name="A", language_code="en-US")
        assert (first.lang, first.summary_sentences, first.language_code) == (None, None, "en-US")
        await users.set_lang(7, "zh")
        await users.set_summary_sentences(7, 5)
        again = await users.touch_user(7, username="b", language_code=None)
        assert (again.lang, again.summary_sentences, again.language_code) == ("zh", 5, "en-US")
        assert again.first_seen == first.first_seen and again.last_seen >= first.last_seen
        with pytest.raises(ValueError):
            await users.set_summary_sentences(7, 11)

        chat = await users.touch_chat(-100, type="supergroup", title="新闻群")
        assert chat.auto_mode is False
        await users.set_auto_mode(-100, True)
        assert (await users.touch_chat(-100, type="supergroup", title="改名")).auto_mode is True
        assert (await users.get_chat(-100)).title == "改名"
        assert await users.count() == (1, 1)
        with pytest.raises(NotFound):
            await users.get_user(8)
        with pytest.raises(NotFound):
            await users.set_auto_mode(-999, True)
    finally:
        await db.close()
