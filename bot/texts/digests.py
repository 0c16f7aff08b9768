"""/digest and /channel: the digest feature's words (zh, en)."""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    "digest_status": (
        "摘要计划：<b>{schedule}</b>（{tz}），下一次：{when}\n"
        "{stories} 条 · 摘要 {chars} 字 · 实体{entities} · {language}",
        "Digest schedule: <b>{schedule}</b> ({tz}), next: {when}\n"
        "{stories} stories · {chars}-char summaries · entities {entities} · {language}",
    ),
    "on": ("开", "on"),
    "off": ("关", "off"),
    "language_zh": ("中文", "Chinese"),
    "language_en": ("英文", "English"),
    "digest_admins_only": ("只有群管理员可以设置摘要。", "Only chat admins can set digests."),
    "schedule_bad": (
        "看不懂这个时间。用法：/digest {help}",
        "I cannot read that schedule. Usage: /digest {help}",
    ),
    "settings_title": ("⚙️ <b>摘要设置</b>", "⚙️ <b>Digest settings</b>"),
    "btn_chars": ("{n}字", "{n} chars"),
    "btn_entities_on": ("实体 开", "Entities on"),
    "btn_entities_off": ("实体 关", "Entities off"),
    "admins_only_change": ("只有管理员可以修改。", "Only admins can change this."),
    "saved": ("已保存", "Saved"),
    "channel_private_only": ("请在私聊中设置频道。", "Configure channels in a private chat."),
    "channel_choose": (
        "点下面的按钮选择频道（你和我都须是它的管理员），或发送 /channel add @频道名。",
        "Tap the button below to choose the channel (you and I must both be its "
        "administrators), or send /channel add @channel.",
    ),
    "channel_choose_button": ("选择频道", "Choose a channel"),
    "channel_usage": (
        "用法：/channel add @频道名 [daily 08:00] | settings|now|off @频道名",
        "Usage: /channel add @channel [daily 08:00] | settings|now|off @channel",
    ),
    "channel_not_yours": ("没有找到你管理的这个频道。", "No such channel that you administer."),
    "channel_sent": ("已发送（{status}）。", "Sent ({status})."),
    "channel_not_found": (
        "找不到这个频道，请先把我加为频道管理员。",
        "I cannot find that channel; add me as its admin first.",
    ),
    "not_a_channel": ("这不是频道。", "That is not a channel."),
    "channel_make_me_admin": (
        "请先把我设为该频道的管理员。",
        "Make me an administrator of the channel first.",
    ),
    "channel_admins_only": (
        "只有频道管理员可以设置摘要。",
        "Only the channel's administrators can set its digest.",
    ),
    "channel_on": ("已为频道 {name} 开启摘要。", "Digest on for {name}."),
    # the digest itself, in the digest's own language (its settings), not the reader's
    "dg_title": ("📰 <b>新闻摘要</b>", "📰 <b>News digest</b>"),
    "dg_time_format": ("%m月%d日 %H:%M", "%d %b %H:%M"),
    "dg_until": ("截至 {end}", "until {end}"),
    "dg_count": ("{n} 条新闻", "{n} stories"),
    "dg_count_one": ("{n} 条新闻", "{n} story"),
    "dg_empty": ("今天这里没有新的报道。", "No new stories this time."),
    "dg_outlets": ("{n} 家媒体", "{n} outlets"),
    "dg_related": ("相关：", "Related: "),
    "dg_more": (" 等 {n} 篇", " and {n} more"),
    "dg_hot": ("🔎 <b>热点</b> ", "🔎 <b>Most mentioned</b> "),
    "dg_entities": ("{label}：{names}", "{label}: {names}"),
    "dg_name_separator": ("、", ", "),
}
