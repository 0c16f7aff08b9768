"""Admin replies as text, in the reader's language (``bot/texts/admin.py``): Telegram HTML
(escaped) for the bot, plain text for the shell."""

from __future__ import annotations

import html as html_lib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.admin.files import AdminFile
from bot.texts import Lang, t
from storage.admin import AuditEntry, DeliveryCounts
from storage.admin.moderation import Ban, QuotaState
from storage.admin.stats import BotStats
from storage.feeds import Feed


def _bold(text: str, html: bool) -> str:
    return f"<b>{html_lib.escape(text)}</b>" if html else text


def _esc(text: object, html: bool) -> str:
    return html_lib.escape(str(text)) if html else str(text)


def human_bytes(n: int, *, decimal: bool = False) -> str:
    """Binary units by default; ``decimal`` as Telegram states its limits (50 MB = 50e6 B)."""
    step, units = (1000, ("B", "kB", "MB", "GB")) if decimal else (1024, ("B", "KB", "MB", "GB"))
    size = float(n)
    for unit in units:
        if size < step or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= step
    raise AssertionError("unreachable")


def too_large_text(file: AdminFile, lang: Lang, *, html: bool = True) -> str:
    """The reply when an export or backup cannot be sent: where it is on the server."""
    size, limit = human_bytes(file.size, decimal=True), human_bytes(file.limit, decimal=True)
    where = f"<code>{html_lib.escape(str(file.path))}</code>" if html else str(file.path)
    return t("adm_too_large", lang, size=size, limit=limit, where=where)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


def stats_text(stats: BotStats, lang: Lang, *, html: bool = True) -> str:
    lines = [
        _bold(t("adm_stats_title", lang), html),
        t(
            "adm_stats",
            lang,
            users=stats.users,
            chats=stats.chats,
            articles=stats.articles,
            today=stats.requests_today,
            week=stats.requests_7d,
            p50=_ms(stats.latency_p50_ms),
            p95=_ms(stats.latency_p95_ms),
            banned=stats.banned,
            db=human_bytes(stats.db_bytes),
        ),
    ]
    lines.append(_bold(t("adm_failures", lang), html))
    lines += _pairs(stats.failures_7d, html) or ["—"]
    lines.append(_bold(t("adm_top_domains", lang), html))
    lines += _pairs(stats.top_domains_7d, html) or ["—"]
    return "\n".join(lines)


def _pairs(pairs: Iterable[tuple[str, int]], html: bool) -> list[str]:
    return [f"• {_esc(name, html)}: {count}" for name, count in pairs]


@dataclass(frozen=True, slots=True)
class UserReport:
    user_id: int
    ban: Ban | None
    allowlisted: bool
    quota: QuotaState
    recent: Sequence[str]  # recent request lines, newest first


def user_text(report: UserReport, lang: Lang, *, html: bool = True) -> str:
    quota, ban = report.quota, report.ban
    limit = t("adm_unlimited", lang) if quota.limit is None else str(quota.limit)
    banned = (
        t(
            "adm_user_banned",
            lang,
            reason=_esc(ban.reason or t("adm_no_reason", lang), html),
            by=ban.banned_by,
            at=_esc(ban.banned_at, html),
        )
        if ban
        else t("adm_user_not_banned", lang)
    )
    allowed = "adm_user_allowlisted" if report.allowlisted else "adm_user_not_allowlisted"
    lines = [
        _bold(f"👤 {report.user_id}", html),
        banned,
        t(allowed, lang),
        t("adm_user_quota", lang, used=quota.used, limit=limit, day=quota.day),
        _bold(t("adm_recent", lang), html),
    ]
    lines += [f"• {_esc(line, html)}" for line in report.recent] or ["—"]
    return "\n".join(lines)


def audit_text(entries: Sequence[AuditEntry], lang: Lang, *, html: bool = True) -> str:
    if not entries:
        return t("adm_audit_empty", lang)
    lines = [_bold(t("adm_audit_title", lang), html)]
    for e in entries:
        args = ", ".join(f"{k}={v}" for k, v in sorted(e.args.items()))
        who = "shell" if e.origin == "shell" else str(e.admin_id)
        lines.append(_esc(f"{e.at[:19]} {who} {e.action} {args}".rstrip(), html))
    return "\n".join(lines)


def broadcast_progress_text(
    counts: DeliveryCounts, lang: Lang, *, final: bool, cancelled: bool
) -> str:
    state = "cancelled" if cancelled else ("done" if final else "sending")
    return t(
        "adm_bc_progress",
        lang,
        state=t(f"adm_bc_state_{state}", lang),
        done=counts.done,
        total=counts.total,
        sent=counts.sent,
        blocked=counts.blocked,
        failed=counts.failed,
    )


def feeds_text(feeds: Sequence[Feed], lang: Lang, *, html: bool = True) -> str:
    if not feeds:
        return t("adm_feeds_none", lang)
    lines = [_bold(t("adm_feeds_title", lang, n=len(feeds)), html)]
    for f in feeds:
        health = "✅" if f.failures == 0 else t("adm_feed_failures", lang, n=f.failures)
        polled = f"{f.last_polled_at:%m-%d %H:%M}" if f.last_polled_at else t("adm_never", lang)
        line = t(
            "adm_feed_line", lang, id=f.id, chat=f.chat_id, health=health, polled=polled, url=f.url
        )
        lines.append(_esc(line, html))
        if f.last_error:
            lines.append("   " + _esc(f.last_error[:120], html))
    return "\n".join(lines)
