"""The SSRF guard against every trick in the book, and odd URLs that must fail typed.

The table spells each internal target every way a resolver or browser reads an address
(decimal, octal, hex, short forms, IPv4 inside IPv6) and checks three routes to it: the
link itself, a DNS name that resolves to it, and a redirect to it. Every one must end in
``BlockedAddress`` before a connection is made. Odd URLs (``http://-1/``, bad punycode,
bad IPv6) must end in a ``FetchError``, never in ``ValueError`` from a parser.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer.errors import BlockedAddress, FetchError, InvalidURL
from summarizer.fetch import FetchPolicy, GuardedClient, fetch_page
from tests.faults.strategies import may_reach_a_public_address
from tests.helpers.pages import PageServer

TARGETS_V4 = (
    "127.0.0.1",
    "127.255.255.254",
    "0.0.0.0",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.0.1",
    "169.254.169.254",  # AWS, GCP, Azure metadata
    "169.254.170.2",  # ECS task metadata
    "100.100.100.200",  # Alibaba Cloud metadata
    "100.64.0.1",
    "198.18.0.1",
    "224.0.0.1",
    "255.255.255.255",
)
TARGETS_V6 = (
    "::1",
    "0:0:0:0:0:0:0:1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",
    "ff02::1",
    "fec0::1",
)


def _spellings(address: str) -> dict[str, str]:
    """``address`` written every way a resolver (inet_aton) or IPv6 parser reads it."""
    v = int(ipaddress.IPv4Address(address))
    b = [(v >> s) & 0xFF for s in (24, 16, 8, 0)]
    return {
        "dotted": address,
        "decimal": str(v),
        "hex": hex(v),
        "octal": "0" + format(v, "o"),
        "dotted octal": ".".join("0" + format(n, "o") for n in b),
        "dotted hex": ".".join(hex(n) for n in b),
        "upper hex": ".".join(hex(n).upper().replace("0X", "0X") for n in b),
        "mixed bases": f"{hex(b[0])}.0{b[1]:o}.{b[2]}.{hex(b[3])}",
        "two parts": f"{b[0]}.{v & 0xFFFFFF}",
        "three parts": f"{b[0]}.{b[1]}.{v & 0xFFFF}",
        "padded octal": ".".join(f"000{n:o}" for n in b),
        "trailing dot": address + ".",
        "mapped": f"[::ffff:{address}]",
        "mapped hex": f"[::ffff:{v >> 16:x}:{v & 0xFFFF:x}]",
        "mapped long": f"[0:0:0:0:0:ffff:{address}]",
        "nat64": f"[64:ff9b::{address}]",
        "6to4": f"[2002:{v >> 16:x}:{v & 0xFFFF:x}::1]",
        "compatible": f"[::{address}]",
    }


TRICKS = [
    pytest.param(f"http://{host}/latest/meta-data/", id=f"{target} {how}")
    for target in TARGETS_V4
    for how, host in _spellings(target).items()
] + [pytest.param(f"http://[{t}]:8080/", id=t) for t in TARGETS_V6]
NAMES = [
    "localhost",
    "LOCALHOST.",
    "api.localhost",
    "metadata.google.internal",
    "metadata",
    "metadata.goog",
    "instance-data",
    "127。0。0。1",  # ideographic full stops: IDNA maps them to dots
    "169。254。169。254",
]
SHORT = FetchPolicy(timeout=5.0)


@pytest.mark.parametrize("url", TRICKS + [f"http://{n}/" for n in NAMES])
async def test_every_spelling_of_an_internal_address_is_refused(url: str) -> None:
    with pytest.raises(BlockedAddress):
        await fetch_page(url, SHORT)


def test_the_table_holds_every_trick_the_audit_tried() -> None:
    # The audit behind issue 18 tried 209 internal targets; this table holds more.
    assert len(TRICKS) + len(NAMES) >= 209


# What a hostile resolver may answer besides plain addresses: IPv4 inside IPv6, scopes.
DNS_ONLY = ("::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:1", "fe80::1%eth0")


@pytest.mark.parametrize("target", TARGETS_V4 + TARGETS_V6 + DNS_ONLY)
async def test_a_name_that_resolves_to_an_internal_address_is_refused(target: str) -> None:
    asked: list[str] = []

    async def dns(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["93.184.215.14", target]  # one public answer does not launder the other

    async with GuardedClient(SHORT, lookup=dns) as client:
        with pytest.raises(BlockedAddress):
            await fetch_page("http://news.example/a", SHORT, client=client)
    assert asked == ["news.example"]


REDIRECT_TARGETS = [
    url
    for target in TARGETS_V4
    if target != "127.0.0.1"  # the test server's own address, trusted below
    for url in (
        f"http://{target}/",
        f"http://{_spellings(target)['decimal']}/",
        f"http://{_spellings(target)['mapped']}/",
    )
] + ["http://localhost/", "http://[::1]/", "//169.254.169.254/latest/"]


async def test_a_redirect_to_any_internal_address_is_refused(page_server: PageServer) -> None:
    only_this_server = FetchPolicy(allowed_networks=("127.0.0.1/32",), timeout=5.0)
    for i, target in enumerate(REDIRECT_TARGETS):
        start = page_server.add_redirect(f"/go{i}", target)
        with pytest.raises(BlockedAddress):
            await fetch_page(start, only_this_server)
    assert len(page_server.requests) == len(REDIRECT_TARGETS)  # no hop beyond the first


ODD_URLS = [
    "http://-1/",
    "http://127.0.0.-1/",
    "http://+1/",
    "http://09/",
    "http://0x/",
    "http://xn--localhost-/",
    "http://xn--/",
    "http://[::ffff:127.1]/",
    "http://[1::2::3]/",
    "http://[]/",
    "http://[v1.x]/",
    "http://127.0.0.1:99999/",
    "http://%zz/",
    "http://a..b/",
    "http://\u2488/",
    "http://256.1/",
    "http://4294967296/",
    "http://ｌｏｃａｌｈｏｓｔ/",  # fullwidth letters
    "http://①②⑦.0.0.1/",
    "http://localhost%2e/",
    "http://0x7f.1%00/",
]


@pytest.mark.parametrize("url", ODD_URLS)
async def test_odd_urls_fail_with_a_typed_error(url: str) -> None:
    with pytest.raises(FetchError) as caught:
        await fetch_page(url, SHORT)
    assert caught.value.user_message("zh")


async def test_redirects_to_odd_urls_fail_with_a_typed_error(page_server: PageServer) -> None:
    local = FetchPolicy(allowed_networks=("127.0.0.1/32",), timeout=5.0)
    for i, url in enumerate(ODD_URLS):
        start = page_server.add_redirect(f"/odd{i}", url)
        with pytest.raises(FetchError):
            await fetch_page(start, local)


@pytest.mark.parametrize("url", ["http://-1/", "http://127.0.0.-1/", "http://[::ffff:127.1]/"])
async def test_malformed_numbers_are_invalid_not_names(url: str) -> None:
    with pytest.raises(InvalidURL):
        await fetch_page(url, SHORT)


# --- any URL at all ---------------------------------------------------------------------

_HOST_ALPHABET = st.sampled_from([*"0123456789abcdefxX.-+_:[]%", "xn--", "ffff", "localhost"])
_hosts = st.lists(_HOST_ALPHABET, min_size=1, max_size=16).map("".join)
_urls = st.builds(
    lambda scheme, host, port, path: f"{scheme}://{host}{port}{path}",
    st.sampled_from(["http", "https", "HTTP", "ftp", "http:", ""]),
    st.one_of(_hosts, st.text(max_size=12)),
    st.sampled_from(["", ":80", ":0", ":99999", ":-1", ":x", ":"]),
    st.sampled_from(["/", "", "/a?b#c", "/\x00", "@evil.example/"]),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_urls)
async def test_any_url_is_fetched_or_refused_with_a_typed_error(url: str) -> None:
    asked: list[str] = []

    async def dns(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["10.0.0.1"]  # every name is internal: nothing may connect

    if may_reach_a_public_address(url):
        return  # the test never leaves the machine
    async with GuardedClient(SHORT, lookup=dns) as client:
        with pytest.raises(FetchError):
            await fetch_page(url, SHORT, client=client)
