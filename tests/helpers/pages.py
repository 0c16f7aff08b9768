"""A loopback web server that serves whatever bytes a test asks for, and logs requests.

Use the ``page_server`` fixture (registered in tests/conftest.py)::

    async def test_something(page_server: PageServer) -> None:
        url = page_server.add_html("/news/1", "<html>…</html>", encoding="gbk")
        page_server.add("/doc.pdf", b"%PDF-1.7", content_type="application/pdf")
        page_server.add_redirect("/old", "/news/1")
        page_server.add_stream("/slow", [b"<html>"] * 100, chunk_delay=0.05)
        ...
        assert page_server.requested("/doc.pdf") == []          # never fetched
        assert page_server.requested("/feed")[0].headers["if-none-match"] == '"v1"'

Routes can be added or replaced while the server runs; an unknown path answers 404.
``content_type=None`` sends no Content-Type header at all (aiohttp would add one).
For two servers on different loopback addresses, ``PageServer("127.0.0.2")``; for
HTTPS, ``PageServer(tls=server_ssl_context)``.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType

import pytest
from aiohttp import web

__all__ = ["PageServer", "RecordedRequest", "page_server"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_OMIT = "X-Page-Server-Omit"  # marker header: drop Content-Type before sending


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # lower-case names

    @property
    def host(self) -> str:
        return self.headers.get("host", "")


@dataclass(slots=True)
class _Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # before the status line: a slow server
    chunks: tuple[bytes, ...] | None = None  # stream these instead of ``body``
    chunk_delay: float = 0.0
    repeat: int = 1  # send ``chunks`` this many times (huge pages without huge memory)
    handler: Handler | None = None


class PageServer:
    """aiohttp server on a loopback address and a random port."""

    def __init__(self, host: str = "127.0.0.1", *, tls: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.tls = tls
        self.port = 0
        self.requests: list[RecordedRequest] = []
        self._routes: dict[str, _Route] = {}
        self._runner: web.AppRunner | None = None

    # --- lifecycle ---------------------------------------------------------------------
    async def start(self) -> PageServer:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        app.on_response_prepare.append(self._strip_marked_headers)
        # a short shutdown: slow-route handlers are cancelled instead of awaited
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=0.1
        )
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, 0, ssl_context=self.tls).start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> PageServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # --- routes ------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(
        self,
        path: str,
        body: bytes = b"",
        *,
        status: int = 200,
        content_type: str | None = "text/html; charset=utf-8",
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
    ) -> str:
        """Serve ``body`` at ``path``; returns the full URL."""
        self._routes[path] = _Route(
            body=body, status=status, headers=_headers(content_type, headers), delay=delay
        )
        return self.url(path)

    def add_html(
        self,
        path: str,
        html: str,
        *,
        encoding: str = "utf-8",
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """Serve ``html`` encoded as ``encoding``; the header names that charset unless
        ``content_type`` says otherwise (pass e.g. ``"text/html"`` for none)."""
        ctype = content_type if content_type is not None else f"text/html; charset={encoding}"
        return self.add(path, html.encode(encoding), content_type=ctype, headers=headers)

    def add_redirect(self, path: str, location: str, *, status: int = 302) -> str:
        """Redirect ``path`` to ``location`` (absolute, or a path on this server)."""
        return self.add(path, status=status, content_type=None, headers={"Location": location})

    def add_stream(
        self,
        path: str,
        chunks: Iterable[bytes],
        *,
        repeat: int = 1,
        chunk_delay: float = 0.0,
        content_type: str | None = "text/html; charset=utf-8",
        headers: Mapping[str, str] | None = None,
    ) -> str:
        """Stream ``chunks`` (``repeat`` times) without Content-Length, pausing
        ``chunk_delay`` seconds before each chunk: huge or slow-dripping pages."""
        self._routes[path] = _Route(
            chunks=tuple(chunks),
            repeat=repeat,
            chunk_delay=chunk_delay,
            headers=_headers(content_type, headers),
        )
        return self.url(path)

    def add_handler(self, path: str, handler: Handler) -> str:
        """Anything else: a plain aiohttp handler (requests are still logged)."""
        self._routes[path] = _Route(handler=handler)
        return self.url(path)

    def requested(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    # --- serving -----------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=request.query_string,
                headers={k.lower(): v for k, v in request.headers.items()},
            )
        )
        route = self._routes.get(request.path_qs) or self._routes.get(request.path)
        if route is None:
            return web.Response(status=404, text="not found")
        if route.handler is not None:
            return await route.handler(request)
        if route.delay:
            await asyncio.sleep(route.delay)
        if route.chunks is None:
            return web.Response(body=route.body, status=route.status, headers=route.headers)
        response = web.StreamResponse(status=route.status, headers=route.headers)
        await response.prepare(request)
        try:
            for _ in range(route.repeat):
                for chunk in route.chunks:
                    if route.chunk_delay:
                        await asyncio.sleep(route.chunk_delay)
                    await response.write(chunk)
            await response.write_eof()
        except ConnectionError:
            pass  # the client hung up (a size cap or timeout did its job)
        return response

    @staticmethod
    async def _strip_marked_headers(request: web.Request, response: web.StreamResponse) -> None:
        for name in response.headers.pop(_OMIT, "").split(","):
            if name.strip():
                response.headers.pop(name.strip(), None)


def _headers(content_type: str | None, extra: Mapping[str, str] | None) -> dict[str, str]:
    headers = dict(extra or {})
    if content_type is None:
        headers[_OMIT] = "Content-Type"
    else:
        headers["Content-Type"] = content_type
    return headers


@pytest.fixture
async def page_server() -> AsyncIterator[PageServer]:
    async with PageServer() as server:
        yield server
