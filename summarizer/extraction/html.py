"""HTML parsing and element -> text-lines conversion shared by the extractors."""

from __future__ import annotations

import re
import threading
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
CELL_TAGS = frozenset({"td", "th"})
MAX_DATA_CELL_CHARS = 60  # longer cells are prose, laid out by a table
_WS = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
# Characters XML (hence lxml) refuses: C0 controls other than tab/newline/return, DEL,
# lone surrogates and the non-characters U+FFFE/U+FFFF. Pages do carry them (a NUL in a
# template, a stray form feed); a browser ignores them, and so do we.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# lxml parser objects must not be shared between threads (the bot extracts in workers).
_PARSERS = threading.local()


def _parser() -> lhtml.HTMLParser:
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = lhtml.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
        _PARSERS.parser = parser
    return parser


def collapse(text: str) -> str:
    """Runs of white space (incl. ideographic space and nbsp) become one space."""
    return _WS.sub(" ", text).strip()


def without_control_chars(text: str) -> str:
    """``text`` without the characters no XML tree can hold (see ``_NOT_XML``)."""
    return _NOT_XML.sub("", text)


def parse(text: str) -> lhtml.HtmlElement:
    """Parse decoded HTML; raises ValueError when nothing parseable remains."""
    return parse_xml_safe(without_control_chars(text))


def parse_xml_safe(text: str) -> lhtml.HtmlElement:
    """``parse`` of a text already ``without_control_chars`` (not scanned again)."""
    # lxml rejects str input carrying an XML encoding declaration; bytes in UTF-8 are safe.
    data = text.encode("utf-8", "replace")
    if not data.strip():
        raise ValueError("empty document")
    try:
        root = lhtml.document_fromstring(data, parser=_parser())
    except (etree.ParserError, ValueError) as exc:
        raise ValueError(str(exc)) from exc
    return root


def is_hidden(el: lhtml.HtmlElement) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


# Elements with an attribute that may hide them (read in Python: ``is_hidden``), and the
# union of two node sets, which XPath returns in document order.
_MAY_HIDE = etree.XPath("descendant-or-self::*[@hidden or @aria-hidden or @style]")
_UNION = etree.XPath("$first | $second")


def _doomed(el: lhtml.HtmlElement) -> bool:
    if not isinstance(el.tag, str) or el.tag in SKIP_TAGS:
        return True
    return el.tag != "html" and is_hidden(el)


def prune(root: lhtml.HtmlElement) -> None:
    """Drop scripts, styles, forms controls and hidden nodes in place.

    Only the candidates are tested: the skipped tags, comments and processing
    instructions (a C-level walk finds them) and elements with a hiding attribute (an
    XPath query), in document order as a walk over every node would meet them. An
    entity node, which XPath cannot hold, sends the page through that walk."""
    if next(root.iter(etree.Entity), None) is not None:
        doomed = [el for el in root.iter() if _doomed(el)]
    else:
        tagged = list(root.iter(*SKIP_TAGS, etree.Comment, etree.ProcessingInstruction))
        found = _UNION(root, first=tagged, second=_MAY_HIDE(root))
        doomed = [el for el in found if _doomed(el)]
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
    """Lines of ``el`` with their linked-character counts, in one C-level tree walk."""
    out: list[Line] = []
    buf: list[str] = []
    linked = 0
    links = skipping = 0
    # Whether a table cell is a layout cell, read at its start and reused at its end
    # (the test reads the cell's whole text: nested layout tables made it quadratic).
    layout: dict[lhtml.HtmlElement, bool] = {}

    def flush() -> None:
        nonlocal linked
        if not buf:  # most block boundaries close no text (``linked`` is 0 then too)
            return
        line = collapse("".join(buf))
        if line:
            out.append(Line(line, min(linked, len(line))))
        buf.clear()
        linked = 0

    for event, node in etree.iterwalk(el, events=("start", "end")):
        tag = node.tag
        if not isinstance(tag, str):
            tag = ""
        if event == "start":
            if tag in SKIP_TAGS or not tag:
                skipping += 1
                continue
            if tag == "a":
                links += 1
            if tag in BLOCK_TAGS:
                flush()
            elif tag in CELL_TAGS:
                layout[node] = cell = _is_layout_cell(node)
                if cell:
                    flush()
            text = node.text if tag != "img" else None
        else:
            if tag in SKIP_TAGS or not tag:
                skipping -= 1
            else:
                if tag == "a":
                    links -= 1
                if tag in BLOCK_TAGS:
                    flush()
                elif tag in CELL_TAGS:
                    if layout.pop(node):
                        flush()
                    elif not skipping:
                        buf.append(" ")  # white space: adds nothing to ``linked``
            text = node.tail if node is not el else None
        if text and not skipping:
            buf.append(text)
            if links:
                linked += len(text) - sum(map(text.count, " \n\t\r\u3000\xa0"))
    flush()
    return out


def _is_layout_cell(cell: lhtml.HtmlElement) -> bool:
    """A table cell used for page layout (holds blocks or prose), not a data cell."""
    if next(cell.iterdescendants(*BLOCK_TAGS), None) is not None:
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
