"""/feed and OPML imports: the feed feature's words (zh, en)."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    "feed_cannot_read": ("暂时无法读取：{reason}", "Cannot read it yet: {reason}"),
    "feed_polled": (
        "读到 {items} 条，收录 {new} 条新内容。",
        "{items} items, {new} new stories taken.",
    ),
    "feed_admins_only": ("只有群管理员可以修改订阅源。", "Only chat admins can change feeds."),
    "feed_following": ("已订阅：{name}", "Following: {name}"),
    "feed_none": ("还没有订阅源。/feed add 链接", "No feeds yet. /feed add URL"),
    "feed_removed": ("已取消：{name}", "Removed: {name}"),
    "feed_usage": (
        "用法：/feed add 链接 | list | remove N | filter N +词 -词 | instant N on|off",
        "Usage: /feed add URL | list | remove N | filter N +word -word | instant N on|off",
    ),
    "feed_no_number": ("没有这个编号，请看 /feed list。", "No such feed number; see /feed list."),
    "feed_failing": (
        "⚠️ 订阅源 {name} 已连续 {n} 次读取失败：{reason}\n"
        "我会放慢重试；用 /feed list 查看，/feed remove 编号 取消订阅。",
        "⚠️ The feed {name} failed {n} times in a row: {reason}\n"
        "I will retry less often; see /feed list, or stop it with /feed remove N.",
    ),
    "opml_admins_only": ("只有群管理员可以导入订阅源。", "Only chat admins can import feeds."),
    "opml_too_large": (
        "OPML 文件太大（最多 {mb} MB）。",
        "That OPML file is too large (at most {mb} MB).",
    ),
    "opml_invalid": ("这不是有效的 OPML 文件。", "That is not a valid OPML file."),
    "opml_imported": (
        "导入了 {added} 个订阅源（最多 {most} 个），稍后开始抓取。",
        "Imported {added} feeds (at most {most}); polling starts shortly.",
    ),
}
