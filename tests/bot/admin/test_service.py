"""AdminService on a real database: broadcast audiences, audited actions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.admin.alerts import ErrorAlerts
from bot.admin.service import AdminService
from storage import Database, connect
from storage.feeds import FeedRepository
from storage.subscriptions import SubscriptionRepository
from storage.users import UserRepository


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[AdminService]:
    db: Database = await connect(tmp_path / "z.db")
    yield AdminService(db, admin_ids=frozenset({1}), alerts=ErrorAlerts(None))
    await db.close()


async def test_audiences(service: AdminService) -> None:
    users = UserRepository(service.db)
    for user_id in (10, 11, 12, 13):
        await users.touch_user(user_id)
    for user_id in (10, 11, 12):  # 13 only ever wrote in a group: no private chat
        await users.touch_chat(user_id, type="private")
    await users.touch_chat(-500, type="group")
    await service.ban(1, 11, "spam")
    assert await service.recipients("users") == [10, 12]

    subs = SubscriptionRepository(service.db)
    await subs.ensure(-100, "group")  # configured, but no digest and no feed: not subscribed
    await subs.ensure(-200, "group")
    await subs.set_schedule(-200, "daily 08:00", None)
    await subs.ensure(-300, "channel")
    await FeedRepository(service.db).add(-300, "https://example.cn/rss")
    await subs.ensure(-400, "group")
    await subs.set_schedule(-400, "daily 08:00", None)
    await subs.set_state(-400, "gone")  # the bot was removed
    assert await service.recipients("chats") == [-300, -200]


async def test_actions_are_audited_and_admins_bypass_gates(service: AdminService) -> None:
    await service.set_allow_only(1, True)
    await service.set_quota(1, 5, 0)
    assert await service.may_use(1)  # an admin is never locked out
    assert not await service.may_use(5)
    await service.allow(1, 5)
    assert await service.may_use(5)
    assert await service.has_quota(5) and not await service.has_quota(1)
    assert await service.consume_quota(5, 0)  # nothing to read: nothing counted
    assert not await service.consume_quota(5, 1)
    bid = await service.draft_broadcast(1, "hi", "users")
    assert await service.confirm_broadcast(1, bid) == 0
    assert await service.confirm_broadcast(1, bid) is None  # a double click
    actions = [e.action for e in await service.audit.recent()]
    assert actions == [
        "broadcast.send",
        "broadcast.draft",
        "allow",
        "quota",
        "allowonly",
    ]
    text = await service.audit_text("en")
    assert "1 quota limit=0, user_id=5" in text
