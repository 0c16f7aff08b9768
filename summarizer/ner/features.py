"""Per-character input features for the NER tagger, shared by training and inference.

A character tagger with no pretrained encoder learns word boundaries and name cues
slowly, so we hand it jieba's knowledge as extra inputs (the "soft word" and
lexicon-match features of Zhang & Yang 2018, *Chinese NER Using Lattice LSTM*, and
Ma et al. 2020, *Simplify the Usage of Lexicon in Chinese NER*):

* ``chars``: normalised character ids (digits folded, Latin lower-cased, NFKC width);
* ``bigrams``: ids of the bigram starting at each character (the model also looks at
  the one ending there by shifting);
* ``words``: the jieba word the character sits in: its position (B/M/E/S) times a
  coarse part-of-speech tag from jieba's dictionary (``new`` for HMM-found words);
* ``lexicon``: a 12-bit mask: for words of jieba's dictionary in four classes (any,
  person, place, organisation) that cover the character, whether it begins, continues
  or ends one of them.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

PAD, UNK = "<pad>", "<unk>"
WORD_POSITIONS = "BMES"
POS_TAGS: tuple[str, ...] = (
    "none", "new", "other", "n", "nr", "ns", "nt", "nz", "v", "vn", "a", "m", "t",
    "j", "i", "l", "r", "d", "f", "s", "q", "p", "c", "u", "x", "eng",
)  # fmt: skip
LEXICON_CLASSES: tuple[str, ...] = ("any", "nr", "ns", "nt")
LEXICON_BITS = 3 * len(LEXICON_CLASSES)
MAX_LEXICON_WORD = 6
N_WORD_FEATURES = 1 + len(WORD_POSITIONS) * len(POS_TAGS)

_lock = threading.Lock()
_lexicon: dict[str, int] | None = None
_word_tags: dict[str, str] | None = None


def normalize_char(ch: str) -> str:
    """Fold one character to its vocabulary form (always exactly one character)."""
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) != 1:
        folded = ch
    if folded.isdigit():
        return "0"
    if folded.isascii() and folded.isalpha():
        return folded.lower()
    return folded


def _coarse_tag(tag: str) -> str:
    if tag.startswith("nr"):
        return "nr"
    if tag in POS_TAGS:
        return tag
    return "other"


def _load_lexicon() -> tuple[dict[str, int], dict[str, str]]:
    """jieba's dictionary as word -> class bitmask and word -> coarse tag (loaded once)."""
    global _lexicon, _word_tags
    if _lexicon is None or _word_tags is None:
        with _lock:
            if _lexicon is None or _word_tags is None:
                from jieba import posseg

                from summarizer.tokenize import load_jieba

                load_jieba()
                table: dict[str, str] = posseg.dt.word_tag_tab
                tags = {w: _coarse_tag(t) for w, t in table.items()}
                lexicon: dict[str, int] = {}
                for word, tag in tags.items():
                    if not 2 <= len(word) <= MAX_LEXICON_WORD:
                        continue
                    mask = 1
                    if tag in LEXICON_CLASSES:
                        mask |= 1 << LEXICON_CLASSES.index(tag)
                    lexicon[word] = mask
                _word_tags, _lexicon = tags, lexicon
    return _lexicon, _word_tags


@dataclass(frozen=True, slots=True)
class CharFeatures:
    """Feature ids of one chunk of text, one entry per character."""

    chars: list[int]
    bigrams: list[int]
    words: list[int]
    lexicon: list[int]


def word_features(text: str) -> list[int]:
    """Word position x coarse POS id of the jieba word each character is in."""
    from summarizer.tokenize import load_jieba

    _, tags = _load_lexicon()
    out: list[int] = []
    for word in load_jieba().cut(text, HMM=True):
        if not word.strip():
            tag = "none"
        elif word in tags:
            tag = tags[word]
        elif word.isascii() and word.isalnum():
            tag = "eng"
        elif len(word) > 1:
            tag = "new"
        else:
            tag = "x" if unicodedata.category(word)[0] == "P" else "other"
        base = 1 + POS_TAGS.index(tag) * len(WORD_POSITIONS)
        if len(word) == 1:
            out.append(base + 3)
        else:
            out.extend([base] + [base + 1] * (len(word) - 2) + [base + 2])
    return out


def lexicon_features(text: str) -> list[int]:
    """Bitmask per character: bit 3*k+{0,1,2} = begins/inside/ends a class-k dictionary word."""
    lexicon, _ = _load_lexicon()
    n = len(text)
    masks = [0] * n
    for i in range(n - 1):
        for j in range(i + 2, min(n, i + MAX_LEXICON_WORD) + 1):
            cls = lexicon.get(text[i:j])
            if cls is None:
                continue
            for k in range(len(LEXICON_CLASSES)):
                if cls >> k & 1:
                    masks[i] |= 1 << (3 * k)
                    for m in range(i + 1, j - 1):
                        masks[m] |= 1 << (3 * k + 1)
                    masks[j - 1] |= 1 << (3 * k + 2)
    return masks


class Vocab:
    """Character and bigram vocabularies (index 0 = padding, 1 = unknown)."""

    def __init__(self, chars: list[str], bigrams: list[str]) -> None:
        self.chars = chars
        self.bigrams = bigrams
        self._char_ids = {c: i for i, c in enumerate(chars)}
        self._bigram_ids = {b: i for i, b in enumerate(bigrams)}

    def to_json(self) -> dict[str, Any]:
        return {"chars": self.chars, "bigrams": self.bigrams, "pos_tags": list(POS_TAGS)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Vocab:
        if data.get("pos_tags", list(POS_TAGS)) != list(POS_TAGS):
            raise ValueError("vocabulary was built with a different POS tag set")
        return cls(list(data["chars"]), list(data["bigrams"]))

    def featurize(self, text: str) -> CharFeatures:
        norm = "".join(normalize_char(c) for c in text)
        chars = [self._char_ids.get(c, 1) for c in norm]
        bigrams = [self._bigram_ids.get(norm[i : i + 2], 1) for i in range(len(norm) - 1)]
        bigrams.append(self._bigram_ids.get(norm[-1:] + "</s>", 1) if norm else 1)
        return CharFeatures(chars, bigrams, word_features(text), lexicon_features(text))
