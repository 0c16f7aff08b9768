"""Canonical article URLs: the key that makes "the same link sent twice" one article.

Tracking parameters, fragments, default ports, the host's case and a trailing slash do
not change which article a link points to; everything else (path case, other query
parameters, their values) might, so it is kept.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that only say where a click came from (utm_* is matched by prefix).
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "spm",
        "from",
        "share_token",
        "share_from",
        "sharer_shareid",
        "wfr",
        "scene",
        "isappinstalled",
        "timestamp",
        "_ga",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str | None) -> str | None:
    """The normalised form of ``url`` used for de-duplication; ``None`` for no/blank URL.

    >>> canonical_url("HTTPS://News.Example.com:443/a/b/?utm_source=x&id=7#top")
    'https://news.example.com/a/b?id=7'
    """
    if url is None or not url.strip():
        return None
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower() or "http"
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))
