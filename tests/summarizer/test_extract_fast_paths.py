"""The extractor's fast paths give what the plain computations give.

The main extractor's readability pass (``summarizer.extraction.body``) computes some of
readability-lxml's steps its own way: the same cleaned text, the same block test, the
same article HTML as readability's own code. ``prune`` (``summarizer.extraction.html``)
finds what to drop without a Python walk over every node: the same nodes, in the same
order, as that walk. The charset sniffer counts common Chinese characters with the
regex engine: the same score as a loop over the characters."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lhtml
from lxml.etree import tounicode
from readability import Document
from readability.readability import REGEXES, clean

from summarizer.charset import _COMMON_HANZI, _IDEOGRAPH, _chinese_score
from summarizer.extraction.body import CHROME_TAGS, _clean, _holds_block, _PreParsed
from summarizer.extraction.html import _doomed, parse, prune

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "extract"


class _Readability(Document):  # type: ignore[misc]
    """readability's Document, unchanged, on the same pruned tree (the extractor as it
    was before its steps were rewritten)."""

    def __init__(self, root: lhtml.HtmlElement) -> None:
        super().__init__("", url=None)
        self._root = copy.deepcopy(root)
        for el in self._root.iter(*CHROME_TAGS):
            el.drop_tree()

    def _parse(self, input: Any) -> lhtml.HtmlElement:
        self.encoding = "utf-8"
        return copy.deepcopy(self._root)


def _both(html: str) -> tuple[str, str]:
    root = parse(html)
    prune(root)
    ours = _PreParsed(root, None).summary(html_partial=True)
    theirs = _Readability(root).summary(html_partial=True)
    return ours, theirs


# White space of every kind readability's patterns treat differently, in runs long
# enough for its 255-character rule.
_SPACE = st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\u3000", "\xa0", " \t "])
_WORD = st.sampled_from(["a", "新闻", "，", ",", "。", "Hello world.", "x" * 30])
_RUN = st.tuples(_SPACE, st.integers(1, 300)).map(lambda t: t[0] * t[1])
_TEXT = st.lists(st.one_of(_WORD, _RUN, _SPACE), max_size=12).map("".join)
# Page text: shorter runs (readability's own clean is quadratic in a run's length).
_SHORT_RUN = st.tuples(_SPACE, st.integers(1, 12)).map(lambda t: t[0] * t[1])
_PAGE_TEXT = st.lists(st.one_of(_WORD, _SHORT_RUN), max_size=6).map("".join)


@given(_TEXT)
@settings(max_examples=300, deadline=None)
def test_clean_is_readabilitys(text: str) -> None:
    assert _clean(text) == clean(text)


def test_clean_is_linear_in_a_run_of_spaces() -> None:
    # readability's own clean needs seconds here (each position rescans the run).
    text = "a" + " " * 200 + "b" + (" " * 254 + "c") * 2000
    assert _clean(text) == "a" + " " + "b" + (" " + "c") * 2000


_TAGS = ["div", "p", "span", "a", "b", "font", "img", "br", "pre", "blockquote", "ul", "li"]
_TAGS += ["table", "td", "h2", "article", "main", "section", "code", "param", "dl", "em"]
_TAGS += ["script", "noscript", "nav", "aside", "button"]
_CLASSES = [None, "", "content", "comment", "footer", "article-body", "sidebar", "post"]
_CLASSES += ["menu main", "related", "story-lead", "caption"]
_HIDING = ["", ' hidden=""', ' aria-hidden="true"', ' aria-hidden="false"']
_HIDING += [' style="display: none"', ' style="color: red"', ' style="visibility:hidden"']


@st.composite
def _element(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(st.sampled_from(_TAGS))
    attrs = ""
    cls = draw(st.sampled_from(_CLASSES))
    if cls is not None:
        attrs += f' class="{cls}"'
    if draw(st.booleans()):
        attrs += ' id="' + draw(st.sampled_from(["main", "comments", "x", "header"])) + '"'
    attrs += draw(st.sampled_from(_HIDING))
    if tag == "a":
        attrs += ' href="' + draw(st.sampled_from(["/a", "/q?x=<p>", "/b<div"])) + '"'
    if tag in ("img", "br"):
        return f"<{tag}{attrs}>" + draw(_PAGE_TEXT)
    inner = draw(_PAGE_TEXT)
    if depth < 3:
        children = draw(st.lists(_element(depth + 1), max_size=4))
        inner += "".join(c + draw(_PAGE_TEXT) for c in children)
    return f"<{tag}{attrs}>{inner}</{tag}>"


@given(st.lists(_element(), min_size=1, max_size=5))
@settings(max_examples=60, deadline=None)
def test_readability_pass_is_readabilitys_on_generated_pages(parts: list[str]) -> None:
    ours, theirs = _both("<html><head><title>t</title></head><body>" + "".join(parts))
    assert ours == theirs


def test_readability_pass_is_readabilitys_on_the_fixture_pages() -> None:
    pages = sorted(PAGES.glob("*.html"))
    assert pages
    for path in pages:
        ours, theirs = _both(path.read_text("utf-8"))
        assert ours == theirs, path.name


def test_block_test_is_readabilitys() -> None:
    root = lhtml.fromstring(
        '<div><a href="/q?x=<p>">link</a><span>text<b>bold</b></span><em>a<img></em>'
        '<a><span><param name="p"></span></a><font>x<table></table></font></div>'
    )
    pattern = REGEXES["divToPElementsRe"]
    found = [_holds_block(child) for child in root]
    assert found == [bool(pattern.search(tounicode(c, method="html"))) for c in root]
    assert found[1:] == [False, True, True, True]


def _walked(root: lhtml.HtmlElement) -> list[lhtml.HtmlElement]:
    """What ``prune`` drops, found by a walk over every node (as it did before)."""
    return [el for el in root.iter() if _doomed(el)]


def _pruned_by_walk(html: str) -> str:
    root = parse(html)
    for el in _walked(root):
        if el.getparent() is not None:
            el.drop_tree()
    return str(tounicode(root))


def _pruned(html: str) -> str:
    root = parse(html)
    prune(root)
    return str(tounicode(root))


@given(st.lists(_element(), min_size=1, max_size=5))
@settings(max_examples=40, deadline=None)
def test_prune_drops_what_a_walk_finds(parts: list[str]) -> None:
    html = "<html><head><title>t</title></head><body>" + "".join(parts)
    assert _pruned(html) == _pruned_by_walk(html)


def test_prune_on_the_fixture_pages() -> None:
    for path in sorted(PAGES.glob("*.html")):
        html = path.read_text("utf-8")
        assert _pruned(html) == _pruned_by_walk(html), path.name
    html = '<body><p style="display:none">x</p>a<script>s</script>b<p hidden>y</p>c</body>'
    assert _pruned(html) == "<html><body>abc</body></html>"


@given(st.text(alphabet="的国這們龘齉㐀a1 。\n\ufffd", max_size=200))
def test_chinese_score_is_the_share_of_common_ideographs(text: str) -> None:
    ideographs = _IDEOGRAPH.findall(text)
    common = sum(ch in _COMMON_HANZI for ch in ideographs)
    expected = common / len(ideographs) if len(ideographs) >= 2 else 0.0
    assert _chinese_score(text) == expected
