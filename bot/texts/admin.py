"""The admin feature's words (zh, en): replies to admin commands, broadcasts, reports.

Admins read them in their own /lang like every user; ``zhaiyao admin`` (the shell) prints
the English side.
"""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    "adm_usage": ("用法：{usage}", "usage: {usage}"),
    "adm_banned": ("已封禁 {user}", "banned {user}"),
    "adm_unbanned": ("已解封 {user}", "unbanned {user}"),
    "adm_not_banned": ("{user} 未被封禁", "{user} was not banned"),
    "adm_allowlisted": ("已加入白名单 {user}", "allowlisted {user}"),
    "adm_allow_only": ("仅白名单模式：{state}", "allow-only mode: {state}"),
    "adm_quota_set": ("{user} 的配额：{shown}", "quota of {user}: {shown}"),
    "adm_unlimited": ("不限", "unlimited"),
    "adm_per_day": ("每天 {n} 篇", "{n}/day"),
    "adm_no_article": ("没有文章 {id}", "no article {id}"),
    "adm_purged": ("已删除文章 {id}", "purged article {id}"),
    "adm_reindexing": ("重建索引…", "reindexing…"),
    "adm_reindex_progress": ("重建索引… {n}/{total}", "reindexing… {n}/{total}"),
    "adm_reindexed": ("重建索引完成：{n} 篇文章", "reindexed {n} articles"),
    "adm_too_long": ("太长：最多 {n} 个字符", "too long: at most {n} characters"),
    "adm_bc_preview": (
        "📣 预览 → {audience} ({n})\n\n{text}",
        "📣 preview → {audience} ({n})\n\n{text}",
    ),
    "adm_bc_send": ("✅ 发送 ({n})", "✅ send ({n})"),
    "adm_bc_cancel": ("✖️ 取消", "✖️ cancel"),
    "adm_bc_cancelled": ("📣 广播已取消", "📣 broadcast cancelled"),
    "adm_bc_answer_cancelled": ("已取消", "cancelled"),
    "adm_bc_answer_handled": ("已处理", "already handled"),
    "adm_bc_answer_sending": ("发送中：{n} 人", "sending to {n}"),
    "adm_bc_progress": (
        "📣 广播：{state}\n{done}/{total} · 已发送 {sent} · 被屏蔽 {blocked} · 失败 {failed}",
        "📣 broadcast: {state}\n{done}/{total} · sent {sent} · blocked {blocked} · failed {failed}",
    ),
    "adm_bc_state_cancelled": ("已取消", "cancelled"),
    "adm_bc_state_done": ("完成", "done"),
    "adm_bc_state_sending": ("发送中…", "sending…"),
    "adm_too_large": (
        "⚠️ 文件太大（{size}，Telegram 上限 {limit}），无法发送，已保存在服务器上：\n{where}",
        "⚠️ The file is too large to send through Telegram ({size}, limit {limit});"
        " it is kept on the server at:\n{where}",
    ),
    "adm_stats_title": ("📊 统计", "📊 Stats"),
    "adm_stats": (
        "用户：{users}\n群组：{chats}\n文章：{articles}\n请求：今天 {today} · 7 天 {week}\n"
        "延迟（7 天）：p50 {p50} · p95 {p95}\n封禁：{banned}\n数据库：{db}",
        "users: {users}\nchats: {chats}\narticles: {articles}\n"
        "requests: today {today} · 7 days {week}\nlatency (7 days): p50 {p50} · p95 {p95}\n"
        "banned: {banned}\ndatabase: {db}",
    ),
    "adm_failures": ("失败（7 天）", "failures (7 days)"),
    "adm_top_domains": ("来源（7 天）", "top domains (7 days)"),
    "adm_user_banned": (
        "封禁：是 — {reason}（{by}，{at}）",
        "banned: yes — {reason} (by {by}, {at})",
    ),
    "adm_user_not_banned": ("封禁：否", "banned: no"),
    "adm_no_reason": ("（无理由）", "(no reason)"),
    "adm_user_allowlisted": ("白名单：是", "allowlisted: yes"),
    "adm_user_not_allowlisted": ("白名单：否", "allowlisted: no"),
    "adm_user_quota": ("配额：今天 {used}/{limit}（{day}）", "quota: {used}/{limit} today ({day})"),
    "adm_recent": ("最近", "recent"),
    "adm_audit_empty": ("审计日志为空。", "The audit log is empty."),
    "adm_audit_title": ("🧾 审计", "🧾 Audit"),
    "adm_feeds_none": ("没有订阅源。", "No feeds."),
    "adm_feeds_title": ("📰 订阅源 ({n})", "📰 Feeds ({n})"),
    "adm_feed_line": (
        "#{id} 会话 {chat} · {health} · 上次抓取 {polled} · {url}",
        "#{id} chat {chat} · {health} · polled {polled} · {url}",
    ),
    "adm_feed_failures": ("⚠️ 失败 {n} 次", "⚠️ {n} failures"),
    "adm_never": ("从未", "never"),
    "adm_health": (
        "<b>🩺 状态</b>\n运行时间：{hours}h {minutes}m（自 {since} UTC）\n{versions}\n"
        "更新队列：{queue}\n数据库：{db}\n进行中的广播：{broadcasts}",
        "<b>🩺 Health</b>\nuptime: {hours}h {minutes}m (since {since} UTC)\n{versions}\n"
        "update queue: {queue}\ndatabase: {db}\nbroadcasts running: {broadcasts}",
    ),
    "adm_last_errors": ("<b>最近的错误</b>", "<b>last errors</b>"),
    "adm_alert_suppressed": ("（此前 {n} 条同类错误未发送）", "({n} similar errors not sent)"),
    "adm_ambiguous": (
        "⚠️ <b>消息可能未送达</b>\n发送中途工作进程退出，Telegram 是否收到无法确定；"
        "为避免重复，不会重发。",
        "⚠️ <b>Messages may not have arrived</b>\nA worker stopped while Telegram had "
        "these; to avoid doubles they are not sent again.",
    ),
    "adm_ambiguous_line": (
        "• 会话 <code>{chat}</code>：{what}",
        "• chat <code>{chat}</code>: {what}",
    ),
    "adm_ambiguous_digest": ("摘要 {digest} 第 {part} 部分", "digest {digest} part {part}"),
}

#: Usage of each admin command (syntax, the same in both languages), in menu order.
USAGE: Final[dict[str, str]] = {
    "stats": "/stats",
    "user": "/user ID",
    "ban": "/ban ID [reason]",
    "unban": "/unban ID",
    "allow": "/allow ID",
    "allowonly": "/allowonly on|off",
    "quota": "/quota ID N|off",
    "broadcast": "/broadcast [users|chats] TEXT",
    "purge": "/purge ARTICLE_ID",
    "reindex": "/reindex",
    "export": "/export",
    "backup": "/backup",
    "feeds": "/feeds",
    "health": "/health",
    "audit": "/audit [N]",
}

#: Each admin command's menu description (zh, en), set in each admin's private chat.
COMMANDS: Final[dict[str, tuple[str, str]]] = {
    "stats": ("统计：用户、会话、文章、请求、延迟", "users, chats, articles, requests, latency"),
    "user": ("用户：记录、配额、封禁 /user ID", "a user's history, quota, ban /user ID"),
    "ban": ("封禁 /ban ID [理由]", "ban /ban ID [reason]"),
    "unban": ("解封 /unban ID", "unban /unban ID"),
    "allow": ("加入白名单 /allow ID", "allowlist /allow ID"),
    "allowonly": ("仅白名单 on|off", "allow-only mode on|off"),
    "quota": ("每日文章配额 /quota ID N|off", "articles a day /quota ID N|off"),
    "broadcast": ("广播 [users|chats] 文字", "broadcast [users|chats] TEXT"),
    "purge": ("删除文章 /purge ID", "delete an article /purge ID"),
    "reindex": ("重建索引", "rebuild the search index"),
    "export": ("导出文章和请求记录", "export articles + request log (gzip JSONL)"),
    "backup": ("数据库备份", "database backup"),
    "feeds": ("全部订阅源及状态", "all feeds with health"),
    "health": ("运行状态", "uptime, versions, queue, last errors"),
    "audit": ("审计日志 /audit [N]", "audit log /audit [N]"),
}
