"""Telegram's HTML parse mode, re-implemented for the fake Bot API.

Follows tdlib's ``parse_html`` (td/telegram/MessageEntity.cpp): only the documented tags,
properly nested, every ``<`` starting a tag. It is deliberately *stricter* than Telegram
about ``&`` and ``>``: a bare ``&`` that starts no entity and a bare ``>`` are errors here,
so a missing ``html.escape`` fails a test instead of slipping through.

``parse_html(text) -> (plain_text, entities)``; raises :class:`EntityParseError` whose
``description`` is shaped like Telegram's ("can't parse entities: ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# tag -> entity type; None for tags whose type depends on attributes
_TAGS: dict[str, str | None] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": None,
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": None,
    "tg-emoji": "custom_emoji",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_ATTR = re.compile(r"""\s*([a-zA-Z_-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_TAG_NAME = re.compile(r"[a-zA-Z0-9-]*")
TEXT_LIMIT = 4096


class EntityParseError(ValueError):
    def __init__(self, detail: str) -> None:
        self.description = f"can't parse entities: {detail}"
        super().__init__(self.description)


@dataclass(slots=True)
class _Open:
    name: str
    start_utf16: int
    attrs: dict[str, str]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _unescape_attr(value: str) -> str:
    return _ENTITY.sub(lambda m: _decode_entity(m) or m.group(0), value)


def _decode_entity(m: re.Match[str]) -> str | None:
    if m.group(1):
        return _NAMED[m.group(1)]
    code = int(m.group(2)) if m.group(2) else int(m.group(3), 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def parse_html(text: str, *, strict: bool = True) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    out_len = 0  # utf-16 units emitted so far
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "&":
            m = _ENTITY.match(text, i)
            decoded = _decode_entity(m) if m else None
            if m and decoded is not None:
                out.append(decoded)
                out_len += utf16_len(decoded)
                i = m.end()
                continue
            if strict:
                raise EntityParseError(
                    f'Unescaped "&" at byte offset {_byte_offset(text, i)}; use &amp; (strict fake)'
                )
        elif ch == ">" and strict:
            raise EntityParseError(
                f'Unescaped ">" at byte offset {_byte_offset(text, i)}; use &gt; (strict fake)'
            )
        if ch != "<":
            out.append(ch)
            out_len += utf16_len(ch)
            i += 1
            continue
        begin = i
        if i + 1 < n and text[i + 1] == "/":
            name_m = _TAG_NAME.match(text, i + 2)
            assert name_m is not None
            name = name_m.group(0).lower()
            j = name_m.end()
            while j < n and text[j] in " \t\n\r":
                j += 1
            if j >= n or text[j] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(text, i)}")
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
            top = stack.pop()
            if name and name != top.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{top.name}>", found "</{name}>"'
                )
            entity = _entity_for(top, out_len)
            if entity is not None:
                entities.append(entity)
            i = j + 1
            continue
        name_m = _TAG_NAME.match(text, i + 1)
        assert name_m is not None
        name = name_m.group(0).lower()
        if not name:
            raise EntityParseError(f"Empty tag name at byte offset {_byte_offset(text, i)}")
        if name not in _TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}'
            )
        j = name_m.end()
        attrs: dict[str, str] = {}
        while True:
            while j < n and text[j] in " \t\n\r":
                j += 1
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, i)}")
            if text[j] == ">":
                break
            attr_m = _ATTR.match(text, j)
            if attr_m is None or attr_m.end() == j:
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {_byte_offset(text, j)}"
                )
            value = next((g for g in attr_m.groups()[1:] if g is not None), "")
            attrs[attr_m.group(1).lower()] = _unescape_attr(value)
            j = attr_m.end()
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {i}')
        stack.append(_Open(name, out_len, attrs))
        i = j + 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    plain = "".join(out)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return plain, entities


def _entity_for(tag: _Open, end_utf16: int) -> dict[str, Any] | None:
    length = end_utf16 - tag.start_utf16
    if length <= 0:
        return None
    base: dict[str, Any] = {"offset": tag.start_utf16, "length": length}
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return None
        return {**base, "type": "text_link", "url": href}
    if tag.name == "span":
        return {**base, "type": "spoiler"}
    if tag.name == "pre":
        return {**base, "type": "pre"}
    if tag.name == "blockquote" and "expandable" in tag.attrs:
        return {**base, "type": "expandable_blockquote"}
    if tag.name == "tg-emoji":
        return {**base, "type": "custom_emoji", "custom_emoji_id": tag.attrs.get("emoji-id", "")}
    kind = _TAGS[tag.name]
    assert kind is not None
    return {**base, "type": kind}
