"""HTML parsing and element -> text-lines conversion shared by the extractors."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
from lxml import html as lhtml

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
        "br",
        "title",
    ]
)
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "embed",
        "svg",
        "canvas",
        "select",
        "option",
        "button",
        "textarea",
        "input",
        "video",
        "audio",
        "map",
        "head",
    ]
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
MAX_DATA_CELL_CHARS = 60  # longer cells are prose, laid out by a table
_WS = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_UTF8_PARSER = lhtml.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


def collapse(text: str) -> str:
    """Runs of white space (incl. ideographic space and nbsp) become one space."""
    return _WS.sub(" ", text).strip()


def parse(text: str) -> lhtml.HtmlElement:
    """Parse decoded HTML; raises ValueError when nothing parseable remains."""
    # lxml rejects str input carrying an XML encoding declaration; bytes in UTF-8 are safe.
    data = text.encode("utf-8", "replace")
    if not data.strip():
        raise ValueError("empty document")
    try:
        root = lhtml.document_fromstring(data, parser=_UTF8_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ValueError(str(exc)) from exc
    return root


def is_hidden(el: lhtml.HtmlElement) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def prune(root: lhtml.HtmlElement) -> None:
    """Drop scripts, styles, forms controls and hidden nodes in place."""
    doomed = [
        el
        for el in root.iter()
        if not isinstance(el.tag, str)
        or el.tag in SKIP_TAGS
        or (el.tag != "html" and is_hidden(el))
    ]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


@dataclass(frozen=True, slots=True)
class Line:
    """One visible line and how many of its characters sit inside links."""

    text: str
    linked: int

    @property
    def link_share(self) -> float:
        return self.linked / len(self.text) if self.text else 0.0


def text_lines(el: lhtml.HtmlElement) -> list[str]:
    """Visible text of ``el``: one line per block element, white space collapsed."""
    return [ln.text for ln in lines_with_links(el)]


def lines_with_links(el: lhtml.HtmlElement) -> list[Line]:
    parts: list[tuple[str, bool]] = []
    _walk(el, parts, False)
    out: list[Line] = []
    text: list[str] = []
    linked = 0
    for piece, in_link in [*parts, ("\n", False)]:
        chunks = piece.split("\n")
        for k, chunk in enumerate(chunks):
            if k:
                line = collapse("".join(text))
                if line:
                    out.append(Line(line, min(linked, len(line))))
                text, linked = [], 0
            text.append(chunk)
            if in_link:
                linked += len(collapse(chunk))
    return out


def _walk(el: lhtml.HtmlElement, parts: list[tuple[str, bool]], in_link: bool) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in SKIP_TAGS or not tag:
        if el.tail:
            parts.append((el.tail, in_link))
        return
    block = tag in BLOCK_TAGS or (tag in ("td", "th") and _is_layout_cell(el))
    inner_link = in_link or tag == "a"
    if block:
        parts.append(("\n", in_link))
    if el.text and tag != "img":
        parts.append((el.text, inner_link))
    for child in el:
        _walk(child, parts, inner_link)
    if block:
        parts.append(("\n", in_link))
    elif tag in ("td", "th"):
        parts.append((" ", in_link))
    if el.tail:
        parts.append((el.tail, in_link))


def _is_layout_cell(cell: lhtml.HtmlElement) -> bool:
    """A table cell used for page layout (holds blocks or prose), not a data cell."""
    for child in cell.iter():
        if child is not cell and child.tag in BLOCK_TAGS:
            return True
    return len(cell.text_content()) > MAX_DATA_CELL_CHARS


def text_of(el: lhtml.HtmlElement) -> str:
    return collapse(el.text_content())


def link_density(el: lhtml.HtmlElement) -> float:
    total = len(text_of(el))
    if not total:
        return 1.0
    linked = sum(len(text_of(a)) for a in el.iter("a"))
    return min(1.0, linked / total)
