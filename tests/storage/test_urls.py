from __future__ import annotations

import pytest

from storage.urls import canonical_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://News.Example.com/a?utm_source=x#frag", "https://news.example.com/a"),
        ("http://www.example.com:80/a/", "http://example.com/a"),
        ("https://example.com/a?b=2&a=1&fbclid=z", "https://example.com/a?a=1&b=2"),
        ("https://example.com:8443/A", "https://example.com:8443/A"),
        ("https://example.com", "https://example.com/"),
        (None, None),
        ("   ", None),
    ],
)
def test_canonical_url(url: str | None, expected: str | None) -> None:
    assert canonical_url(url) == expected


def test_distinct_articles_stay_distinct() -> None:
    assert canonical_url("https://e.com/a?id=1") != canonical_url("https://e.com/a?id=2")
    assert canonical_url("https://e.com/a/b") != canonical_url("https://e.com/a/B")
