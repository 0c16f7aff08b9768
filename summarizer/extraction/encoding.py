"""Bytes -> str for HTML whose ``<meta charset>`` may lie (GBK, GB18030, Big5, UTF-8).

Strict UTF-8 validity is the strongest signal (random GBK bytes almost never form
valid UTF-8), then the declared charset, then GB18030 and Big5; when more than one
decodes cleanly, the one whose text holds more of the commonest Chinese characters
wins (Big5 bytes often decode as GB18030 too, but as rare characters).
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.I)
# The commonest characters of news text, simplified and traditional.
_COMMON = frozenset(
    "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年"
    "过发后作里這個們來為國說時會對於著過發後裡"
)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs"}
SNIFF_BYTES = 4096


def declared_charset(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:SNIFF_BYTES])
    return m.group(1).decode("ascii", "ignore").lower() if m else None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = _ALIASES.get(name.strip().lower(), name.strip().lower())
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _common_share(text: str) -> float:
    cjk = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    return sum(c in _COMMON for c in cjk) / len(cjk) if cjk else 0.0


def decode_html(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns (text, codec name). Never raises on bad bytes."""
    if body.startswith(codecs.BOM_UTF8):
        return body[3:].decode("utf-8", "replace"), "utf-8"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body.decode("utf-16", "replace"), "utf-16"
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    order: list[str] = []
    for name in (_codec(declared), _codec(declared_charset(body)), "gb18030", "big5hkscs"):
        if name and name not in order and name != "utf-8":
            order.append(name)
    clean: list[tuple[str, str]] = []
    for name in order:
        try:
            clean.append((body.decode(name), name))
        except UnicodeDecodeError:
            continue
    if len(clean) == 1:
        return clean[0]
    if clean:
        return max(clean, key=lambda tc: _common_share(tc[0]))
    # Nothing decodes cleanly: keep the codec with the fewest replacement characters.
    tries = [(body.decode(name, "replace"), name) for name in [*order, "utf-8"]]
    return min(tries, key=lambda tc: tc[0].count("\ufffd"))
