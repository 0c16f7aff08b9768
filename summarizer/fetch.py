"""Fetch a web page that a stranger linked to, without letting the link turn the bot
against its own network.

``fetch_page(url, policy)`` follows at most ``policy.max_redirects`` redirects by hand
and, before every hop, refuses non-http(s) URLs and hosts that spell an internal address
(``netguard``). The DNS check happens where the socket is opened: ``GuardedClient``
runs httpx over an httpcore connection pool whose network backend resolves the host,
refuses the connection if *any* answer is internal, and connects to the vetted address
itself. There is no second lookup, so DNS rebinding cannot slip a private address in
between check and connect; the URL is untouched, so the Host header, TLS SNI and
certificate checks still use the hostname. Proxies from the environment are ignored
(a proxy would resolve the name itself).

Residual risks, by design:
- A client passed in that is not a ``GuardedClient`` gets a DNS pre-check on every hop,
  but httpx then resolves again (a rebinding window). The bot should pass a
  ``GuardedClient`` (or none).
- The guard replaces the private ``_pool`` of ``httpx.AsyncHTTPTransport`` (httpx < 1);
  tests/summarizer/test_fetch.py fails loudly if that stops routing through the guard.
- A pooled keep-alive connection is reused for its origin (5 s idle at most) without a
  new lookup: it stays on the address that was vetted, the safe direction.
- Ports are not restricted: a public host may be fetched on any port.

The body is read raw and inflated here with a bound on each step, so a compressed bomb
stops at ``max_bytes`` of *decoded* data instead of inflating a whole network chunk.
"""

from __future__ import annotations

import asyncio
import functools
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import certifi
import httpcore
import httpx

from summarizer import netguard
from summarizer.charset import decode_html
from summarizer.errors import (
    BlockedAddress,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    SiteUnreachable,
    TooLarge,
    TooManyRedirects,
    UnsupportedContent,
)
from summarizer.payload import read_capped, sniff_content_type

__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchPolicy",
    "FetchedPage",
    "GuardedClient",
    "decode_html",
    "fetch_page",
]

DEFAULT_USER_AGENT = "Mozilla/5.0 (compatible; ZhaiyaoBot/0.1; news summary bot)"
ALLOWED_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8"
_ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9,en;q=0.6"
_HOST_CHARS = re.compile(rb"[A-Za-z0-9._-]+|[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?")
_CONDITIONAL = frozenset({"if-none-match", "if-modified-since"})
# A URL may be revisited once (cookie-setting bounces); a third visit is a loop.
_MAX_VISITS = 2


class _FetchSettings(Protocol):
    fetch_allow_private: bool
    fetch_timeout: float
    fetch_max_bytes: int


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits for one fetch. ``allowed_networks`` (CIDR strings) are trusted even though
    they are private, e.g. an intranet; ``allow_private`` trusts every address except
    cloud metadata (tests and local checks only, from ZHAIYAO_FETCH_ALLOW_PRIVATE)."""

    allow_private: bool = False
    timeout: float = 20.0
    connect_timeout: float = 5.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    allowed_networks: tuple[str, ...] = ()
    # Media types accepted beyond HTML/plain text, e.g. RSS/Atom for the feed poller.
    extra_types: frozenset[str] = frozenset()

    @classmethod
    def from_settings(cls, settings: _FetchSettings) -> FetchPolicy:
        return cls(
            allow_private=settings.fetch_allow_private,
            timeout=settings.fetch_timeout,
            connect_timeout=min(5.0, settings.fetch_timeout),
            max_bytes=settings.fetch_max_bytes,
        )

    @property
    def trusted_networks(self) -> tuple[str, ...]:
        return ("0.0.0.0/0", "::/0") if self.allow_private else self.allowed_networks


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str  # after redirects
    content_type: str  # media type only, e.g. "text/html"; "" for a 304
    text: str
    encoding: str  # Python codec that decoded ``text``
    status: int
    headers: dict[str, str]  # lower-case names


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, vets and connects in one step, so the vetted address is the one used."""

    def __init__(self, trusted: tuple[str, ...], lookup: netguard.Lookup) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._trusted = trusted
        self._lookup = lookup

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: object = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await netguard.resolve_vetted(host, port, self._trusted, self._lookup)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host}") from None
        failure: Exception = SiteUnreachable(host)
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout,
                    local_address,
                    socket_options,  # type: ignore[arg-type]
                )
            except (httpcore.ConnectError, OSError) as exc:
                failure = exc
        raise failure

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: object = None
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("unix socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    def __init__(
        self, policy: FetchPolicy, lookup: netguard.Lookup, context: ssl.SSLContext
    ) -> None:
        super().__init__(verify=context, trust_env=False)
        # httpx builds its pool without a way to pass a network backend; swap it.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=20,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
            network_backend=_GuardedBackend(policy.trusted_networks, lookup),
        )


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Built once (loading the CA bundle takes ~0.1 s) and shared; contexts are reusable."""
    return ssl.create_default_context(cafile=certifi.where())


class GuardedClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` that only ever connects to addresses ``policy`` allows.
    Share one across fetches. ``lookup`` replaces DNS and ``verify`` the CA bundle
    (certifi); tests use them for a fake resolver and a private test CA."""

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        lookup: netguard.Lookup | None = None,
        verify: ssl.SSLContext | None = None,
    ) -> None:
        self.policy = policy or FetchPolicy()
        transport = _GuardedTransport(
            self.policy, lookup or netguard.system_lookup, verify or _ssl_context()
        )
        super().__init__(
            transport=transport,
            timeout=httpx.Timeout(self.policy.timeout, connect=self.policy.connect_timeout),
            follow_redirects=False,
            trust_env=False,
        )


async def fetch_page(
    url: str,
    policy: FetchPolicy | None = None,
    *,
    client: httpx.AsyncClient | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> FetchedPage:
    """Fetch ``url`` and decode it; raises a ``FetchError`` subclass on every refusal.

    ``extra_headers`` may carry If-None-Match/If-Modified-Since: a 304 answer then
    gives a ``FetchedPage`` with status 304 and empty text.
    """
    policy = policy or FetchPolicy()
    if client is None:
        async with GuardedClient(policy) as own:
            return await _fetch(own, url, policy, extra_headers or {}, precheck_dns=False)
    if isinstance(client, GuardedClient):
        if client.policy.trusted_networks != policy.trusted_networks:
            raise ValueError("the GuardedClient was built for a different address policy")
        return await _fetch(client, url, policy, extra_headers or {}, precheck_dns=False)
    return await _fetch(client, url, policy, extra_headers or {}, precheck_dns=True)


async def _fetch(
    client: httpx.AsyncClient,
    url: str,
    policy: FetchPolicy,
    extra_headers: Mapping[str, str],
    *,
    precheck_dns: bool,
) -> FetchedPage:
    try:
        async with asyncio.timeout(policy.timeout):
            return await _follow(client, url, policy, extra_headers, precheck_dns)
    except TimeoutError:
        raise FetchTimeout(f"{url}: over {policy.timeout:g}s in total") from None
    except httpx.TimeoutException as exc:
        raise FetchTimeout(f"{url}: {type(exc).__name__}") from None
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise InvalidURL(str(exc)) from None
    except httpx.ConnectError as exc:
        raise SiteUnreachable(f"{url}: {exc}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None


async def _follow(
    client: httpx.AsyncClient,
    url: str,
    policy: FetchPolicy,
    extra_headers: Mapping[str, str],
    precheck_dns: bool,
) -> FetchedPage:
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": _ACCEPT,
        "Accept-Language": _ACCEPT_LANGUAGE,
        "Accept-Encoding": "gzip, deflate",
        **extra_headers,
    }
    conditional = any(name.lower() in _CONDITIONAL for name in extra_headers)
    request = client.build_request("GET", _parse_url(url), headers=headers)
    visits: dict[str, int] = {}
    for _hop in range(policy.max_redirects + 1):
        await _check_url(request.url, policy, precheck_dns)
        key = str(request.url)
        visits[key] = visits.get(key, 0) + 1
        if visits[key] > _MAX_VISITS:
            raise TooManyRedirects(f"redirect loop at {key}")
        try:
            response = await client.send(request, stream=True, follow_redirects=False)
        except UnicodeError as exc:  # httpx decodes a redirect's punycode host (IDNAError)
            raise InvalidURL(f"redirect from {key} to a malformed host: {exc}") from None
        try:
            if response.next_request is not None:
                request = response.next_request
                continue
            return await _read_page(response, policy, conditional)
        finally:
            await response.aclose()
    raise TooManyRedirects(f"more than {policy.max_redirects} redirects")


def _parse_url(url: str) -> httpx.URL:
    """The URL as httpx will send it: the one parser whose reading is also what connects,
    so what is checked cannot differ from what is fetched. Every refusal is typed."""
    try:
        parsed = httpx.URL(url.strip())
        _ = parsed.host  # decodes punycode, as building the request will: IDNAError here
        return parsed
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        # httpx rejects spellings such as 0177.0.0.1 that resolvers accept: say why.
        try:
            host = urlsplit(url.strip()).hostname or ""
        except ValueError:  # e.g. "[::ffff:127.1]": not an address by any reading
            host = ""
        literal = netguard.literal_address(host) if host else None
        if literal is not None:
            netguard.check_address(literal, host)
        raise InvalidURL(f"{url!r}: {exc}") from None


async def _check_url(url: httpx.URL, policy: FetchPolicy, precheck_dns: bool) -> None:
    """Refuse before sending: wrong scheme, no host or port, or a host that is internal.

    The host is judged in the ASCII form httpx puts on the wire (``raw_host``), never
    decoded back from punycode: ``xn--localhost-`` is a malformed name, not an error.
    """
    if url.scheme not in ("http", "https"):
        raise InvalidURL(f"scheme {url.scheme!r} in {url}")
    if not url.raw_host:
        raise InvalidURL(f"no host in {url}")
    if not _HOST_CHARS.fullmatch(url.raw_host):
        raise InvalidURL(f"malformed host {url.raw_host!r}")
    if url.port is not None and not 0 < url.port < 65536:
        raise InvalidURL(f"port {url.port} in {url}")
    host = url.raw_host.decode("ascii")
    netguard.check_hostname(host)
    literal = netguard.literal_address(host)
    if literal is not None:
        netguard.check_address(literal, host, policy.trusted_networks)
    elif precheck_dns:
        await netguard.resolve_vetted(host, url.port or 0, policy.trusted_networks)


async def _read_page(
    response: httpx.Response, policy: FetchPolicy, conditional: bool
) -> FetchedPage:
    headers = dict(response.headers.items())
    status = response.status_code
    final_url = str(response.url)
    if status == 304 and conditional:
        return FetchedPage(final_url, "", "", "", status, headers)
    if not 200 <= status < 300:
        raise HTTPStatusError(status, f"HTTP {status} from {final_url}")
    media_type, charset = _parse_content_type(headers.get("content-type", ""))
    if media_type and media_type not in ALLOWED_TYPES | policy.extra_types:
        raise UnsupportedContent(f"{media_type} at {final_url}")
    length = headers.get("content-length", "")
    if length.isdigit() and int(length) > policy.max_bytes:
        raise TooLarge(f"Content-Length {length} > {policy.max_bytes}")
    body = await read_capped(
        response.aiter_raw(), headers.get("content-encoding", ""), policy.max_bytes
    )
    media_type = sniff_content_type(body, media_type)
    text, encoding = decode_html(body, charset)
    return FetchedPage(final_url, media_type, text, encoding, status, headers)


def _parse_content_type(value: str) -> tuple[str, str | None]:
    """``text/html; charset=GBK`` -> ("text/html", "GBK")."""
    media_type, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return media_type.strip().lower(), charset
