"""A loopback RSS server for the feed tests: serves one feed whose items the test changes,
honours ETag / Last-Modified with 304s, records the request headers it saw, and serves a
small article page for every item link."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class FeedServer:
    base_url: str = ""
    items: list[tuple[str, str, str]] = field(default_factory=list)  # (guid, title, body)
    version: int = 0
    requests: list[dict[str, str]] = field(default_factory=list)
    page_hits: list[str] = field(default_factory=list)
    fail_with: int | None = None

    @property
    def feed_url(self) -> str:
        return f"{self.base_url}/feed.xml"

    def publish(self, items: list[tuple[str, str, str]]) -> None:
        self.items = items
        self.version += 1

    def rss(self) -> str:
        entries = "".join(
            f"<item><guid>{guid}</guid><title>{html.escape(title)}</title>"
            f"<link>{self.base_url}/a/{guid}</link><description>{html.escape(body[:60])}"
            f"</description></item>"
            for guid, title, body in self.items
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>测试新闻源</title><link>{self.base_url}/</link>{entries}</channel></rss>"
        )

    async def _feed(self, request: web.Request) -> web.Response:
        self.requests.append(dict(request.headers))
        if self.fail_with:
            return web.Response(status=self.fail_with)
        etag = f'"v{self.version}"'
        last_modified = f"Sat, 28 Nov 2026 00:{self.version % 60:02d}:00 GMT"
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            text=self.rss(),
            content_type="application/rss+xml",
            headers={"ETag": etag, "Last-Modified": last_modified},
        )

    async def _article(self, request: web.Request) -> web.Response:
        guid = request.match_info["guid"]
        self.page_hits.append(guid)
        for item_guid, title, body in self.items:
            if item_guid == guid:
                paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n"))
                page = (
                    f"<html><head><title>{html.escape(title)}</title></head><body><article>"
                    f"<h1>{html.escape(title)}</h1>{paragraphs}</article></body></html>"
                )
                return web.Response(text=page, content_type="text/html")
        return web.Response(status=404)


@asynccontextmanager
async def feed_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    app = web.Application()
    app.router.add_get("/feed.xml", server._feed)
    app.router.add_get("/a/{guid}", server._article)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    server.base_url = f"http://127.0.0.1:{port}"
    try:
        yield server
    finally:
        await runner.cleanup()
