"""Self-contained clause prefixes: how a summary fills the characters a whole sentence
would overrun.

A card's budget is in characters; whole sentences leave part of it empty (on long news
about 15 %), and a first sentence longer than the budget cannot be shown at all. A
*clean prefix* of a sentence is its text up to (not including) a comma or semicolon such
that the piece reads as a statement on its own:

* it starts where the sentence starts (a subject is not left behind);
* quotes and brackets opened in it are closed in it;
* its last clause is not a subordinate or introducing one that needs the rest
  (``虽然…``, ``随着…``, ``为了…``, ``据…``), and it does not end on an attribution verb,
  a conjunction or a colon (``他表示``, ``但是``, ``包括：``);
* it holds at least ``MIN_PREFIX`` content characters (a shorter single clause is
  usually a topic phrase waiting for its verb: 本次合作的顺利进展，…).

The piece is a substring of the text; ``Sentence.end`` marks where it stops.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from summarizer.model import Sentence
from summarizer.summarizers.document import Document
from summarizer.summarizers.filters import content_length
from summarizer.summarizers.selection import DUPLICATE

MIN_PREFIX = 12
# Pieces that fill less than this share of the budget are not worth showing instead
# of one whole sentence over the budget.
PREFIX_SHARE = 0.5
# The clause a prefix ends on must say something: not a bare 今天 or 接下来.
MIN_LAST_CLAUSE = 5
# A comma between two digits is a thousands separator (1,900), not a clause boundary.
_BOUNDARY = re.compile(r"[，；;]|(?<!\d),|,(?!\d)")
_QUESTION = re.compile(r"[？?][”」』]?\s*$")
_PAIRS = ("“”", "「」", "『』", "《》", "（）", "()", "【】", "〈〉")
# A clause opening with one of these announces a main clause still to come.
_SUBORDINATE = re.compile(
    r"^(?:可是|但是|但|而|不过|然而|并且|并|且|就)?"
    r"(?:我们认为|我们预计|预计|认为|未来|后期|后续|目前|同时|再)?(?:受益于|受|以|到|[\u4e00-\u9fff]{0,8}作为|虽然|虽|尽管|如果|假如|假设|若|即使|即便|哪怕|因为|由于|只要|只有|除非|不仅|不但|"
    r"无论|不管|除了|随着|为了|为|在|当|对于|关于|据|根据|按照|通过|经过|自从|自|从|截至|"
    r"例如|比如|首先|其次|一方面|一是|二是|毕竟|眼看|这与|与|和|跟|同|"
    r"If|When|While|Although|Because|As|After|Before)"
)
# ... or closing on one of these: the clause introduces what follows the comma.
_DANGLING_END = re.compile(
    r"(?:表示|说|称|指出|认为|介绍|强调|透露|坦言|回应|发现|显示|表明|提到|提出|告诉记者|"
    r"想到|看到|得知|告诉你|反映|实际上|当天|之间|后|比起来|来看|来说|而言|看来|时|之际|期间|包括|如下|是|有|和|与|及|以及|或|但|但是|而|而且|并且|并|且|然而|因此|所以|于是|"
    r"那么|就|才|还|也|即|等|的|吗|呢|：|:)$"
)


def _balanced(text: str) -> bool:
    if text.count('"') % 2:
        return False
    return all(text.count(pair[0]) == text.count(pair[1]) for pair in _PAIRS)


def _last_clause(text: str) -> str:
    parts = _BOUNDARY.split(text)
    return parts[-1].strip()


def clean_prefixes(sentence: Sentence) -> list[Sentence]:
    """Every clean prefix of ``sentence`` (shortest first); the sentence itself excluded."""
    out: list[Sentence] = []
    text = sentence.text
    if _QUESTION.search(text):
        return out
    for m in _BOUNDARY.finditer(text):
        piece = text[: m.start()].rstrip()
        if (
            content_length(piece) >= MIN_PREFIX
            and _balanced(piece)
            and content_length(_last_clause(piece)) >= MIN_LAST_CLAUSE
            and not _SUBORDINATE.match(_last_clause(piece))
            and not _DANGLING_END.search(piece)
        ):
            end = sentence.start + len(piece)
            out.append(Sentence(piece, sentence.start, end, sentence.paragraph))
    return out


def longest_prefix(sentence: Sentence, max_chars: int) -> Sentence | None:
    """The longest clean prefix of at most ``max_chars`` characters, or None."""
    fitting = [p for p in clean_prefixes(sentence) if len(p.text) <= max_chars]
    return fitting[-1] if fitting else None


def fit_piece(sentence: Sentence, max_chars: int | None) -> Sentence:
    """A sentence too long for the budget as its longest clean prefix, when that holds
    at least ``PREFIX_SHARE`` of the budget; otherwise the whole sentence (the one case
    in which a summary exceeds ``max_chars``: one piece, for the caller to shorten)."""
    if max_chars is None or len(sentence.text) <= max_chars:
        return sentence
    prefix = longest_prefix(sentence, max_chars)
    if prefix is not None and len(prefix.text) >= PREFIX_SHARE * max_chars:
        return prefix
    return sentence


def continue_from(
    doc: Document, start: int, *, max_sentences: int, max_chars: int | None
) -> list[Sentence]:
    """Candidate ``start`` (``fit_piece``) and, if it was whole and fitted, the ones
    after it, whole while they fit, then a clean prefix of the next: the article read
    from a chosen sentence on, like Lead-by-budget but never cutting a clause."""
    first = fit_piece(doc.candidates[start], max_chars)
    chosen = [first]
    if max_chars is None or first is not doc.candidates[start]:
        return chosen
    left = max_chars - len(first.text)
    for s in doc.candidates[start + 1 :]:
        if len(chosen) >= max_sentences or left < MIN_PREFIX:
            break
        piece = s if len(s.text) <= left else longest_prefix(s, left)
        if piece is None:
            break
        chosen.append(piece)
        left -= len(piece.text)
    return chosen


def fill(
    doc: Document,
    chosen: list[Sentence],
    scores: Sequence[float],
    *,
    max_sentences: int,
    max_chars: int | None,
) -> list[Sentence]:
    """``chosen`` plus, if characters and a piece are left, the longest clean prefix of
    the best-scored other candidate that fits (not a near-duplicate of a chosen one);
    document order. Adding text of even middling precision raises ROUGE F1 while the
    summary is shorter than the reference, so the budget is filled whenever it can be."""
    if max_chars is None or len(chosen) >= max_sentences or not chosen:
        return chosen
    left = max_chars - sum(len(s.text) for s in chosen)
    if left < MIN_PREFIX:
        return chosen
    taken = {s.start for s in chosen}
    index = [i for i, c in enumerate(doc.candidates) if c.start in taken]
    for i in sorted(range(len(doc.candidates)), key=lambda k: (-scores[k], k)):
        if i in index or max((doc.similarity(i, j) for j in index), default=0.0) >= DUPLICATE:
            continue
        piece = longest_prefix(doc.candidates[i], left)
        if piece is not None:
            return sorted([*chosen, piece], key=lambda s: s.start)
    return chosen
