"""Admin replies as text: Telegram HTML (escaped) for the bot, plain text for the shell."""

from __future__ import annotations

import html as html_lib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.admin.files import AdminFile
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


def too_large_text(file: AdminFile, *, html: bool = True) -> str:
    """The reply when an export or backup cannot be sent: where it is on the server."""
    size, limit = human_bytes(file.size, decimal=True), human_bytes(file.limit, decimal=True)
    where = f"<code>{html_lib.escape(str(file.path))}</code>" if html else str(file.path)
    return (
        f"⚠️ 文件太大（{size}，Telegram 上限 {limit}），无法发送，已保存在服务器上：\n"
        f"The file is too large to send through Telegram ({size}, limit {limit});"
        f" it is kept on the server at:\n{where}"
    )


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


def stats_text(stats: BotStats, *, html: bool = True) -> str:
    lines = [
        _bold("📊 统计 / Stats", html),
        f"用户 users: {stats.users}",
        f"群组 chats: {stats.chats}",
        f"文章 articles: {stats.articles}",
        f"请求 requests: today {stats.requests_today} · 7 days {stats.requests_7d}",
        f"延迟 latency (7 days): p50 {_ms(stats.latency_p50_ms)} · p95 {_ms(stats.latency_p95_ms)}",
        f"封禁 banned: {stats.banned}",
        f"数据库 database: {human_bytes(stats.db_bytes)}",
    ]
    lines.append(_bold("失败 failures (7 days)", html))
    lines += _pairs(stats.failures_7d, html) or ["—"]
    lines.append(_bold("来源 top domains (7 days)", html))
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


def user_text(report: UserReport, *, html: bool = True) -> str:
    quota = report.quota
    limit = "unlimited" if quota.limit is None else str(quota.limit)
    lines = [
        _bold(f"👤 {report.user_id}", html),
        "封禁 banned: "
        + (
            f"yes — {_esc(report.ban.reason or '(no reason)', html)}"
            f" (by {report.ban.banned_by}, {_esc(report.ban.banned_at, html)})"
            if report.ban
            else "no"
        ),
        f"白名单 allowlisted: {'yes' if report.allowlisted else 'no'}",
        f"配额 quota: {quota.used}/{limit} today ({quota.day})",
        _bold("最近 recent", html),
    ]
    lines += [f"• {_esc(line, html)}" for line in report.recent] or ["—"]
    return "\n".join(lines)


def audit_text(entries: Sequence[AuditEntry], *, html: bool = True) -> str:
    if not entries:
        return "审计日志为空 / The audit log is empty."
    lines = [_bold("🧾 审计 / Audit", html)]
    for e in entries:
        args = ", ".join(f"{k}={v}" for k, v in sorted(e.args.items()))
        who = "shell" if e.origin == "shell" else str(e.admin_id)
        lines.append(_esc(f"{e.at[:19]} {who} {e.action} {args}".rstrip(), html))
    return "\n".join(lines)


def broadcast_progress_text(counts: DeliveryCounts, *, final: bool, cancelled: bool) -> str:
    state = "已取消 cancelled" if cancelled else ("完成 done" if final else "发送中 sending…")
    return (
        f"📣 广播 broadcast: {state}\n"
        f"{counts.done}/{counts.total} · sent {counts.sent} · blocked {counts.blocked}"
        f" · failed {counts.failed}"
    )


def feeds_text(feeds: Sequence[Feed], *, html: bool = True) -> str:
    if not feeds:
        return "没有订阅源 / No feeds."
    lines = [_bold(f"📰 订阅源 / Feeds ({len(feeds)})", html)]
    for f in feeds:
        health = "✅" if f.failures == 0 else f"⚠️ {f.failures} failures"
        polled = f"{f.last_polled_at:%m-%d %H:%M}" if f.last_polled_at else "never"
        line = f"#{f.id} chat {f.chat_id} · {health} · polled {polled} · {f.url}"
        lines.append(_esc(line, html))
        if f.last_error:
            lines.append("   " + _esc(f.last_error[:120], html))
    return "\n".join(lines)
