"""fetch_page: the SSRF guard, redirects, limits, content types and decoding.

Pages are served by the loopback ``page_server``. Policies trust only the loopback
networks a test needs (``allowed_networks``), so the guard is live in every test.
"""

from __future__ import annotations

import gzip
import ipaddress
import shutil
import socket
import ssl
import subprocess
import tracemalloc
import zlib
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.settings import Settings
from summarizer.errors import (
    BlockedAddress,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    TooLarge,
    TooManyRedirects,
    UnsupportedContent,
)
from summarizer.fetch import FetchPolicy, GuardedClient, decode_html, fetch_page
from summarizer.netguard import blocked_reason, literal_address
from tests.helpers.pages import PageServer

LOCAL = FetchPolicy(allowed_networks=("127.0.0.1/32",))
GBK_TEXT = (
    "新华社北京7月16日电 国务院总理李强今天主持召开国务院常务会议，研究部署进一步优化"
    "营商环境的政策措施。会议指出，要坚持稳中求进工作总基调，推动经济持续回升向好。"
    "前总理朱镕基曾在这里发表讲话。"  # 镕 is in GBK but not in GB2312
)
BIG5_TEXT = (
    "香港特區政府今日宣布一系列新措施，協助中小企業應對經濟環境的變化。"
    "財政司司長表示，政府會繼續密切留意市場情況，市民對此反應熱烈。"
)


def html_page(body: str, meta: str = "", title: str = "新闻") -> str:
    return f"<html><head>{meta}<title>{title}</title></head><body><p>{body}</p></body></html>"


# --- the address guard, no network ------------------------------------------------------

BLOCKED_URLS = [
    "http://127.0.0.1/",
    "http://2130706433/",  # decimal
    "http://0177.0.0.1/",  # octal
    "http://0x7f.1/",  # hex, short form
    "http://0x7f000001/",
    "http://127.1/",  # short form
    "http://017700000001/",
    "http://0/",
    "http://0.0.0.0/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://0300.0250.1.1/",  # 192.168.1.1 in octal
    "http://100.64.0.1/",  # CGNAT
    "http://169.254.169.254/latest/meta-data/",
    "http://100.100.100.200/",  # Alibaba Cloud metadata
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://240.0.0.1/",
    "http://[::1]/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
    "http://[::ffff:a9fe:a9fe]/",  # mapped metadata, hex form
    "http://[::127.0.0.1]/",  # IPv4-compatible
    "http://[2002:c0a8:101::1]/",  # 6to4 of 192.168.1.1
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[fd00:ec2::254]/",  # AWS metadata over IPv6
    "http://[ff02::1]/",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://api.localhost/",
    "http://metadata.google.internal/computeMetadata/v1/",
]


@pytest.mark.parametrize("url", BLOCKED_URLS)
async def test_internal_addresses_are_refused_in_every_spelling(url: str) -> None:
    with pytest.raises(BlockedAddress) as caught:
        await fetch_page(url)
    assert caught.value.user_message("zh") and caught.value.user_message("en")


@pytest.mark.parametrize(
    "host", ["2130706433", "0177.0.0.1", "0x7f.1", "127.1", "0x7F.0.0.1", "127.0.0.1."]
)
def test_literal_address_reads_inet_aton_spellings(host: str) -> None:
    assert literal_address(host) == ipaddress.IPv4Address("127.0.0.1")


def _spell(value: int, parts: int, bases: list[str]) -> str:
    """``value`` written the way inet_aton reads it: ``parts`` numbers, each in a base."""
    numbers = [(value >> (8 * (3 - i))) & 0xFF for i in range(parts - 1)]
    numbers.append(value & ((1 << (8 * (5 - parts))) - 1))
    styles = {"dec": str, "oct": lambda n: "0" + format(n, "o"), "hex": hex}
    return ".".join(styles[base](n) for n, base in zip(numbers, bases, strict=False))


@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 4),
    st.lists(st.sampled_from(["dec", "oct", "hex"]), min_size=4, max_size=4),
)
def test_literal_address_agrees_with_the_system_inet_aton(
    value: int, parts: int, bases: list[str]
) -> None:
    spelled = _spell(value, parts, bases)
    expected = ipaddress.IPv4Address(socket.inet_aton(spelled))
    assert expected == ipaddress.IPv4Address(value)  # the spelling itself is right
    assert literal_address(spelled) == expected


@given(st.lists(st.sampled_from([*"0123456789xXaf.-+_ "]), min_size=1, max_size=20).map("".join))
def test_literal_address_never_misses_what_inet_aton_reads(host: str) -> None:
    """The guard's direction of safety: whatever the C library would connect to as an
    address, ``literal_address`` reads the same; anything else is a name or InvalidURL."""
    try:
        expected = ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        expected = None
    try:
        got = literal_address(host)
    except InvalidURL:
        got = None
    if expected is not None and " " not in host:  # inet_aton ignores text after a space
        assert got == expected


@pytest.mark.parametrize("host", ["-1", "127.0.0.-1", "+1", "1.2.3.09", "0x", "[::ffff:127.1]"])
def test_malformed_numbers_are_invalid(host: str) -> None:
    with pytest.raises(InvalidURL):
        literal_address(host)


@pytest.mark.parametrize("host", ["163.com", "news.sina.com.cn", "1e100.net", "xn--fiqs8s"])
def test_names_are_not_mistaken_for_addresses(host: str) -> None:
    assert literal_address(host) is None


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


def test_allow_private_still_refuses_cloud_metadata() -> None:
    everything = FetchPolicy(allow_private=True).trusted_networks
    assert blocked_reason(ipaddress.ip_address("10.0.0.1"), everything) is None
    assert blocked_reason(ipaddress.ip_address("169.254.169.254"), everything) is not None
    assert blocked_reason(ipaddress.ip_address("::ffff:169.254.169.254"), everything)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/a.html",
        "file:///etc/passwd",
        "gopher://example.com/",
        "javascript:alert(1)",
        "http:///no-host",
        "http://exa mple.com/",
    ],
)
async def test_non_http_urls_are_invalid(url: str) -> None:
    with pytest.raises(InvalidURL):
        await fetch_page(url)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PRIVATE_V4: list[Network] = [
    ipaddress.IPv4Network(n)
    for n in (
        *("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16"),
        *("172.16.0.0/12", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4"),
    )
]
PRIVATE_V6: list[Network] = [
    ipaddress.IPv6Network(n) for n in ("::1/128", "fc00::/7", "fe80::/10", "ff00::/8", "::/96")
]


def _address_in(
    networks: list[Network],
) -> st.SearchStrategy[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    def pick(net: Network) -> st.SearchStrategy[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        return st.integers(0, net.num_addresses - 1).map(lambda i: net[i])

    return st.sampled_from(networks).flatmap(pick)


@given(_address_in(PRIVATE_V4))
def test_every_private_ipv4_is_refused_plain_and_embedded_in_ipv6(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    assert blocked_reason(ip) is not None
    v4 = int(ip)
    for wrapped in (0xFFFF << 32 | v4, 0x64FF9B << 96 | v4, 0x2002 << 112 | v4 << 80):
        assert blocked_reason(ipaddress.IPv6Address(wrapped)) is not None


@given(_address_in(PRIVATE_V6))
def test_every_private_ipv6_is_refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    assert blocked_reason(ip) is not None


@given(st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address))
def test_guard_is_at_least_as_strict_as_the_stdlib_for_ipv4(ip: ipaddress.IPv4Address) -> None:
    if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved:
        assert blocked_reason(ip) is not None


# --- the guard on live connections ------------------------------------------------------


async def test_default_policy_refuses_the_loopback_server(page_server: PageServer) -> None:
    url = page_server.add_html("/a", html_page("正文"))
    with pytest.raises(BlockedAddress):
        await fetch_page(url)
    assert page_server.requested("/a") == []


async def test_a_redirect_to_a_private_address_is_refused_per_hop(page_server: PageServer) -> None:
    try:
        inner = await PageServer("127.0.0.2").start()
    except OSError:
        pytest.skip("127.0.0.2 is not routable to loopback here")
    try:
        inner.add_html("/secret", html_page("内部资料"))
        start = page_server.add_redirect("/start", inner.url("/secret"))
        with pytest.raises(BlockedAddress):
            await fetch_page(start, LOCAL)
        assert len(page_server.requested("/start")) == 1
        assert inner.requested("/secret") == []
        # control: trusting the second address too, the same redirect is followed
        page = await fetch_page(start, FetchPolicy(allowed_networks=("127.0.0.0/8",)))
        assert "内部资料" in page.text and page.url == inner.url("/secret")
    finally:
        await inner.close()


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://0x7f.2/", "file:///x"],
)
async def test_redirects_to_internal_or_non_http_targets_are_refused(
    page_server: PageServer, target: str
) -> None:
    start = page_server.add_redirect("/go", target)
    with pytest.raises((BlockedAddress, InvalidURL)):
        await fetch_page(start, LOCAL)


async def test_connection_goes_to_the_vetted_address_with_the_hostname_kept(
    page_server: PageServer,
) -> None:
    lookups: list[str] = []

    async def fake_dns(host: str, port: int) -> list[str]:
        lookups.append(host)
        return {"news.example": ["127.0.0.1"], "evil.example": ["127.0.0.1", "10.0.0.7"]}[host]

    page_server.add_html("/a", html_page("正文"))
    page_server.add_redirect("/to-evil", f"http://evil.example:{page_server.port}/a")
    async with GuardedClient(LOCAL, lookup=fake_dns) as client:
        page = await fetch_page(f"http://news.example:{page_server.port}/a", LOCAL, client=client)
        assert page.url == f"http://news.example:{page_server.port}/a"
        assert page_server.requested("/a")[0].host == f"news.example:{page_server.port}"
        # one lookup per connection: what was checked is what was connected to
        assert lookups == ["news.example"]
        # a name with any internal answer is refused when the redirect hop connects
        with pytest.raises(BlockedAddress):
            await fetch_page(
                f"http://news.example:{page_server.port}/to-evil", LOCAL, client=client
            )
    assert lookups == ["news.example", "evil.example"]
    assert len(page_server.requested("/a")) == 1


def _make_pki(tmp: Path, hostname: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A throwaway CA and a server certificate for ``hostname`` (openssl CLI)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not installed")
    ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    (tmp / "ext.cnf").write_text(
        f"subjectAltName=DNS:{hostname}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
    )
    for command in (
        f"req -x509 {ec} -keyout ca.key -out ca.pem -days 2 -subj /CN=zhaiyao-test-ca"
        " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign",
        f"req {ec} -keyout srv.key -out srv.csr -subj /CN={hostname}",
        "x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2"
        " -extfile ext.cnf",
    ):
        subprocess.run(["openssl", *command.split()], cwd=tmp, check=True, capture_output=True)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(tmp / "srv.pem", tmp / "srv.key")
    return server, ssl.create_default_context(cafile=str(tmp / "ca.pem"))


async def test_https_to_the_pinned_address_keeps_sni_and_certificate_checks(
    tmp_path: Path,
) -> None:
    server_tls, client_tls = _make_pki(tmp_path, "news.example")
    seen_sni: list[str | None] = []
    server_tls.sni_callback = lambda _sock, name, _ctx: seen_sni.append(name)  # type: ignore[assignment,misc]

    async def fake_dns(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]  # every name points at the test server

    async with (
        PageServer(tls=server_tls) as server,
        GuardedClient(LOCAL, lookup=fake_dns, verify=client_tls) as client,
    ):
        server.add_html("/a", html_page("加密的正文"))
        page = await fetch_page(f"https://news.example:{server.port}/a", LOCAL, client=client)
        assert "加密的正文" in page.text
        assert seen_sni == ["news.example"]
        assert server.requested("/a")[0].host == f"news.example:{server.port}"
        # the certificate is checked against the name asked for, not the pinned address
        with pytest.raises(FetchError):
            await fetch_page(f"https://other.example:{server.port}/a", LOCAL, client=client)
    assert len(server.requested("/a")) == 1


async def test_a_plain_httpx_client_still_gets_the_dns_check(page_server: PageServer) -> None:
    page_server.add_html("/a", html_page("正文"))
    async with httpx.AsyncClient() as client:
        with pytest.raises(BlockedAddress):
            await fetch_page(f"http://localhost:{page_server.port}/a", client=client)
        page = await fetch_page(page_server.url("/a"), LOCAL, client=client)
    assert "正文" in page.text


async def test_a_guarded_client_for_another_policy_is_a_programming_error() -> None:
    async with GuardedClient(FetchPolicy(allow_private=True)) as client:
        with pytest.raises(ValueError):
            await fetch_page("http://example.com/", FetchPolicy(), client=client)


# --- redirects, statuses, limits --------------------------------------------------------


async def test_page_fetch_returns_text_headers_and_sends_browser_headers(
    page_server: PageServer,
) -> None:
    url = page_server.add_html("/a", html_page("国务院常务会议"), headers={"ETag": '"v1"'})
    page = await fetch_page(url, LOCAL)
    assert "国务院常务会议" in page.text
    assert (page.status, page.content_type, page.encoding) == (200, "text/html", "utf-8")
    assert page.headers["etag"] == '"v1"'
    sent = page_server.requested("/a")[0].headers
    assert "zh-CN" in sent["accept-language"] and "Zhaiyao" in sent["user-agent"]


async def test_redirects_are_followed_up_to_the_limit(page_server: PageServer) -> None:
    page_server.add_html("/end", html_page("终点"))
    for i in range(7):
        page_server.add_redirect(f"/r{i}", f"/r{i + 1}" if i < 6 else "/end", status=301)
    page = await fetch_page(page_server.url("/r2"), LOCAL)  # exactly 5 redirects
    assert page.url == page_server.url("/end") and "终点" in page.text
    with pytest.raises(TooManyRedirects):
        await fetch_page(page_server.url("/r1"), LOCAL)  # 6 redirects
    assert page_server.requested("/end") != [] and len(page_server.requested("/r1")) == 1


async def test_a_redirect_loop_is_refused(page_server: PageServer) -> None:
    page_server.add_redirect("/a", "/b")
    page_server.add_redirect("/b", "/a")
    with pytest.raises(TooManyRedirects):
        await fetch_page(
            page_server.url("/a"), FetchPolicy(allowed_networks=("127.0.0.1/32",), max_redirects=50)
        )
    assert len(page_server.requests) <= 4


@pytest.mark.parametrize("status", [403, 404, 410, 500, 503])
async def test_error_statuses_raise_with_the_status(page_server: PageServer, status: int) -> None:
    url = page_server.add("/x", b"<html>error</html>", status=status)
    with pytest.raises(HTTPStatusError) as caught:
        await fetch_page(url, LOCAL)
    assert caught.value.status == status and str(status) in caught.value.user_message("zh")


async def test_unknown_path_is_a_404(page_server: PageServer) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        await fetch_page(page_server.url("/missing"), LOCAL)
    assert caught.value.status == 404


async def test_not_modified_answers_conditional_requests(page_server: PageServer) -> None:
    url = page_server.add("/feed", status=304, content_type=None, headers={"ETag": '"v1"'})
    page = await fetch_page(url, LOCAL, extra_headers={"If-None-Match": '"v1"'})
    assert (page.status, page.text, page.headers["etag"]) == (304, "", '"v1"')
    assert page_server.requested("/feed")[0].headers["if-none-match"] == '"v1"'
    with pytest.raises(HTTPStatusError):  # a 304 nobody asked for is an error
        await fetch_page(url, LOCAL)


async def test_a_slow_server_times_out(page_server: PageServer) -> None:
    url = page_server.add("/slow", b"<html></html>", delay=2.0)
    with pytest.raises(FetchTimeout):
        await fetch_page(url, FetchPolicy(allowed_networks=("127.0.0.1/32",), timeout=0.2))


async def test_a_dripping_body_hits_the_total_timeout(page_server: PageServer) -> None:
    # each byte arrives well within a read timeout; only a total limit stops this
    url = page_server.add_stream("/drip", [b"<p>"], repeat=10_000, chunk_delay=0.02)
    with pytest.raises(FetchTimeout):
        await fetch_page(url, FetchPolicy(allowed_networks=("127.0.0.1/32",), timeout=0.5))


SMALL_CAP = FetchPolicy(allowed_networks=("127.0.0.1/32",), max_bytes=100_000)


async def test_content_length_over_the_cap_is_refused_before_reading(
    page_server: PageServer,
) -> None:
    # the body never comes: reading it would time out instead of failing fast
    url = page_server.add_stream(
        "/announced", [b"<p>"], chunk_delay=30.0, headers={"Content-Length": "999999999"}
    )
    policy = FetchPolicy(allowed_networks=("127.0.0.1/32",), timeout=3.0, max_bytes=100_000)
    with pytest.raises(TooLarge):
        await fetch_page(url, policy)


async def test_a_streamed_page_over_the_cap_is_too_large(page_server: PageServer) -> None:
    url = page_server.add_stream("/huge", [b"<p>" + b"x" * 65_533], repeat=1000)
    with pytest.raises(TooLarge):
        await fetch_page(url, SMALL_CAP)


async def test_content_length_over_the_cap_is_refused(page_server: PageServer) -> None:
    url = page_server.add("/big", b"<p>" + b"x" * 200_000)
    with pytest.raises(TooLarge):
        await fetch_page(url, SMALL_CAP)
    ok = page_server.add("/ok", b"<p>" + b"x" * 99_000)
    assert len((await fetch_page(ok, SMALL_CAP)).text) == 99_003


async def test_a_gzip_bomb_stops_at_the_cap_with_bounded_memory(page_server: PageServer) -> None:
    squeeze = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"\0" * 1_000_000
    bomb = b"".join(squeeze.compress(zeros) for _ in range(100)) + squeeze.flush()
    assert len(bomb) < 500_000  # 100 MB once inflated
    url = page_server.add("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge):
            await fetch_page(
                url, FetchPolicy(allowed_networks=("127.0.0.1/32",), max_bytes=1_000_000)
            )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 12_000_000


async def test_gzip_and_deflate_pages_are_decoded(page_server: PageServer) -> None:
    html = html_page("压缩过的正文").encode()
    gz = page_server.add("/gz", gzip.compress(html), headers={"Content-Encoding": "gzip"})
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflated = raw.compress(html) + raw.flush()
    df = page_server.add("/df", deflated, headers={"Content-Encoding": "deflate"})
    assert "压缩过的正文" in (await fetch_page(gz, LOCAL)).text
    assert "压缩过的正文" in (await fetch_page(df, LOCAL)).text


async def test_unknown_content_encoding_is_unsupported(page_server: PageServer) -> None:
    url = page_server.add("/br", b"\x0b\x02\x80", headers={"Content-Encoding": "br"})
    with pytest.raises(UnsupportedContent):
        await fetch_page(url, LOCAL)


# --- content types ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"%PDF-1.7\n%binary", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"{}", "application/json"),
        (b"%PDF-1.7\n%binary", None),  # sniffed
        (b"%PDF-1.7\n%binary", "text/html"),  # a PDF, whatever the header says
        (b"\x00\x01\x02\x03binary", None),
    ],
)
async def test_non_text_content_is_unsupported(
    page_server: PageServer, body: bytes, content_type: str | None
) -> None:
    url = page_server.add("/doc", body, content_type=content_type)
    with pytest.raises(UnsupportedContent) as caught:
        await fetch_page(url, LOCAL)
    assert isinstance(caught.value, FetchError)


async def test_plain_text_and_xhtml_are_accepted(page_server: PageServer) -> None:
    txt = page_server.add(
        "/t.txt", "今天天气很好。".encode(), content_type="text/plain; charset=utf-8"
    )
    xhtml = page_server.add("/x", html_page("正文").encode(), content_type="application/xhtml+xml")
    bare_txt = page_server.add("/bare.txt", "纯文本，没有类型。".encode(), content_type=None)
    bare_html = page_server.add("/bare.html", html_page("网页").encode(), content_type=None)
    assert (await fetch_page(txt, LOCAL)).content_type == "text/plain"
    assert (await fetch_page(xhtml, LOCAL)).content_type == "application/xhtml+xml"
    page = await fetch_page(bare_txt, LOCAL)
    assert (page.content_type, page.text) == ("text/plain", "纯文本，没有类型。")
    assert (await fetch_page(bare_html, LOCAL)).content_type == "text/html"


async def test_extra_types_admit_feeds(page_server: PageServer) -> None:
    rss = '<?xml version="1.0" encoding="gbk"?><rss><channel><title>要闻</title></channel></rss>'
    url = page_server.add("/rss", rss.encode("gbk"), content_type="application/rss+xml")
    with pytest.raises(UnsupportedContent):
        await fetch_page(url, LOCAL)
    feeds = FetchPolicy(
        allowed_networks=LOCAL.allowed_networks, extra_types=frozenset({"application/rss+xml"})
    )
    page = await fetch_page(url, feeds)
    assert (page.content_type, page.text) == ("application/rss+xml", rss)


# --- decoding --------------------------------------------------------------------------


async def test_gbk_page_without_any_charset(page_server: PageServer) -> None:
    url = page_server.add_html(
        "/gbk", html_page(GBK_TEXT), encoding="gbk", content_type="text/html"
    )
    page = await fetch_page(url, LOCAL)
    assert GBK_TEXT in page.text and page.encoding == "gb18030"


async def test_gbk_page_whose_meta_says_utf8(page_server: PageServer) -> None:
    lying = html_page(GBK_TEXT, meta='<meta charset="utf-8">')
    url = page_server.add_html("/lie", lying, encoding="gbk", content_type="text/html")
    assert GBK_TEXT in (await fetch_page(url, LOCAL)).text


async def test_gbk_page_whose_http_header_says_utf8(page_server: PageServer) -> None:
    body = html_page(GBK_TEXT, meta='<meta charset="gb2312">').encode("gbk")
    url = page_server.add("/hdr", body, content_type="text/html; charset=utf-8")
    assert GBK_TEXT in (await fetch_page(url, LOCAL)).text


async def test_gb2312_label_decodes_gbk_only_characters(page_server: PageServer) -> None:
    url = page_server.add_html(
        "/gb2312", html_page(GBK_TEXT), encoding="gbk", content_type="text/html; charset=gb2312"
    )
    assert "朱镕基" in (await fetch_page(url, LOCAL)).text


@pytest.mark.parametrize("content_type", ["text/html; charset=big5", "text/html"])
async def test_big5_page(page_server: PageServer, content_type: str) -> None:
    url = page_server.add_html(
        "/big5", html_page(BIG5_TEXT, title="新聞"), encoding="big5", content_type=content_type
    )
    page = await fetch_page(url, LOCAL)
    assert BIG5_TEXT in page.text and page.encoding in ("big5hkscs", "cp950")


def test_decode_html_on_raw_bytes() -> None:
    assert decode_html(GBK_TEXT.encode("gbk"), None) == (GBK_TEXT, "gb18030")
    assert decode_html(GBK_TEXT.encode("gb18030"), "GB2312")[0] == GBK_TEXT
    assert decode_html(BIG5_TEXT.encode("big5"), "gbk")[0] == BIG5_TEXT  # label lies
    assert decode_html(GBK_TEXT.encode("gbk"), "iso-8859-1")[0] == GBK_TEXT  # label lies
    assert decode_html("\ufeff正文".encode(), None) == ("正文", "utf-8-sig")
    assert decode_html(b"plain ascii", "gbk") == ("plain ascii", "gb18030")
    assert decode_html("café".encode("cp1252"), "iso-8859-1") == ("café", "cp1252")


def test_policy_from_settings() -> None:
    policy = FetchPolicy.from_settings(
        Settings(fetch_allow_private=True, fetch_timeout=7.0, fetch_max_bytes=1234)
    )
    assert (policy.allow_private, policy.timeout, policy.max_bytes) == (True, 7.0, 1234)
    assert FetchPolicy().allow_private is False
