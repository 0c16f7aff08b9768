"""AdminService: every admin action in one place, audited, shared by the Telegram
handlers (``bot/admin/handlers.py``) and usable from the shell.

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
from typing import Any

from bot.admin.alerts import ErrorAlerts
from bot.admin.files import UPLOAD_LIMIT, AdminFile, fit_for_upload
from bot.admin.text import UserReport, audit_text, human_bytes, stats_text, user_text
from bot.texts import Lang, t
from storage import Database
from storage.admin import AuditLog, BroadcastStore, Moderation, backup, export_jsonl
from storage.admin.audit import Origin
from storage.admin.broadcasts import Audience
from storage.admin.dump import ExportResult
from storage.admin.stats import collect_stats, database_bytes
from storage.db import read_time, utc_stamp
from storage.feeds import Feed


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "?"


class AdminService:
    def __init__(
        self,
        db: Database,
        *,
        admin_ids: frozenset[int],
        alerts: ErrorAlerts,
        max_links_per_message: int = 3,
        upload_limit: int = UPLOAD_LIMIT,
        keep_dir: Path | None = None,
        origin: Origin = "telegram",
        actor: dict[str, str] | None = None,
    ) -> None:
        self.db = db
        # who acts: Telegram admins, or a shell user (``zhaiyao admin``), named in each row
        self.origin = origin
        self.actor = actor or {}
        self.admin_ids = admin_ids
        self.max_links_per_message = max_links_per_message
        self.alerts = alerts
        self.moderation = Moderation(db)
        self.audit = AuditLog(db)
        self.broadcasts = BroadcastStore(db)
        self.started = time.monotonic()
        self.started_at = datetime.now(UTC)
        self.workdir = Path(tempfile.gettempdir())
        # exports/backups too large for Telegram stay here (out of the temporary directory)
        self.upload_limit = upload_limit
        self.keep_dir = keep_dir or self.workdir / "zhaiyao-admin-files"

    # gate -------------------------------------------------------------------------------
    async def may_use(self, user_id: int) -> bool:
        return user_id in self.admin_ids or await self.moderation.may_use(user_id)

    async def has_quota(self, user_id: int) -> bool:
        if user_id in self.admin_ids:
            return False
        return (await self.moderation.quota(user_id)).limit is not None

    async def consume_quota(self, user_id: int, articles: int) -> bool:
        if user_id in self.admin_ids or articles <= 0:
            return True
        return await self.moderation.consume(user_id, articles)

    # read-only views --------------------------------------------------------------------
    async def stats_text(self, lang: Lang) -> str:
        return stats_text(await collect_stats(self.db), lang)

    async def user_text(self, admin_id: int, user_id: int, lang: Lang) -> str:
        """A user's record; looking at someone's history is audited like an action."""
        await self._audit(admin_id, "user", {"user_id": user_id})
        recent: list[str] = []
        if await self._has_table("requests"):
            rows = await self.db.fetchall(
                "SELECT created_at, kind, target, outcome FROM requests"
                " WHERE user_id = ? ORDER BY id DESC LIMIT 10",
                (user_id,),
            )
            recent = [
                f"{utc_stamp(read_time(r[0]))[:16]} {r[1]} {r[3]} {(r[2] or '')[:60]}" for r in rows
            ]
        report = UserReport(
            user_id,
            await self.moderation.ban_of(user_id),
            await self.moderation.is_allowlisted(user_id),
            await self.moderation.quota(user_id),
            recent,
        )
        return user_text(report, lang)

    async def audit_text(self, lang: Lang, limit: int = 20) -> str:
        return audit_text(await self.audit.recent(limit), lang)

    async def health_text(
        self, lang: Lang, *, queue_depth: int, extra: dict[str, str] | None = None
    ) -> str:
        uptime = int(time.monotonic() - self.started)
        hours, rest = divmod(uptime, 3600)
        versions = (
            f"zhaiyao {_version('zhaiyao')} · python-telegram-bot {_version('python-telegram-bot')}"
            f" · Python {platform.python_version()} · SQLite {sqlite3.sqlite_version}"
        )
        lines = [
            t(
                "adm_health",
                lang,
                hours=hours,
                minutes=rest // 60,
                since=f"{self.started_at:%Y-%m-%d %H:%M}",
                versions=versions,
                queue=queue_depth,
                db=human_bytes(await database_bytes(self.db)),
                broadcasts=len(await self.broadcasts.unfinished()),
            )
        ]
        lines += [f"{k}: {v}" for k, v in (extra or {}).items()]
        lines.append(t("adm_last_errors", lang))
        errors = list(self.alerts.recent)[-5:]
        lines += [
            f"• {e.at:%m-%d %H:%M} {_escape(e.kind)}: {_escape(e.message[:120])}"
            for e in reversed(errors)
        ] or ["—"]
        return "\n".join(lines)

    # actions (each audited) -------------------------------------------------------------
    async def ban(self, admin_id: int, user_id: int, reason: str | None) -> None:
        await self.moderation.ban(user_id, by=admin_id, reason=reason)
        await self._audit(admin_id, "ban", {"user_id": user_id, "reason": reason})

    async def unban(self, admin_id: int, user_id: int) -> bool:
        was = await self.moderation.unban(user_id)
        await self._audit(admin_id, "unban", {"user_id": user_id, "was_banned": was})
        return was

    async def allow(self, admin_id: int, user_id: int) -> None:
        await self.moderation.allow(user_id, by=admin_id)
        await self._audit(admin_id, "allow", {"user_id": user_id})

    async def set_allow_only(self, admin_id: int, on: bool) -> None:
        await self.moderation.set_allow_only(on)
        await self._audit(admin_id, "allowonly", {"on": on})

    async def set_quota(self, admin_id: int, user_id: int, limit: int | None) -> None:
        await self.moderation.set_quota(user_id, limit, by=admin_id)
        await self._audit(admin_id, "quota", {"user_id": user_id, "limit": limit})

    async def purge(self, admin_id: int, article_id: int) -> None:
        from storage.articles import ArticleRepository  # raises NotFound when absent
        from summarizer.analyze import index_analysis

        await ArticleRepository(self.db).purge(article_id, index_analysis)
        await self._audit(admin_id, "purge", {"article_id": article_id})

    async def reindex(self, admin_id: int, progress: Callable[[int, int], None] | None) -> int:
        """Every stored article analysed again for the index (its words and signature, as
        ``analyze`` builds them), and the new index swapped in whole by storage."""
        from storage.articles import ArticleRepository
        from summarizer.analyze import index_analysis
        from summarizer.keywords import background_shares

        repo = ArticleRepository(self.db, prior=background_shares)
        done: int = await repo.reindex(index_analysis, progress)
        await self._audit(admin_id, "reindex", {"articles": done})
        return done

    async def export(self, admin_id: int) -> AdminFile:
        """A gzip JSONL export, ready to send unless over :attr:`upload_limit`."""
        out = self.workdir / f"zhaiyao-export-{datetime.now(UTC):%Y%m%dT%H%M%S%f}.jsonl.gz"
        result = await export_jsonl(self.db, out)
        await self._audit(admin_id, "export", {"rows": result.rows})
        return await self._fit(result.path)

    async def backup(self, admin_id: int) -> AdminFile:
        """A SQLite backup, gzipped when only that brings it under :attr:`upload_limit`."""
        out = self.workdir / f"zhaiyao-backup-{datetime.now(UTC):%Y%m%dT%H%M%S%f}.db"
        await self._audit(admin_id, "backup", {})  # recorded first: it is in the copy
        return await self._fit(await backup(self.db, out))

    async def export_to(self, admin_id: int, path: Path) -> ExportResult:
        """A gzip JSONL export written to ``path`` (the shell's ``export -o``)."""
        result = await export_jsonl(self.db, path)
        await self._audit(admin_id, "export", {"path": str(result.path), "rows": result.rows})
        return result

    async def backup_to(self, admin_id: int, path: Path) -> Path:
        """A SQLite backup written to ``path`` (the shell's ``backup -o``)."""
        await self._audit(admin_id, "backup", {"path": str(path)})
        return await backup(self.db, path)

    async def _audit(self, admin_id: int, action: str, args: dict[str, Any]) -> None:
        await self.audit.record(admin_id, action, {**args, **self.actor}, origin=self.origin)

    async def _fit(self, path: Path) -> AdminFile:
        return await fit_for_upload(path, limit=self.upload_limit, keep_dir=self.keep_dir)

    # broadcasts -------------------------------------------------------------------------
    async def recipients(self, audience: Audience) -> list[int]:
        """``users``: everyone who has a private chat with the bot, minus the banned;
        ``chats``: the chats that get digests or follow feeds (and did not remove us)."""
        if audience == "users":
            if not await self._has_table("users"):
                return []
            # A user who only wrote in groups has no private chat with the bot, and
            # Telegram refuses to start one (403): they are not part of the audience.
            rows = await self.db.fetchall(
                "SELECT id FROM users WHERE id IN (SELECT id FROM chats WHERE type = 'private')"
                " AND id NOT IN (SELECT user_id FROM bans) ORDER BY id"
            )
        else:
            if not await self._has_table("subscriptions"):
                return []
            rows = await self.db.fetchall(
                "SELECT chat_id FROM subscriptions WHERE state = 'active' AND (schedule != 'off'"
                " OR chat_id IN (SELECT chat_id FROM feeds)) ORDER BY chat_id"
            )
        return [r[0] for r in rows]

    async def all_feeds(self, limit: int = 50) -> list[Feed]:
        """Every chat's feeds, failing ones first (for ``/feeds``)."""
        if not await self._has_table("feeds"):
            return []
        from storage.feeds import FeedRepository

        rows = await self.db.fetchall(
            "SELECT id FROM feeds ORDER BY failures DESC, chat_id, id LIMIT ?", (limit,)
        )
        repo = FeedRepository(self.db)
        return [await repo.get(r[0]) for r in rows]

    async def draft_broadcast(self, admin_id: int, text: str, audience: Audience) -> int:
        bid = await self.broadcasts.create(text, audience, created_by=admin_id)
        await self._audit(admin_id, "broadcast.draft", {"id": bid, "audience": audience})
        return bid

    async def confirm_broadcast(self, admin_id: int, broadcast_id: int) -> int | None:
        """Snapshot the audience and mark it sending; the number of recipients, or None
        if it was not a draft (already confirmed or cancelled: a double click)."""
        broadcast = await self.broadcasts.get(broadcast_id)
        recipients = await self.recipients(broadcast.audience)
        if not await self.broadcasts.start(broadcast_id, recipients):
            return None
        total = (await self.broadcasts.counts(broadcast_id)).total
        await self._audit(admin_id, "broadcast.send", {"id": broadcast_id, "recipients": total})
        return total

    async def cancel_broadcast(self, admin_id: int, broadcast_id: int) -> bool:
        done = await self.broadcasts.cancel(broadcast_id)
        await self._audit(admin_id, "broadcast.cancel", {"id": broadcast_id})
        return done

    async def _has_table(self, name: str) -> bool:
        return name in await self.db.table_names()


def _escape(text: str) -> str:
    import html

    return html.escape(text)
