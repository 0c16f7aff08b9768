"""Errors raised by the NLP side. Each carries a reason a user can read.

Class tree::

    SummarizerError                 base; ``.reason`` is a short English sentence,
    │                               ``.reason_zh`` its Chinese counterpart
    ├── FetchError                  the page could not be fetched
    │   ├── InvalidURL              not an http(s) URL, or no host
    │   ├── BlockedAddress          host resolves to a private/loopback/metadata address
    │   ├── SiteUnreachable         the name does not resolve or the connection fails
    │   ├── FetchTimeout            connect or total time limit exceeded
    │   ├── TooLarge                body over the size cap
    │   ├── UnsupportedContent      not HTML/XHTML/plain text (e.g. a PDF)
    │   ├── TooManyRedirects        more than the redirect limit, or a loop
    │   └── HTTPStatusError         4xx/5xx from the site (``.status``)
    ├── NotAnArticle                the page or text holds no article
    │   ├── ListPage                an index: a list of headlines or links (滚动新闻)
    │   ├── SearchPage              search results
    │   ├── VideoPage               a video with little or no text
    │   └── LoginWall               a login or subscription form instead of the article
    └── EmptyText                   nothing to read (empty or whitespace only)
"""

from __future__ import annotations


class SummarizerError(Exception):
    """Base class; ``reason`` / ``reason_zh`` are safe to show to a user."""

    reason: str = "Something went wrong while reading the article."
    reason_zh: str = "读取文章时出错。"

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail
        super().__init__(detail or self.reason)

    def user_message(self, lang: str = "zh") -> str:
        return self.reason_zh if lang.startswith("zh") else self.reason


class FetchError(SummarizerError):
    reason = "The page could not be fetched."
    reason_zh = "无法获取该网页。"


class InvalidURL(FetchError):
    reason = "That is not a web link I can open (only http and https)."
    reason_zh = "这不是可以打开的网页链接（仅支持 http 和 https）。"


class BlockedAddress(FetchError):
    reason = "That link points to a private or internal address, which I do not open."
    reason_zh = "该链接指向内网或保留地址，出于安全原因不予访问。"


class SiteUnreachable(FetchError):
    reason = "I could not reach that site (the address does not exist or is not answering)."
    reason_zh = "无法连接该网站（域名不存在或网站没有响应）。"


class FetchTimeout(FetchError):
    reason = "The site took too long to answer."
    reason_zh = "网站响应超时。"


class TooLarge(FetchError):
    reason = "The page is too large to read."
    reason_zh = "网页内容过大，无法读取。"


class UnsupportedContent(FetchError):
    reason = "That link is not a web page (only HTML and plain text are supported)."
    reason_zh = "该链接不是网页（仅支持 HTML 和纯文本）。"


class TooManyRedirects(FetchError):
    reason = "The link redirects too many times."
    reason_zh = "该链接重定向次数过多。"


class HTTPStatusError(FetchError):
    reason = "The site answered with an error."
    reason_zh = "网站返回了错误。"

    def __init__(self, status: int, detail: str | None = None) -> None:
        self.status = status
        super().__init__(detail or f"HTTP {status}")

    def user_message(self, lang: str = "zh") -> str:
        if lang.startswith("zh"):
            return f"网站返回了错误（HTTP {self.status}）。"
        return f"The site answered with an error (HTTP {self.status})."


class NotAnArticle(SummarizerError):
    reason = "I could not find a news article there."
    reason_zh = "没有找到新闻正文。"


class ListPage(NotAnArticle):
    reason = "That page is a list of headlines, not an article. Send the link of one story."
    reason_zh = "该网页是新闻列表，不是单篇文章。请发送其中一篇新闻的链接。"


class SearchPage(NotAnArticle):
    reason = "That page is a list of search results, not an article."
    reason_zh = "该网页是搜索结果列表，不是文章。"


class VideoPage(NotAnArticle):
    reason = "That page is a video with too little text to summarise."
    reason_zh = "该网页是视频，文字太少，无法生成摘要。"


class LoginWall(NotAnArticle):
    reason = "That page asks for a login or subscription before showing the article."
    reason_zh = "该网页需要登录或订阅才能阅读全文。"


class EmptyText(SummarizerError):
    reason = "There is no text to read."
    reason_zh = "没有可读取的文字。"
