"""Body extractors for the cascade: readability's scoring (main), trafilatura
(fallback) and a text-density baseline. Each returns text lines or an empty list."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Sequence
from typing import Any

from lxml import html as lhtml
from readability import Document
from readability.readability import Unparseable

from summarizer.extraction.html import Line, lines_with_links

log = logging.getLogger(__name__)

CHROME_TAGS = ("nav", "aside", "footer", "menu")
MIN_PARAGRAPH_CHARS = 25  # baseline: a line this long (CJK chars) may be body text
MIN_PROSE_WORDS = 20  # an English line this many words long is prose, punctuated or not
MAX_GAP_LINES = 3  # baseline: short lines allowed inside the body block
MAX_LINE_LINK_SHARE = 0.6  # a line mostly made of link text is navigation, not body
MIN_PARAGRAPH_SHARE = 0.5  # below this share of paragraph text, trim to the densest block
_CAPTION_CLASS = re.compile(
    r"caption|pic-?info|pic-?txt|img-?(?:desc|txt|title)|photo-?(?:desc|txt)|image-?desc", re.I
)
_CLAUSE_MARK = re.compile(r"[，。；、！？,;]")
_SENTENCE_END = re.compile(r"[。！？!?.…”」』\"）)]$")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SHORT_SENTENCE = re.compile(r"[\u4e00-\u9fff][。；！？]$")
_CONTINUES = re.compile(r"[，、,；;]$")


class _PreParsed(Document):  # type: ignore[misc]
    """readability's Document on a tree we already parsed and pruned.

    readability re-parses its input on every retry; a deep copy of our tree is far
    cheaper than parsing again, and we skip its lxml Cleaner (we pruned already).
    """

    def __init__(self, root: lhtml.HtmlElement, url: str | None) -> None:
        super().__init__("", url=None)
        self._root = copy.deepcopy(root)
        # Page chrome readability would score and reject anyway; dropping it first
        # saves most of its work on big portal pages.
        for el in self._root.iter(*CHROME_TAGS):
            el.drop_tree()

    def _parse(self, input: Any) -> lhtml.HtmlElement:
        self.encoding = "utf-8"
        return copy.deepcopy(self._root)


def readability_lines(root: lhtml.HtmlElement) -> list[str]:
    """Main extractor: readability-lxml's container choice, read as lines."""
    try:
        fragment = _PreParsed(root, None).summary(html_partial=True)
    except Unparseable:
        log.debug("readability could not parse the page", exc_info=True)
        return []
    if not fragment or not fragment.strip():
        return []
    container = lhtml.fromstring(fragment)
    drop_captions(container)
    return unlinked_lines(container)


def drop_captions(el: lhtml.HtmlElement) -> None:
    """Remove image captions: <figcaption> and blocks whose class names a caption."""
    doomed = list(el.iter("figcaption"))
    doomed += [e for e in el.iter() if _CAPTION_CLASS.search(str(e.get("class") or ""))]
    for e in doomed:
        if e.getparent() is not None:
            e.drop_tree()


def unlinked_lines(el: lhtml.HtmlElement) -> list[str]:
    """Lines of ``el`` without link-only lines (menus, related-story titles, tag clouds)."""
    return [
        ln.text
        for ln in lines_with_links(el)
        if ln.link_share < MAX_LINE_LINK_SHARE or is_paragraph(ln.text)
    ]


def trafilatura_lines(html: str, url: str | None) -> list[str]:
    """Fallback: trafilatura's body (precision-oriented, keeps paragraph breaks)."""
    import trafilatura  # imported on demand: only pages readability fails on need it

    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=True)
    return [ln.strip() for ln in (text or "").split("\n") if ln.strip()]


def is_paragraph(line: str) -> bool:
    """Prose, not a menu item: long enough and punctuated like sentences (hard-wrapped
    prose lines end mid-sentence but still carry commas)."""
    if len(line) < MIN_PARAGRAPH_CHARS:
        return False
    return (
        bool(_SENTENCE_END.search(line))
        or len(_CLAUSE_MARK.findall(line)) >= 2
        or (len(line.split()) >= MIN_PROSE_WORDS and not _HAN.search(line))
    )


def prose_blocks(lines: Sequence[str]) -> list[tuple[int, int, int]]:
    """Runs of prose lines as (score, start, end): score = characters of prose lines.

    Up to ``MAX_GAP_LINES`` other lines in a row may sit inside a run (subheadings,
    short quotes); short lines that end like a sentence or a list item (（一）涉及案情重大的；)
    do not count against it. A run ends at its last prose line.
    """
    blocks: list[tuple[int, int, int]] = []
    start = -1
    score = gap = end = 0
    for i, line in enumerate(lines):
        if is_paragraph(line):
            if start < 0:
                start, score = i, 0
            score += len(line)
            gap, end = 0, i + 1
        elif start >= 0 and not _SHORT_SENTENCE.search(line):
            gap += 1
            if gap > MAX_GAP_LINES:
                blocks.append((score, start, end))
                start, score, gap = -1, 0, 0
    if start >= 0:
        blocks.append((score, start, end))
    return blocks


def densest_block(lines: Sequence[str]) -> tuple[int, int]:
    """Baseline: [start, end) of the run of lines holding the most prose."""
    blocks = prose_blocks(lines)
    if not blocks:
        return 0, 0
    _, start, end = max(blocks)
    return start, end


def baseline_lines(root: lhtml.HtmlElement) -> list[str]:
    body = root.find("body")
    return densest_lines(lines_with_links(body if body is not None else root))


def densest_lines(page: Sequence[Line]) -> list[str]:
    """Baseline on already-read page lines: the densest prose run, link-only lines out."""
    lines = [ln.text for ln in page if ln.link_share < MAX_LINE_LINK_SHARE or is_paragraph(ln.text)]
    start, end = densest_block(lines)
    return list(lines[start:end])


def trim_sparse(lines: list[str]) -> list[str]:
    """When a container is mostly short lines (a whole page column was picked), keep only
    its densest run of paragraphs."""
    total = sum(len(x) for x in lines)
    prose = sum(len(x) for x in lines if is_paragraph(x))
    if not total or prose >= MIN_PARAGRAPH_SHARE * total:
        return lines
    start, end = densest_block(lines)
    return lines[start:end] if end > start else lines


def join_broken_lines(lines: Sequence[str]) -> list[str]:
    """Each line that ends inside a sentence (after ，、；) joined to the next. Some sites
    break the line after every clause (下周一，⏎京沪高速施工就将进入第二阶段，⏎也是…),
    and downstream a line is a paragraph: its clauses would be summarised alone."""
    out: list[str] = []
    for line in lines:
        if out and _CONTINUES.search(out[-1]):
            latin = out[-1][-1].isascii() and line[:1].isascii()
            out[-1] += (" " if latin else "") + line
        else:
            out.append(line)
    return out
