"""Which network addresses a fetch may reach: the SSRF guard.

A stranger's link must never make the bot talk to itself, the local network or a cloud
metadata service. ``check_address`` refuses every address that is not publicly routable:
the IANA special-purpose registries (RFC 6890 and successors) for IPv4 and IPv6, plus
multicast, CGNAT (100.64.0.0/10) and the cloud metadata endpoints. IPv6 forms that
embed an IPv4 address (IPv4-mapped/-compatible, 6to4, NAT64, Teredo) are judged by the
IPv4 address inside. ``literal_address`` understands every spelling ``inet_aton``
accepts (``2130706433``, ``0177.0.0.1``, ``0x7f.1``, ``127.1``), because the system
resolver would happily turn those into 127.0.0.1.

The explicit tables below are used instead of ``ipaddress``'s ``is_global`` because its
answers differ between Python versions (3.11 calls ``::ffff:8.8.8.8`` reserved).
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable

from summarizer.errors import BlockedAddress, InvalidURL, SiteUnreachable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# A DNS lookup: (host, port) -> address strings. Tests pass a fake DNS here.
Lookup = Callable[[str, int], Awaitable[list[str]]]

__all__ = [
    "IPAddress",
    "Lookup",
    "blocked_reason",
    "check_address",
    "check_hostname",
    "literal_address",
    "resolve_vetted",
    "system_lookup",
]

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

_BLOCKED_V4: tuple[tuple[_V4, str], ...] = tuple(
    (_V4(net), why)
    for net, why in (
        ("0.0.0.0/8", "this-network"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "carrier-grade NAT"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol assignments"),
        ("192.0.2.0/24", "documentation"),
        ("192.31.196.0/24", "AS112"),
        ("192.52.193.0/24", "AMT"),
        ("192.88.99.0/24", "6to4 relay anycast"),
        ("192.168.0.0/16", "private"),
        ("192.175.48.0/24", "AS112"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),  # includes 255.255.255.255 broadcast
    )
)
_BLOCKED_V6: tuple[tuple[_V6, str], ...] = tuple(
    (_V6(net), why)
    for net, why in (
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::/96", "IPv4-compatible (deprecated)"),
        ("100::/64", "discard-only"),
        ("2001::/23", "IETF protocol assignments"),
        ("2001:db8::/32", "documentation"),
        ("2001:10::/28", "ORCHID"),
        ("3fff::/20", "documentation"),
        ("5f00::/16", "segment routing"),
        ("fc00::/7", "unique local (private)"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local (deprecated)"),
        ("ff00::/8", "multicast"),
        ("64:ff9b:1::/48", "local-use NAT64"),
    )
)
_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
_METADATA_HOSTS = frozenset(
    {"metadata.google.internal", "metadata.goog", "metadata", "instance-data"}
)
_NAT64 = _V6("64:ff9b::/96")
_LOCAL_NAT64 = _V6("64:ff9b:1::/48")
_COMPAT = _V6("::/96")
_GLOBAL_UNICAST = _V6("2000::/3")
_MAPPED = _V6("::ffff:0:0/96")
# One part of a dotted number as inet_aton reads it: hex, octal or decimal, unsigned.
_INET_ATON_PART = re.compile(r"0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*")
# Parts that look numeric (``-1``, ``09``, ``0x``): no DNS name ends in an all-number label.
_NUMBER_LIKE = re.compile(r"[-+]?(0[xX][0-9a-fA-F]*|[0-9]+)")


def blocked_reason(ip: IPAddress, allowed: Iterable[str] = ()) -> str | None:
    """Why ``ip`` must not be fetched, or ``None`` if it is a public address.

    ``allowed`` lists CIDR networks the operator trusts (tests, an intranet); cloud
    metadata addresses stay blocked even inside them.
    """
    if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
        ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
    if ip in _METADATA:
        return "cloud metadata service"
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            if inner in _METADATA:
                return "cloud metadata service"
            if any(ip in net for net in _allowed_networks(tuple(allowed))):
                return None
            why = blocked_reason(inner, allowed)
            if why is not None:
                return f"{why} (embedded in IPv6)"
            if ip in _MAPPED or ip in _NAT64:
                return None  # a public IPv4 reached over IPv6: legitimate
    if any(ip in net for net in _allowed_networks(tuple(allowed))):
        return None
    table: Iterable[tuple[_V4 | _V6, str]] = _BLOCKED_V4 if ip.version == 4 else _BLOCKED_V6
    for net, why in table:
        if ip in net:
            return why
    if isinstance(ip, ipaddress.IPv6Address) and ip not in _GLOBAL_UNICAST:
        return "not a global unicast address"
    return None


def check_address(ip: IPAddress, host: str, allowed: Iterable[str] = ()) -> None:
    """Raise ``BlockedAddress`` if ``ip`` (which ``host`` resolved to) is not public."""
    why = blocked_reason(ip, allowed)
    if why is not None:
        raise BlockedAddress(f"{host} -> {ip}: {why}")


def check_hostname(host: str) -> None:
    """Refuse names that are internal by definition, before any DNS lookup."""
    name = host.rstrip(".").lower()
    if name in _METADATA_HOSTS:
        raise BlockedAddress(f"{host}: cloud metadata service")
    if name == "localhost" or name.endswith(".localhost"):
        raise BlockedAddress(f"{host}: loopback (RFC 6761 localhost)")


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells, in any form ``inet_aton`` or IPv6 accepts, else None.

    A host that is neither a name nor a valid number (``-1``, ``127.0.0.-1``, ``09``,
    ``[::ffff:127.1]``) raises ``InvalidURL``: the resolver would refuse it too.
    """
    name = host.strip("[]").rstrip(".")
    if ":" in name:
        try:
            return ipaddress.IPv6Address(name)
        except ValueError:
            raise InvalidURL(f"malformed IPv6 address {host!r}") from None
    parts = name.split(".")
    if not 1 <= len(parts) <= 4 or not all(parts):
        return None
    if not all(_NUMBER_LIKE.fullmatch(p) for p in parts):
        return None  # a name, not a number
    if not all(_INET_ATON_PART.fullmatch(p) for p in parts):
        raise InvalidURL(f"malformed IPv4 address {host!r}")
    numbers = [
        int(p, 16) if p[:2].lower() == "0x" else int(p, 8 if p[0] == "0" else 10) for p in parts
    ]
    # inet_aton: the last part fills all remaining bytes (127.1 == 127.0.0.1)
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(parts)):
        raise InvalidURL(f"malformed IPv4 address {host!r}")
    value = 0
    for n in head:
        value = value << 8 | n
    value = value << 8 * (5 - len(parts)) | last
    return ipaddress.IPv4Address(value)


async def system_lookup(host: str, port: int) -> list[str]:
    """The addresses the operating system's resolver gives for ``host``."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise SiteUnreachable(f"{host}: {exc}") from None
    return [str(sockaddr[0]) for _family, _type, _proto, _canon, sockaddr in infos]


async def resolve_vetted(
    host: str, port: int, allowed: Iterable[str] = (), lookup: Lookup = system_lookup
) -> list[IPAddress]:
    """Resolve ``host`` and return its addresses, refusing if *any* of them is blocked.

    One blocked answer refuses the whole name: a resolver that mixes a public and a
    private address is an attack, not a misconfiguration worth working around.
    """
    check_hostname(host)
    literal = literal_address(host)
    if literal is not None:
        check_address(literal, host, allowed)
        return [_unwrap(literal)]
    addresses: list[IPAddress] = []
    for answer in await lookup(host, port):
        try:
            ip = ipaddress.ip_address(answer.split("%", 1)[0])
        except ValueError:
            raise SiteUnreachable(f"{host}: resolver answered {answer!r}") from None
        check_address(ip, host, allowed)
        if _unwrap(ip) not in addresses:
            addresses.append(_unwrap(ip))
    if not addresses:
        raise SiteUnreachable(f"{host}: no addresses")
    return addresses


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    packed = int(ip)
    if ip in _NAT64 or ip in _LOCAL_NAT64:
        return ipaddress.IPv4Address(packed & 0xFFFFFFFF)
    if ip in _COMPAT and packed > 1:
        return ipaddress.IPv4Address(packed)
    return None


def _unwrap(ip: IPAddress) -> IPAddress:
    """Connect to an IPv4-mapped address over IPv4 (works without dual-stack sockets)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


@functools.lru_cache(maxsize=32)
def _allowed_networks(allowed: tuple[str, ...]) -> tuple[_V4 | _V6, ...]:
    return tuple(ipaddress.ip_network(net, strict=False) for net in allowed)
