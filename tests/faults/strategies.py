"""Hostile inputs for the fault suite: text and pages a stranger could send.

Each strategy mixes realistic pieces (Chinese news sentences, tags, punctuation) with
what breaks parsers: NUL and other control characters, lone surrogates, byte-order
marks, encoding declarations that lie, unclosed and deeply nested tags, numeric
character references outside Unicode, and huge runs without punctuation.
"""

from __future__ import annotations

import ipaddress
import socket

from hypothesis import strategies as st

NEWS = (
    "新华社北京7月16日电 国务院总理李强今天主持召开国务院常务会议。",
    "会议指出，要坚持稳中求进工作总基调，推动经济持续回升向好。",
    "“会议很成功。”随后散会。",
    "上海市政府与阿里巴巴集团签署了合作协议！",
    "记者 王小明 摄影报道",
    "The Ministry said on Monday that talks would resume. Mr. Smith agreed?",
    "发布时间：2024-07-16 10:30 来源：人民网",
)
HOSTILE = (
    "\x00",
    "\x01\x02\x1b",
    "\x0b\x0c",
    "\r\n",
    "\u2028\u2029",
    "\u200b\u200d\ufeff",
    "\u202e",  # right-to-left override
    "\ud800",  # a lone surrogate: valid in a Python str, not encodable as UTF-8
    "\udfff",
    "\U0001f600\U00020000",  # emoji, CJK extension B
    "\ufffe\uffff",
    "。。。！？？……",
    "“「『（《",
    "》）』」”",
    "\n\n\n",
    " \t ",
    "&amp;&#0;&#xD800;&#x110000;&#99999999999;",
)
PIECES = st.sampled_from(NEWS + HOSTILE)

# Text: news sentences and hostile characters, interleaved with arbitrary code points
# (lone surrogates included: JSON from Telegram may carry them).
ANY_CHAR = st.characters(codec=None, exclude_categories=())
hostile_text = st.lists(st.one_of(PIECES, st.text(ANY_CHAR, max_size=30)), max_size=40).map("".join)

TAGS = ("p", "div", "span", "h1", "title", "article", "script", "style", "table", "td", "a", "br")
_OPEN = st.builds(
    lambda tag, attr: f"<{tag}{attr}>",
    st.sampled_from(TAGS),
    st.sampled_from(("", ' class="content"', " id=main", ' href="javascript:x"', " \x00=1")),
)
_MARKUP = st.sampled_from(
    (
        '<?xml version="1.0" encoding="utf-16"?>',
        '<meta charset="gbk">',
        '<meta http-equiv="Content-Type" content="text/html; charset=big5">',
        "<!DOCTYPE html>",
        "<!-- unclosed comment",
        "<![CDATA[ x ]]>",
        '<meta property="article:published_time" content="2024-13-45T99:99">',
        '<meta name="author" content="\x00">',
        "<html><head><title>",
        "</title></head><body>",
        "</body></html>",
        "<time datetime='-0001-01-01'>",
        "<svg><foreignObject><p>",
        "<",
        ">",
        "</",
    )
)
hostile_html = st.lists(
    st.one_of(
        _OPEN,
        st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
        _MARKUP,
        PIECES,
        st.text(ANY_CHAR, max_size=20),
    ),
    max_size=60,
).map("".join)

# Pages as bytes: the text above in an encoding that may not be the declared one,
# behind a BOM or not, or plain random bytes.
_ENCODINGS = ("utf-8", "gbk", "big5", "utf-16", "utf-16-le", "shift_jis", "latin-1")
_BOMS = (b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
encoded_html = st.builds(
    lambda html, encoding: html.encode(encoding, "replace"),
    hostile_html,
    st.sampled_from(_ENCODINGS),
)
hostile_bytes = st.one_of(
    st.binary(max_size=2000),
    st.builds(
        lambda bom, html, encoding, tail: bom + html.encode(encoding, "replace") + tail,
        st.sampled_from(_BOMS),
        hostile_html,
        st.sampled_from(_ENCODINGS),
        st.binary(max_size=20),
    ),
)

# A news page in the shape extraction expects (title, meta, an article of paragraphs),
# with hostile pieces in the title, the metadata and the body: reaching the deep stages
# of extraction takes a page that looks like an article.
_sentence = st.lists(PIECES, min_size=1, max_size=6).map("".join)
_paragraph = st.lists(
    st.one_of(_sentence, st.just("新闻正文内容很长，记者在现场采访。" * 4)), min_size=1, max_size=4
).map("".join)
news_page = st.builds(
    lambda title, meta, paragraphs, tail: (
        f'<html><head><title>{title}</title><meta name="description" content="{meta}">'
        f'<meta property="og:title" content="{title}"><meta name="author" content="{meta}">'
        f'</head><body><nav><a href="/">{meta}</a></nav><article><h1>{title}</h1>'
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + f"</article><footer>{tail}</footer></body></html>"
    ),
    _sentence,
    st.text(ANY_CHAR, max_size=20),
    st.lists(_paragraph, min_size=3, max_size=10),
    hostile_html,
)


def may_reach_a_public_address(url: str) -> bool:
    """Whether the C library could read a host in ``url`` as a public address literal.
    URL fuzzers skip those, so that a fault run never sends a packet off the machine
    (names are answered by a fake resolver)."""
    rest = url.partition("://")[2] or url
    authority = rest.partition("/")[0].rpartition("@")[2]
    for host in (authority, authority.rpartition(":")[0]):
        name = host.strip("[]").rstrip(".").split("%")[0]
        try:
            ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.IPv4Address(
                socket.inet_aton(name)
            )
        except (OSError, ValueError):
            try:
                ip = ipaddress.ip_address(name)
            except ValueError:
                continue
        if ip.is_global:
            return True
    return False
