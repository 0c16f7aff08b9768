"""Split article text into sentence spans (Chinese and English).

Paragraphs are lines; a sentence never crosses a line. Within a line the splitter
scans once, tracking quote and bracket depth:

* a sentence ends after a run of 。！？!? (or an ellipsis …… / ... that is
  followed by a closing mark or the end of the line) together with the closing
  quotes and brackets that follow it: ``会议很成功。”随后散会`` gives
  ``会议很成功。”`` and ``随后散会``;
* no split inside “…” 「…」 『…』 or （…） ( … ) 【…】 《…》 — unless a quote or
  bracket stays open for more than ``MAX_OPEN_SPAN`` characters, which means
  it was never closed (news text has stray quotes);
* a short attribution tail after a closed quote (``“……。”他说。``) stays with
  the quote, because ``他说。`` alone says nothing;
* English ``.`` ends a sentence only before white space, and not after an
  abbreviation (``Mr.``, ``U.S.``, single initials) or inside a number.

Nothing is dropped: spans are stripped of surrounding white space only, so the
text between consecutive sentences of a line is white space.
"""

from __future__ import annotations

import re

from summarizer.model import Sentence

TERMINALS = frozenset("。！？!?．｡")
ELLIPSIS = frozenset("…")
CLOSERS = frozenset("”’」』）)】》〉\"'")
_TRIGGERS = TERMINALS | ELLIPSIS | {"."}
PAIRS = {"“": "”", "「": "」", "『": "』", "（": "）", "(": ")", "【": "】", "《": "》", "〈": "〉"}
# A quote or bracket open longer than this was never closed; stop honouring it.
MAX_OPEN_SPAN = 240
# Web text often closes “ with a straight quote (“台湾牌"“反华牌"成为…).
ALSO_CLOSES = {"”": '"'}

ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt vs etc inc ltd co corp gov gen col lt sgt rep sen jan feb
    mar apr jun jul aug sep sept oct nov dec no vol fig al approx dept est""".split()  # noqa: SIM905
)
_ATTRIBUTION = re.compile(
    r"[^。！？!?“”「」\n]{0,10}?(?:说|表示|称|指出|介绍|强调|认为|坦言|透露|回应|问道|答道|写道|道|答|问|喊)"
    r"[^。！？!?“”\n]{0,4}[。！？!?]"
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


_INTERESTING = _TRIGGERS | set(PAIRS) | set(PAIRS.values()) | set(ALSO_CLOSES.values())


def split_sentences(text: str) -> list[Sentence]:
    """Sentence spans of ``text`` in order; ``text[s.start:s.end] == s.text``."""
    sentences: list[Sentence] = []
    offset = 0
    for paragraph, line in enumerate(text.split("\n")):
        for start, end in _split_line(line):
            sentences.append(Sentence(line[start:end], offset + start, offset + end, paragraph))
        offset += len(line) + 1
    return sentences


def _split_line(line: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    begin = 0
    stack: list[tuple[str, int]] = []  # (expected closer, position opened)
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if stack and i - stack[-1][1] > MAX_OPEN_SPAN:
            stack.clear()
        if ch not in _INTERESTING:
            i += 1
            continue
        if ch in PAIRS:
            stack.append((PAIRS[ch], i))
            i += 1
            continue
        if stack and _closes(ch, stack[-1][0]):
            stack.pop()
            i += 1
            continue
        end = _terminal_end(line, i) if ch in _TRIGGERS else None
        if end is None:
            i += 1
            continue
        # absorb closing quotes/brackets; they may close what is open
        while end < n and line[end] in CLOSERS:
            if stack and _closes(line[end], stack[-1][0]):
                stack.pop()
            elif stack:
                break
            end += 1
        if stack:
            i = end
            continue
        if line[end - 1] in CLOSERS and line[end - 1] not in ")）】》〉":
            tail = _ATTRIBUTION.match(line, end)
            if tail:
                end = tail.end()
        spans.append((begin, end))
        begin = i = end
    spans.append((begin, n))
    return [s for s in (_strip(line, a, b) for a, b in spans) if s[0] < s[1]]


def _closes(ch: str, expected: str) -> bool:
    return ch == expected or ALSO_CLOSES.get(expected) == ch


def _terminal_end(line: str, i: int) -> int | None:
    """End of the terminal run starting at ``i``, or None if ``line[i]`` ends nothing."""
    ch, n = line[i], len(line)
    if ch in TERMINALS:
        j = i + 1
        while j < n and (line[j] in TERMINALS or line[j] in ELLIPSIS):
            j += 1
        return j
    if ch in ELLIPSIS or line.startswith("...", i):
        j = i
        while j < n and (line[j] in ELLIPSIS or line[j] == "."):
            j += 1
        if j < n and line[j] in TERMINALS:
            return _terminal_end(line, j)
        if j >= n or line[j] in CLOSERS:
            return j
        return None
    if ch == ".":
        return i + 1 if _english_full_stop(line, i) else None
    return None


def _english_full_stop(line: str, i: int) -> bool:
    """A '.' ends an English sentence: white space (or a closer) follows, no abbreviation."""
    n = len(line)
    nxt = i + 1
    while nxt < n and line[nxt] in CLOSERS:
        nxt += 1
    if nxt < n and not line[nxt].isspace():
        return False
    word = _WORD_BEFORE.search(line, 0, i)
    if word is None:
        return True
    token = word.group(1)
    if "." in token or (len(token) == 1 and token.isupper()):
        return False  # U.S. / e.g. / J. Smith
    return token.lower() not in ABBREVIATIONS


def _strip(line: str, start: int, end: int) -> tuple[int, int]:
    while start < end and line[start].isspace():
        start += 1
    while end > start and line[end - 1].isspace():
        end -= 1
    return start, end
