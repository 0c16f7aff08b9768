"""AdminService: every admin action in one place, audited, shared by the Telegram
handlers (``bot/handlers/admin.py``) and usable from the shell.

Handlers parse and reply; this class does the work and writes the audit row, so an
action cannot be taken without being recorded.
"""

from __future__ import annotations

import platform
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bot.admin.alerts import ErrorAlerts
from bot.admin.text import UserReport, audit_text, human_bytes, stats_text, user_text
from storage import Database
from storage.admin import AuditLog, BroadcastStore, Moderation, backup, export_jsonl
from storage.admin.broadcasts import Audience
from storage.admin.stats import collect_stats, database_bytes


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


class AdminService:
    def __init__(self, db: Database, *, admin_ids: frozenset[int], alerts: ErrorAlerts) -> None:
        self.db = db
        self.admin_ids = admin_ids
        self.alerts = alerts
        self.moderation = Moderation(db)
        self.audit = AuditLog(db)
        self.broadcasts = BroadcastStore(db)
        self.started = time.monotonic()
        self.started_at = datetime.now(UTC)
        self.workdir = Path(tempfile.gettempdir())

    # gate -------------------------------------------------------------------------------
    async def may_use(self, user_id: int) -> bool:
        return user_id in self.admin_ids or await self.moderation.may_use(user_id)

    async def consume_quota(self, user_id: int, articles: int) -> bool:
        if user_id in self.admin_ids or articles <= 0:
            return True
        return await self.moderation.consume(user_id, articles)

    # read-only views --------------------------------------------------------------------
    async def stats_text(self) -> str:
        return stats_text(await collect_stats(self.db))

    async def user_text(self, user_id: int) -> str:
        recent: list[str] = []
        if await self._has_table("requests"):
            rows = await self.db.fetchall(
                "SELECT created_at, kind, target, outcome FROM requests"
                " WHERE user_id = ? ORDER BY id DESC LIMIT 10",
                (user_id,),
            )
            recent = [f"{r[0][:16]} {r[1]} {r[3]} {(r[2] or '')[:60]}" for r in rows]
        report = UserReport(
            user_id,
            await self.moderation.ban_of(user_id),
            await self.moderation.is_allowlisted(user_id),
            await self.moderation.quota(user_id),
            recent,
        )
        return user_text(report)

    async def audit_text(self, limit: int = 20) -> str:
        return audit_text(await self.audit.recent(limit))

    async def health_text(self, *, queue_depth: int, extra: dict[str, str] | None = None) -> str:
        uptime = int(time.monotonic() - self.started)
        hours, rest = divmod(uptime, 3600)
        lines = [
            "<b>🩺 Health</b>",
            f"uptime: {hours}h {rest // 60}m (since {self.started_at:%Y-%m-%d %H:%M} UTC)",
            f"zhaiyao {_version('zhaiyao')} · python-telegram-bot {_version('python-telegram-bot')}"
            f" · Python {platform.python_version()} · SQLite {sqlite3.sqlite_version}",
            f"update queue: {queue_depth}",
            f"database: {human_bytes(await database_bytes(self.db))}",
            f"broadcasts running: {len(await self.broadcasts.unfinished())}",
        ]
        lines += [f"{k}: {v}" for k, v in (extra or {}).items()]
        lines.append("<b>last errors</b>")
        errors = list(self.alerts.recent)[-5:]
        lines += [
            f"• {e.at:%m-%d %H:%M} {_escape(e.kind)}: {_escape(e.message[:120])}"
            for e in reversed(errors)
        ] or ["—"]
        return "\n".join(lines)

    # actions (each audited) -------------------------------------------------------------
    async def ban(self, admin_id: int, user_id: int, reason: str | None) -> None:
        await self.moderation.ban(user_id, by=admin_id, reason=reason)
        await self.audit.record(admin_id, "ban", {"user_id": user_id, "reason": reason})

    async def unban(self, admin_id: int, user_id: int) -> bool:
        was = await self.moderation.unban(user_id)
        await self.audit.record(admin_id, "unban", {"user_id": user_id, "was_banned": was})
        return was

    async def allow(self, admin_id: int, user_id: int) -> None:
        await self.moderation.allow(user_id, by=admin_id)
        await self.audit.record(admin_id, "allow", {"user_id": user_id})

    async def set_allow_only(self, admin_id: int, on: bool) -> None:
        await self.moderation.set_allow_only(on)
        await self.audit.record(admin_id, "allowonly", {"on": on})

    async def set_quota(self, admin_id: int, user_id: int, limit: int | None) -> None:
        await self.moderation.set_quota(user_id, limit, by=admin_id)
        await self.audit.record(admin_id, "quota", {"user_id": user_id, "limit": limit})

    async def purge(self, admin_id: int, article_id: int) -> None:
        from storage.articles import ArticleRepository  # raises NotFound when absent

        await ArticleRepository(self.db).purge(article_id)
        await self.audit.record(admin_id, "purge", {"article_id": article_id})

    async def reindex(self, admin_id: int, progress: Callable[[int, int], None] | None) -> int:
        from storage.articles import ArticleRepository

        done: int = await ArticleRepository(self.db).reindex(progress)
        await self.audit.record(admin_id, "reindex", {"articles": done})
        return done

    async def export(self, admin_id: int) -> Path:
        out = self.workdir / f"zhaiyao-export-{datetime.now(UTC):%Y%m%dT%H%M%S%f}.jsonl.gz"
        result = await export_jsonl(self.db, out)
        await self.audit.record(admin_id, "export", {"rows": result.rows})
        return result.path

    async def backup(self, admin_id: int) -> Path:
        out = self.workdir / f"zhaiyao-backup-{datetime.now(UTC):%Y%m%dT%H%M%S%f}.db"
        await self.audit.record(admin_id, "backup", {})  # recorded first: it is in the copy
        return await backup(self.db, out)

    # broadcasts -------------------------------------------------------------------------
    async def recipients(self, audience: Audience) -> list[int]:
        """Private users the bot has met, or the group chats it is in / that subscribe."""
        if audience == "users":
            if not await self._has_table("users"):
                return []
            rows = await self.db.fetchall("SELECT id FROM users ORDER BY id")
        else:
            if not await self._has_table("chats"):
                return []
            rows = await self.db.fetchall("SELECT id FROM chats WHERE id < 0 ORDER BY id")
        return [r[0] for r in rows]

    async def draft_broadcast(self, admin_id: int, text: str, audience: Audience) -> int:
        bid = await self.broadcasts.create(text, audience, created_by=admin_id)
        await self.audit.record(admin_id, "broadcast.draft", {"id": bid, "audience": audience})
        return bid

    async def confirm_broadcast(self, admin_id: int, broadcast_id: int) -> int | None:
        """Snapshot the audience and mark it sending; the number of recipients, or None
        if it was not a draft (already confirmed or cancelled: a double click)."""
        broadcast = await self.broadcasts.get(broadcast_id)
        recipients = await self.recipients(broadcast.audience)
        if not await self.broadcasts.start(broadcast_id, recipients):
            return None
        total = (await self.broadcasts.counts(broadcast_id)).total
        await self.audit.record(
            admin_id, "broadcast.send", {"id": broadcast_id, "recipients": total}
        )
        return total

    async def cancel_broadcast(self, admin_id: int, broadcast_id: int) -> bool:
        done = await self.broadcasts.cancel(broadcast_id)
        await self.audit.record(admin_id, "broadcast.cancel", {"id": broadcast_id})
        return done

    async def _has_table(self, name: str) -> bool:
        found = await self.db.scalar(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        )
        return bool(found == 1)


def _escape(text: str) -> str:
    import html

    return html.escape(text)
