"""``split_message``: cut Telegram HTML into messages under the 4096 limit.

Cuts prefer, in order: paragraph breaks (blank line), line breaks, sentence ends, spaces,
then any character. A cut never falls inside a tag or an ``&entity;``; tags open at a cut
are closed at the end of the chunk and reopened (with their attributes) at the start of the
next, so every chunk is balanced on its own. Lengths are counted in UTF-16 units, as
Telegram counts them, on the raw HTML (an upper bound on the parsed length). A tag too long
to share a message with text (an ``<a href>`` with a huge link) is dropped with its closing
tag, keeping the text it wrapped, so no part ever exceeds the limit; a part with nothing
visible in it (only tags, spaces or ``&#32;``) is never produced.
"""

from __future__ import annotations

import html as html_lib
import re

TELEGRAM_LIMIT = 4096
_ATOM = re.compile(r"<[^<>]*>|&#?[A-Za-z0-9]+;|[\s\S]", re.S)
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")
_SENTENCE_END = set("。！？!?；;…")
_CLOSERS = set("”’」』）)】\"'")
# break scores: higher is a better place to cut after this atom
_PARAGRAPH, _LINE, _SENTENCE, _SPACE, _ANY = 4, 3, 2, 1, 0


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji or 𠀀 counts two)."""
    return len(text.encode("utf-16-le")) // 2


def _tag_name(atom: str) -> tuple[str, bool] | None:
    """(name, is_end) for a tag atom, ``None`` for text."""
    if not atom.startswith("<") or len(atom) < 3:
        return None
    m = _TAG.match(atom)
    return (m.group(2).lower(), bool(m.group(1))) if m else None


def _score(atoms: list[str], i: int) -> int:
    """How good a cut right after ``atoms[i]`` is (-1: never cut there)."""
    atom = atoms[i]
    name = _tag_name(atom)
    if name is not None:
        return -1 if not name[1] else _ANY  # never right after an opening tag
    nxt = atoms[i + 1] if i + 1 < len(atoms) else ""
    if atom == "\n":
        return _PARAGRAPH if (i > 0 and atoms[i - 1] == "\n") or nxt == "\n" else _LINE
    if atom in _SENTENCE_END and nxt not in _CLOSERS and nxt not in _SENTENCE_END:
        return _SENTENCE
    if atom in _CLOSERS and i > 0 and atoms[i - 1] in _SENTENCE_END:
        return _SENTENCE
    if atom.isspace():
        return _SPACE
    return _ANY


def _apply(stack: list[tuple[str, str]], atom: str) -> list[tuple[str, str]]:
    """The open-tag stack after ``atom`` (a new list when it changes)."""
    name = _tag_name(atom)
    if name is None:
        return stack
    if name[1]:
        return stack[:-1] if stack and stack[-1][0] == name[0] else stack
    return [*stack, (name[0], atom)]


def _closers(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _without_huge_tags(atoms: list[str], most: int) -> list[str]:
    """``atoms`` minus opening tags longer than ``most`` units and their closing tags."""
    kept: list[str] = []
    stack: list[tuple[str, bool]] = []  # (name, dropped)
    for atom in atoms:
        name = _tag_name(atom)
        if name is None:
            kept.append(atom)
        elif not name[1]:
            dropped = utf16_len(atom) > most
            stack.append((name[0], dropped))
            if not dropped:
                kept.append(atom)
        else:
            if stack and stack[-1][0] == name[0] and stack.pop()[1]:
                continue
            kept.append(atom)
    return kept


def split_message(html: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Balanced chunks of ``html`` (valid Telegram HTML), each at most ``limit`` long."""
    if utf16_len(html) <= limit:
        return [html] if _visible(html) else []
    atoms = _without_huge_tags(_ATOM.findall(html), limit // 4)
    chunks: list[str] = []
    stack: list[tuple[str, str]] = []  # (name, original opening tag)
    start = 0
    while start < len(atoms):
        while start < len(atoms) and atoms[start].isspace():
            start += 1  # a chunk never starts with blank lines
        if start >= len(atoms):
            break
        prefix = "".join(tag for _, tag in stack)
        size = utf16_len(prefix)
        local = list(stack)
        best: dict[int, tuple[int, list[tuple[str, str]]]] = {}  # score -> (end, stack)
        end = start
        while end < len(atoms):
            atom = atoms[end]
            after = _apply(local, atom)
            grown = size + utf16_len(atom)
            if grown + utf16_len(_closers(after)) > limit and end > start:
                break
            local, size = after, grown
            score = _score(atoms, end)
            if score >= 0:
                best[score] = (end + 1, local)
            end += 1
        else:
            best = {99: (len(atoms), local)}
        if not best:  # no good cut before the limit: cut where we are, to make progress
            best = {_ANY: (end, local)}
        cut, cut_stack = best[max(best)]
        body = atoms[start:cut]
        while body and body[-1].isspace():
            body.pop()
        chunk = prefix + "".join(body) + _closers(cut_stack)
        if _visible(chunk):
            chunks.append(chunk)
        stack, start = cut_stack, cut
    return chunks


def _visible(chunk: str) -> bool:
    return bool(html_lib.unescape(re.sub(r"<[^<>]*>", "", chunk)).strip())
