"""Body extractors for the cascade: readability's scoring (main), trafilatura
(fallback) and a text-density baseline. Each returns text lines or an empty list."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Sequence
from typing import Any

from lxml import etree
from lxml import html as lhtml
from lxml.etree import tounicode
from readability import Document
from readability.readability import REGEXES, Unparseable

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


# readability's tag sets and patterns (readability/readability.py), for the methods below.
_INLINE_TAGS = frozenset(
    ["a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub", "sup", "u"]
)
_DIV_TO_P = REGEXES["divToPElementsRe"]
_BLOCK_PREFIX = re.compile(_DIV_TO_P.pattern.lstrip("<"), re.I)  # a tag name it finds
_UNLIKELY = REGEXES["unlikelyCandidatesRe"]
_MAYBE_CANDIDATE = REGEXES["okMaybeItsACandidateRe"]
# Class and id values of the elements under the root, in document order (an element's
# two are neighbours there: its attributes come before its children).
_CLASSES_AND_IDS = etree.XPath("descendant::*/@class | descendant::*/@id")
_RAW_TEXT_TAGS = frozenset({"script", "style"})  # serialised unescaped: "<" may be text


def _paragraph() -> lhtml.HtmlElement:
    """An empty <p>, as readability's ``fragment_fromstring("<p/>")`` gives, unparsed."""
    return lhtml.Element("p")


def _holds_block(el: lhtml.HtmlElement) -> bool:
    """Whether readability's ``divToPElementsRe`` finds a block tag in ``el``'s HTML.

    In that HTML a "<" opens a tag, except in a script or style, a comment or an
    attribute value (libxml2 versions differ on escaping it in URLs); only then is the
    HTML written out and searched, otherwise the tag names answer."""
    for node in el.iter():
        tag = node.tag
        if not isinstance(tag, str) or tag.lower() in _RAW_TEXT_TAGS:
            break
        if _BLOCK_PREFIX.match(tag):
            return True
        if any("<" in v for v in node.attrib.values()):
            break
    else:
        return False
    return bool(_DIV_TO_P.search(tounicode(el, method="html")))


# A run of white space, but a lone " " (written to start with a character class, which
# lets the regex engine skip to the next white space in C).
_SPACE_RUN = re.compile(r"\s(?:\s+|(?<! ))")
_TABS = re.compile(r"\t|[ \t]{2,}")


def _fold(run: re.Match[str]) -> str:
    """What readability's three patterns make of one run of white space, in order: 255
    or more characters become 255 spaces (which the third makes one), a run holding a
    newline becomes one newline, and tabs and runs of spaces and tabs become a space."""
    text = run.group()
    if len(text) >= 255:
        return " "
    if "\n" in text:
        return "\n"
    return _TABS.sub(" ", text)


def _clean(text: str) -> str:
    r"""readability's ``clean``: the same result, in linear time and one pass. Its patterns
    ``\s{255,}`` and ``\s*\n\s*`` are tried at every position of a run of white space,
    each try scanning the rest of the run (quadratic: 60 ms on a portal page indented
    with runs of hundreds of spaces). Each of its three steps maps a run of white space
    to white space, so runs stay apart and each can be folded on its own."""
    return _SPACE_RUN.sub(_fold, text).strip()


def _text_length(el: lhtml.HtmlElement) -> int:
    return len(_clean(el.text_content() or ""))


class _PreParsed(Document):  # type: ignore[misc]
    """readability's Document on a tree we already parsed and pruned, with its hot spots
    computed without the repeated work (same results, see each method).

    readability re-parses its input on every retry; a copy of our tree is far cheaper
    than parsing again, and we skip its lxml Cleaner (we pruned already).
    """

    def __init__(self, root: lhtml.HtmlElement, url: str | None) -> None:
        super().__init__("", url=None)
        self._source = root
        self._fresh: lhtml.HtmlElement | None = self._copy()

    def _copy(self) -> lhtml.HtmlElement:
        tree = copy.deepcopy(self._source)
        # Page chrome readability would score and reject anyway; dropping it first
        # saves most of its work on big portal pages.
        for el in tree.iter(*CHROME_TAGS):
            el.drop_tree()
        return tree

    def _parse(self, input: Any) -> lhtml.HtmlElement:
        self.encoding = "utf-8"
        # The first attempt takes the copy made for it; a retry (readability's lenient
        # second pass) needs an untouched one.
        tree, self._fresh = self._fresh, None
        return tree if tree is not None else self._copy()

    def remove_unlikely_candidates(self) -> None:
        """readability's pass over every element, read only where it can act.

        It searches each element's "class id" for page-furniture words; none holds a
        space, so only an element whose class or id holds one can pass. The class and
        id values are read as strings (no element objects made), each distinct one
        searched once, and only the elements of the values that hold such a word are
        tested as readability tests them, in document order. (Dropping an element
        changes neither the ancestors nor the descendants of a later one that stays.)"""
        furniture: dict[str, bool] = {}
        suspects: list[lhtml.HtmlElement] = []
        for value in _CLASSES_AND_IDS(self.html):
            hit = furniture.get(value)
            if hit is None:
                hit = furniture[value] = bool(_UNLIKELY.search(value))
            if hit and (not suspects or suspects[-1] is not value.getparent()):
                suspects.append(value.getparent())
        for elem in suspects:
            s = "{} {}".format(elem.get("class", ""), elem.get("id", ""))
            if len(s) < 2:
                continue
            if (
                _UNLIKELY.search(s)
                and (not _MAYBE_CANDIDATE.search(s))
                and elem.tag not in ["html", "body"]
                and not elem.xpath("ancestor-or-self::pre | ancestor-or-self::code")
                and not elem.xpath(
                    "descendant-or-self::main | descendant-or-self::article | "
                    "descendant-or-self::math"
                )
            ):
                elem.drop_tree()

    def transform_misused_divs_into_paragraphs(self) -> None:
        """readability serialises the children of every <div> to find a block tag among
        its descendants (quadratic in the nesting depth); one upward marking pass from
        each block-tag element gives the same answer. Its second step runs as it is."""
        marked: set[lhtml.HtmlElement] = set()
        for el in self.html.iter():
            if not isinstance(el.tag, str):  # a comment's text is written out as it is
                super().transform_misused_divs_into_paragraphs()
                return
            if _BLOCK_PREFIX.match(el.tag):
                up = el.getparent()
                while up is not None and up not in marked:
                    marked.add(up)
                    up = up.getparent()
        for elem in self.html.findall(".//div"):
            if elem not in marked:
                elem.tag = "p"
        self._wrap_inline_runs()

    def _wrap_inline_runs(self) -> None:
        """readability's second step, as it is: text and runs of inline children of a
        <div> each wrapped in a <p>."""
        for elem in self.html.findall(".//div"):
            children = list(elem)
            paragraph = None
            if elem.text and elem.text.strip():
                p = _paragraph()
                p.text = elem.text
                elem.text = None
                elem.insert(0, p)
                paragraph = p
            for child in children:
                if child.tag == "br":
                    paragraph = None
                    continue
                if child.tag not in _INLINE_TAGS or _holds_block(child):
                    paragraph = None
                    continue
                if paragraph is None:
                    paragraph = _paragraph()
                    child.addprevious(paragraph)
                paragraph.append(child)
            for pos, child in reversed(list(enumerate(elem))):
                if child.tail and child.tail.strip():
                    p = _paragraph()
                    p.text = child.tail
                    child.tail = None
                    elem.insert(pos + 1, p)
                if child.tag == "br":
                    child.drop_tree()

    def score_paragraphs(self) -> dict[lhtml.HtmlElement, dict[str, Any]]:
        """readability's ``score_paragraphs`` (readability/readability.py), with its text
        cleaning in linear time (``_clean``) and each link's text length read once: its
        last step takes the link density of every candidate, each reading the text of
        every link inside it again (the page's whole link list for <body>). Its debug
        log lines, formatted whether logged or not, are left out."""
        candidates: dict[lhtml.HtmlElement, dict[str, Any]] = {}
        ordered: list[lhtml.HtmlElement] = []
        for elem in self.tags(self._html(), "p", "pre", "td", "blockquote"):
            parent_node = elem.getparent()
            if parent_node is None:
                continue
            grand_parent_node = parent_node.getparent()
            raw = elem.text_content() or ""
            if len(raw) < self.min_text_length:  # cleaning never lengthens a text
                continue
            inner_text = _clean(raw)
            inner_text_len = len(inner_text)
            if inner_text_len < self.min_text_length:
                continue
            if parent_node not in candidates:
                candidates[parent_node] = self.score_node(parent_node)
                ordered.append(parent_node)
            if grand_parent_node is not None and grand_parent_node not in candidates:
                candidates[grand_parent_node] = self.score_node(grand_parent_node)
                ordered.append(grand_parent_node)
            content_score: float = 1
            content_score += len(inner_text.split(","))
            content_score += min((inner_text_len / 100), 3)
            candidates[parent_node]["content_score"] += content_score
            if grand_parent_node is not None:
                candidates[grand_parent_node]["content_score"] += content_score / 2.0
        link_lengths: dict[lhtml.HtmlElement, int] = {}
        for elem in ordered:
            link_length = 0
            for a in elem.iterdescendants("a"):
                n = link_lengths.get(a)
                if n is None:
                    n = link_lengths[a] = _text_length(a)
                link_length += n
            ld = float(link_length) / max(_text_length(elem), 1)
            candidates[elem]["content_score"] *= 1 - ld
        return candidates

    def get_link_density(self, elem: lhtml.HtmlElement) -> float:
        """readability's, with its text cleaning in linear time."""
        link_length = 0
        for a in elem.findall(".//a"):
            link_length += _text_length(a)
        return float(link_length) / max(_text_length(elem), 1)


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
