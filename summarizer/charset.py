"""Turn the bytes of a web page into text, even when the page lies about its charset.

Chinese pages are often GB2312/GBK/GB18030 or Big5, and many declare a charset (HTTP
header or ``<meta>``) that does not match their bytes. The rules, in order:

1. a byte-order mark wins;
2. bytes that are valid UTF-8 and not plain ASCII are UTF-8 (GBK/Big5 text almost never
   forms valid UTF-8, so this is the strongest evidence there is), and so are bytes with
   at most one invalid sequence per thousand characters (a truncated emoji): those few
   are replaced, the page is read;
3. a declared charset (HTTP first, then ``<meta>``/XML) is used if it decodes cleanly,
   except that a double-byte Chinese charset must also beat the other one on how Chinese
   the text reads (GBK bytes decode "cleanly" as Big5 gibberish and vice versa);
4. otherwise the best of GB18030/Big5 when the text reads as Chinese, else
   charset-normalizer's guess.

GB2312 and GBK are decoded as GB18030 (a superset), Big5 as Big5-HKSCS (what browsers
do, per the WHATWG Encoding Standard), Latin-1/ASCII as windows-1252.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

__all__ = ["decode_html", "normalize_charset", "sniff_declared_charset"]

# How many bytes to scan for <meta charset> (browsers use 1024; real pages put it later).
_SNIFF_BYTES = 4096
# A declared charset may have a few bad bytes (a truncated character, a pasted fragment).
_BAD_CHARS_PER_MILLE = 1
_MIN_CHINESE_SCORE = 0.2
_MIN_VALID_PER_BAD = 20  # valid non-ASCII characters per broken sequence in damaged UTF-8
_SCORE_SAMPLE = 50_000  # characters

_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "euc-cn": "gb18030",
    "csgb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "chinese": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big-5": "big5hkscs",
    "csbig5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "cp950": "cp950",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}
_CJK_CODECS = ("gb18030", "big5hkscs", "cp950")

# The most frequent characters of Chinese news text, in simplified and traditional form.
# Correctly decoded Chinese has ~40% of its ideographs in this set; GBK read as Big5 (or
# the reverse) gives rare characters and scores a few percent.
_COMMON_HANZI = frozenset(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二"
    "理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社"
    "义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没"
    "结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活"
    "设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放"
    "决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争"
    "济阶油思术极交受联什认六共权收证改清美再采转更单风切打白教速花带安场身车例真务具万"
    "每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记"
    "需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技"
    "备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候"
    "毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细"
    "引听该铁价严這個們來為國會說對時後發動與過經現當點從還進開關問題與實際長區東車記報"
    "書長門間種學氣業說處給機電員義樣將麼"
)

_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_IDEOGRAPHS = re.compile(_IDEOGRAPH.pattern + "+")
_COMMONS = re.compile("[" + "".join(map(re.escape, sorted(_COMMON_HANZI))) + "]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.\-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label, or ``None`` if Python has no such codec."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        name = codecs.lookup(key).name
    except LookupError:
        return None
    return _ALIASES.get(name, name)


def sniff_declared_charset(body: bytes) -> str | None:
    """The charset named by an XML declaration or a ``<meta>`` tag near the top, if any."""
    head = body[:_SNIFF_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def decode_html(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode page bytes; ``declared`` is the HTTP header's charset, if any.

    Returns ``(text, codec)`` where codec is the Python codec name actually used.
    Never raises on bad bytes: the last resort replaces what cannot be decoded.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body.decode(codec, errors="replace"), codec
    labels = [normalize_charset(declared), normalize_charset(sniff_declared_charset(body))]
    candidates = list(dict.fromkeys(c for c in labels if c))
    if body.isascii():
        codec = candidates[0] if candidates and _ascii_compatible(candidates[0]) else "utf-8"
        return body.decode("ascii"), codec
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text, bad = _decode_counting(body, "utf-8")
    if _mostly_utf8(text, bad):  # a few broken bytes (a cut emoji) in a UTF-8 page
        return text, "utf-8"
    cjk = _best_chinese(body, preferred=[c for c in candidates if c in _CJK_CODECS])
    for codec in candidates:
        if codec == "utf-8":
            continue  # already failed strictly above: the declaration lies
        if codec in _CJK_CODECS:
            if cjk is not None:
                return cjk
            continue
        text, bad = _decode_counting(body, codec)
        if _acceptable(text, bad) and cjk is None:
            return text, codec
    if cjk is not None:
        return cjk
    return _detect(body)


def _ascii_compatible(codec: str) -> bool:
    try:
        return "a".encode(codec) == b"a" and not codec.startswith("utf-16")
    except (LookupError, UnicodeError):
        return False


def _decode_counting(body: bytes, codec: str) -> tuple[str, int]:
    """Text decoded with replacement, and how many replacement characters that added."""
    try:
        text = body.decode(codec, errors="replace")
    except LookupError:
        return "", len(body)
    return text, text.count("\ufffd")


def _acceptable(text: str, bad: int) -> bool:
    return bool(text) and bad * 1000 <= max(len(text), 1000) * _BAD_CHARS_PER_MILLE


def _mostly_utf8(text: str, bad: int) -> bool:
    """Valid multi-byte UTF-8 characters outnumber the broken sequences many times over
    (a Latin-1 or GBK page read as UTF-8 yields almost no valid ones)."""
    valid = len(text) - len(text.encode("ascii", "ignore")) - bad
    return _acceptable(text, bad) and valid >= _MIN_VALID_PER_BAD * bad


def _chinese_score(text: str) -> float:
    """Share of CJK ideographs that are among the most common ones (in a sample: the
    answer settles within a few thousand characters, and pages run to megabytes)."""
    # Counted as the lengths of runs found by the regex engine (the common ones are
    # ideographs too), not one character at a time.
    ideographs = sum(map(len, _IDEOGRAPHS.findall(text, 0, _SCORE_SAMPLE)))
    if ideographs < 2:
        return 0.0
    return sum(map(len, _COMMONS.findall(text, 0, _SCORE_SAMPLE))) / ideographs


def _best_chinese(body: bytes, preferred: list[str]) -> tuple[str, str] | None:
    """The double-byte Chinese codec under which the bytes read most like Chinese."""
    best: tuple[float, str, str] | None = None
    for codec in [*preferred, *(c for c in _CJK_CODECS if c not in preferred)]:
        text, bad = _decode_counting(body, codec)
        if not _acceptable(text, bad):
            continue
        score = _chinese_score(text)
        # a declared codec keeps its place unless another is clearly better
        if best is None or score > best[0] + 0.05:
            best = (score, text, codec)
    if best is None or best[0] < _MIN_CHINESE_SCORE:
        return None
    return best[1], best[2]


def _detect(body: bytes) -> tuple[str, str]:
    guess = charset_normalizer.from_bytes(body).best()
    codec = normalize_charset(guess.encoding) if guess is not None else None
    if codec is None:
        codec = "utf-8"
    return body.decode(codec, errors="replace"), codec
