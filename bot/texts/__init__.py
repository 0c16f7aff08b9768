"""The bot's own words, in Chinese and English: the one catalogue. ``t(key, lang, **fields)``.

Each feature keeps its keys in its own module here (``articles`` in this file, ``digests``,
``feeds``); :data:`CATALOGUE` merges them, and a test checks that no key is defined twice
and that every key has both languages. Strings are trusted HTML (our markup); anything
interpolated into them must be escaped by the caller (``bot.telegram.render.escape``).
"""

from __future__ import annotations

from typing import Final

from bot.texts import admin, digests, feeds

Lang = str  # "zh" | "en"

_TEXTS: Final[dict[str, tuple[str, str]]] = {
    # key: (zh, en)
    "people": ("人物", "People"),
    "places": ("地点", "Places"),
    "orgs": ("机构", "Organisations"),
    "related": ("相关报道", "Related stories"),
    "no_related": ("暂无相关报道。", "No related stories yet."),
    "also_reported": ("另有 {n} 家媒体转载", "Also reported by {n} other outlet(s)"),
    "btn_full": ("全文", "Full text"),
    "btn_entities": ("实体", "Entities"),
    "btn_related": ("相关", "Related"),
    "btn_source": ("原文", "Source"),
    "no_entities": ("没有识别出人物、地点或机构。", "No people, places or organisations found."),
    "reading": ("正在读取…", "Reading…"),
    "start": (
        "你好！我是<b>摘要</b>机器人。发给我新闻链接，或直接粘贴文章（整页复制也可以），"
        "我会给出标题、来源、摘要、人物地点机构和相关报道。\n\n发送 /help 查看全部命令。",
        "Hi! I am <b>Zhaiyao</b>. Send me a news link or paste an article (a whole copied page "
        "is fine) and I will answer with its headline, source, summary, the people, places and "
        "organisations named, and related stories.\n\nSend /help for all commands.",
    ),
    "help": (
        "<b>用法</b>\n发送链接（每条消息最多 {links} 个）、粘贴文章、转发频道消息，"
        "或上传 .html/.txt 文件。\n\n"
        "{commands}\n\n群组中请 @我、回复我或使用命令；/auto on 让我自动处理群里的链接。",
        "<b>How to use</b>\nSend links (up to {links} a message), paste an article, forward a "
        "channel post, or upload an .html/.txt file.\n\n{commands}\n\nIn groups, mention me, "
        "reply to me or use a command; /auto on makes me read every link in the group.",
    ),
    "lang_set": ("好的，之后用中文回复。", "OK, I will answer in English from now on."),
    "lang_usage": ("用法：/lang zh 或 /lang en", "Usage: /lang zh or /lang en"),
    "summary_set": ("好的，摘要长度设为 {n} 句。", "OK, summaries will have {n} sentence(s)."),
    "summary_usage": ("用法：/summary 1 到 10 之间的数字", "Usage: /summary N (1 to 10)"),
    "search_usage": ("用法：/search 关键词", "Usage: /search keyword"),
    "search_none": ("没有找到与“{q}”相关的文章。", "Nothing stored matches “{q}”."),
    "search_head": ("<b>搜索“{q}”</b>", "<b>Search “{q}”</b>"),
    "related_usage": (
        "请回复一张文章卡片并发送 /related。",
        "Reply to an article card with /related.",
    ),
    "auto_on": (
        "已开启自动模式：我会处理群里的每个链接。",
        "Auto mode on: I will read every link.",
    ),
    "auto_off": ("已关闭自动模式：请 @我 或回复我。", "Auto mode off: mention me or reply to me."),
    "auto_usage": ("用法：/auto on 或 /auto off", "Usage: /auto on or /auto off"),
    "auto_admins_only": ("只有群管理员可以修改。", "Only group admins can change this."),
    "rate_limited": (
        "请求太频繁了，请稍等一分钟再试。",
        "You are sending a lot — please wait a minute and try again.",
    ),
    "too_many_links": (
        "这条消息里的链接太多，我只读取了前 {n} 个。",
        "That message has many links; I read the first {n}.",
    ),
    "nothing_to_read": (
        "请发送新闻链接或粘贴文章正文。",
        "Send me a news link or paste an article.",
    ),
    "not_found": ("找不到这篇文章，可能已被删除。", "I cannot find that article any more."),
    "unsupported_file": (
        "我只读网页链接、.html 和 .txt 文件。",
        "I read web pages, .html and .txt files.",
    ),
    "quota_used": (
        "今天的文章额度（{limit} 篇）已用完，请明天再来。",
        "You have used today's quota of {limit} articles; please come back tomorrow.",
    ),
    "internal_error": (
        "抱歉，处理时出错了，管理员已收到通知。",
        "Sorry, something went wrong; the admins have been notified.",
    ),
}

#: Every public command and its menu description, in menu order (``/help`` lists them).
COMMANDS: Final[dict[str, tuple[str, str]]] = {
    "start": ("开始使用", "Start"),
    "help": ("帮助与命令", "Help and commands"),
    "lang": ("切换语言 zh|en", "Switch language zh|en"),
    "summary": ("摘要长度（句数）", "Summary length (sentences)"),
    "search": ("搜索已读文章", "Search stored articles"),
    "related": ("回复卡片：相关报道", "Reply to a card: related stories"),
    "auto": ("群组自动模式 on|off", "Group auto mode on|off"),
    "digest": ("群组/私聊定时摘要", "Scheduled digest for this chat"),
    "channel": ("为频道设置摘要（私聊）", "Set up a channel digest (private chat)"),
    "feed": ("订阅新闻源 add|list|remove|filter|instant", "News feeds add|list|remove…"),
}
#: The commands a group's menu shows (/start and /summary are for private chats).
GROUP_COMMANDS: Final = frozenset(COMMANDS) - {"start", "summary"}


def normalise_lang(code: str | None) -> Lang:
    """Telegram language codes (zh-hans, en-US, ...) to the two we speak; default zh."""
    if code and code.lower().startswith("en"):
        return "en"
    return "zh"


CATALOGUE: Final[dict[str, tuple[str, str]]] = {
    **_TEXTS,
    **digests.TEXTS,
    **feeds.TEXTS,
    **admin.TEXTS,
}
#: Admin commands: menu descriptions (zh, en) and usage, for the admins' own menus.
ADMIN_COMMANDS: Final = admin.COMMANDS
ADMIN_USAGE: Final = admin.USAGE


def t(key: str, lang: Lang, **fields: object) -> str:
    zh, en = CATALOGUE[key]
    template = en if lang == "en" else zh
    return template.format(**fields) if fields else template
