"""Read an HTTP response body with a hard cap on its *decoded* size, and sniff what it is.

The body is inflated here rather than by httpx: ``zlib``'s ``max_length`` lets each step
produce at most what is left under the cap, so a gzip bomb (1 MB that inflates to 1 GB)
costs at most ``max_bytes`` of memory before ``TooLarge`` is raised. httpx would inflate
each 64 KiB network chunk in full (up to ~64 MB at deflate's 1032:1 ratio).
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

from summarizer.errors import FetchError, TooLarge, UnsupportedContent

__all__ = ["read_capped", "sniff_content_type"]

_SNIFF_BYTES = 512
_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<title", b"<meta", b"<div")
_BINARY_MAGIC = {
    b"%PDF-": "application/pdf",
    b"PK\x03\x04": "application/zip",
    b"\x89PNG": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF8": "image/gif",
    b"\x1f\x8b": "application/gzip",
    b"RIFF": "application/octet-stream",
    b"\xd0\xcf\x11\xe0": "application/msword",
}


class _Inflater:
    """gzip or deflate (zlib-wrapped, or raw as some servers send it), bounded per call."""

    def __init__(self, encoding: str) -> None:
        self._wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._raw_fallback = encoding == "deflate"
        self._zlib = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes, room: int) -> bytes:
        """Inflate ``data``; raise ``TooLarge`` as soon as output exceeds ``room``."""
        out: list[bytes] = []
        produced = 0
        while data:
            try:
                piece = self._zlib.decompress(data, room + 1 - produced)
            except zlib.error:
                if self._raw_fallback and not self._started:
                    self._raw_fallback = False
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise FetchError("the page's compressed body is corrupt") from None
            self._started = True
            produced += len(piece)
            if produced > room:
                raise TooLarge(f"decoded body over the cap by step {produced}")
            out.append(piece)
            if self._zlib.eof:
                break  # ignore trailing bytes after the stream, as browsers do
            data = self._zlib.unconsumed_tail
        return b"".join(out)


async def read_capped(chunks: AsyncIterator[bytes], content_encoding: str, max_bytes: int) -> bytes:
    """Concatenate raw ``chunks``, decoding ``content_encoding``; ``TooLarge`` over the cap."""
    encoding = content_encoding.strip().lower()
    inflater: _Inflater | None = None
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflater = _Inflater(encoding)
    elif encoding not in ("", "identity"):
        raise UnsupportedContent(f"content-encoding {encoding!r}")
    parts: list[bytes] = []
    total = 0
    async for chunk in chunks:
        data = inflater.feed(chunk, max_bytes - total) if inflater is not None else chunk
        total += len(data)
        if total > max_bytes:
            raise TooLarge(f"body over {max_bytes} bytes")
        parts.append(data)
    return b"".join(parts)


def sniff_content_type(body: bytes, declared: str = "") -> str:
    """The media type to trust: ``declared`` unless the bytes are plainly a binary format
    (a PDF served as text/html is still a PDF); sniffed when nothing was declared."""
    head = body[:_SNIFF_BYTES]
    for magic, media_type in _BINARY_MAGIC.items():
        if head.startswith(magic):
            raise UnsupportedContent(f"{media_type} (sniffed)")
    if declared:
        return declared
    lowered = head.lstrip().lower()
    if any(marker in lowered for marker in _HTML_MARKERS):
        return "text/html"
    if b"\x00" in head or sum(b < 9 or 13 < b < 32 for b in head) > len(head) // 20:
        raise UnsupportedContent("binary data (sniffed)")
    return "text/plain"
