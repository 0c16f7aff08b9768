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
  or ends one of them; models trained with a :class:`Gazetteer` get 9 more bits, the
  same for the PER/LOC/ORG names of the training set.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
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
GAZETTEER_TYPES: tuple[str, ...] = ("PER", "LOC", "ORG")
GAZETTEER_BITS = 3 * len(GAZETTEER_TYPES)
MAX_GAZETTEER_WORD = 16
# Joins the texts :meth:`Vocab.featurize_many` featurizes together: a line break, which
# no jieba dictionary word and no gazetteer name contains (names are kept to one line).
SEPARATOR = "\n"
# Substrings whose gazetteer answer is remembered (~100 bytes each) before starting over.
GAZETTEER_MEMO = 200_000


@lru_cache(maxsize=65536)
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


@lru_cache(maxsize=256)
def _coarse_tag(tag: str) -> str:
    if tag.startswith("nr"):
        return "nr"
    if tag in POS_TAGS:
        return tag
    return "other"


@lru_cache(maxsize=256)
def _lexicon_classes(tag: str) -> int:
    """Class bits of a dictionary word with this POS tag: "any", plus its own class."""
    coarse = _coarse_tag(tag)
    return 1 | (1 << LEXICON_CLASSES.index(coarse) if coarse in LEXICON_CLASSES else 0)


def load_lexicon() -> tuple[dict[str, int], dict[str, str]]:
    """jieba's word counts (its own table: every dictionary word and every prefix of one,
    the prefixes with count 0) and word -> POS tag from the same dictionary file, read
    as ``jieba.posseg`` reads it but without importing posseg and its HMM tables
    (~55 MB), with one string per distinct tag (:func:`summarizer.tokenize.load_tables`)."""
    from summarizer.tokenize import load_tables

    tables = load_tables()
    return tables.freq, tables.tags


def _prefixes(words: Iterable[str]) -> frozenset[str]:
    """Every proper prefix of at least two characters (to stop a scan early)."""
    return frozenset(w[:k] for w in words for k in range(2, len(w)))


def _mark(out: list[int], i: int, j: int, cls: int, n_classes: int, shift: int) -> None:
    """Bits begin/inside/end of text[i:j] for each class k set in ``cls``."""
    for m, bits in enumerate(_span_bits(j - i, cls, n_classes, shift), i):
        out[m] |= bits


@lru_cache(maxsize=1024)
def _span_bits(length: int, cls: int, n_classes: int, shift: int) -> tuple[int, ...]:
    """What :func:`_mark` ORs into each character of a span of ``length``."""
    out = [0] * length
    for k in range(n_classes):
        if cls >> k & 1:
            base = shift + 3 * k
            out[0] |= 1 << base
            for m in range(1, length - 1):
                out[m] |= 2 << base
            out[length - 1] |= 4 << base
    return tuple(out)


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

    out: list[int] = []
    for word in load_jieba().cut(text, HMM=True):
        out.extend(_word_ids_of(word))
    return out


@lru_cache(maxsize=100_000)  # a word's tags are fixed once jieba is loaded
def _word_ids_of(word: str) -> tuple[int, ...]:
    _, tags = load_lexicon()
    if not word.strip():
        tag = "none"
    elif word in tags:
        tag = _coarse_tag(tags[word])
    elif word.isascii() and word.isalnum():
        tag = "eng"
    elif len(word) > 1:
        tag = "new"
    else:
        tag = "x" if unicodedata.category(word)[0] == "P" else "other"
    base = 1 + POS_TAGS.index(tag) * len(WORD_POSITIONS)
    if len(word) == 1:
        return (base + 3,)
    return (base, *[base + 1] * (len(word) - 2), base + 2)


def lexicon_features(text: str) -> list[int]:
    """Bitmask per character: bit 3*k+{0,1,2} = begins/inside/ends a class-k dictionary
    word of 2..MAX_LEXICON_WORD characters. jieba's count table holds every prefix of a
    word, so the scan from i stops at the first substring that is not in it."""
    counts, tags = load_lexicon()
    n = len(text)
    out = [0] * n
    bigrams = [text[i : i + 2] for i in range(n - 1)]
    # Most characters start no dictionary word: their bigram is not in the table.
    for i in [i for i, piece in enumerate(bigrams) if piece in counts]:
        tag = tags.get(bigrams[i])
        if tag is not None:  # a two-character word, the commonest match
            begin, end = _span_bits(2, _lexicon_classes(tag), len(LEXICON_CLASSES), 0)
            out[i] |= begin
            out[i + 1] |= end
        for j in range(i + 3, min(n, i + MAX_LEXICON_WORD) + 1):
            piece = text[i:j]
            if piece not in counts:
                break
            tag = tags.get(piece)
            if tag is not None:
                _mark(out, i, j, _lexicon_classes(tag), len(LEXICON_CLASSES), 0)
    return out


def name_key(name: str) -> int:
    """The 64-bit key a gazetteer stores for a name (BLAKE2b of its UTF-8 bytes; a lone
    surrogate, which JSON input may carry, is hashed as is rather than raising)."""
    data = name.encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little")


class Gazetteer:
    """PER/LOC/ORG names seen in training data, matched like the jieba lexicon.

    ``entries`` maps a name (2..16 characters) to a bitmask over
    :data:`GAZETTEER_TYPES`; it is filled only when the gazetteer is built from names
    (training) and empty when loaded from the shipped keys. Built by
    ``summarizer.ner.train`` from the training set (for training records, from the other
    folds only, so that the model learns how far a match can be trusted on text whose
    names it has not seen) and shipped with the model as ``gazetteer.json``. Names are
    kept and shipped only as 64-bit keys (:func:`name_key`): the file answers "is this
    string a known name?" without being a
    readable copy of the training annotations, which may not be redistributed.
    """

    def __init__(self, entries: dict[str, int]) -> None:
        entries = {name: bits for name, bits in entries.items() if SEPARATOR not in name}
        self.entries = entries
        self._table = {name_key(w): bits for w, bits in entries.items()}
        self._prefixes = frozenset(name_key(p) for p in _prefixes(entries))
        self._seen: dict[str, int] = {}  # substring -> _lookup's answer, bounded

    @classmethod
    def _from_keys(cls, table: dict[int, int], prefixes: frozenset[int]) -> Gazetteer:
        gaz = cls({})
        gaz._table, gaz._prefixes = table, prefixes
        return gaz

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, name: str) -> bool:
        return name_key(name) in self._table

    def to_json(self) -> dict[str, Any]:
        keys = sorted(self._table)
        return {
            "types": list(GAZETTEER_TYPES),
            "key": "blake2b-64-le",
            "names": _pack(keys),
            "bits": base64.b64encode(bytes(self._table[k] for k in keys)).decode("ascii"),
            "prefixes": _pack(sorted(self._prefixes)),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Gazetteer:
        if list(data.get("types", [])) != list(GAZETTEER_TYPES):
            raise ValueError("gazetteer was built with different entity types")
        if data.get("key") != "blake2b-64-le":
            raise ValueError("gazetteer keys are of an unknown form")
        keys, bits = _unpack(data["names"]), base64.b64decode(data["bits"])
        if len(keys) != len(bits):
            raise ValueError("gazetteer names and bits differ in length")
        return cls._from_keys(
            dict(zip(keys, bits, strict=True)), frozenset(_unpack(data["prefixes"]))
        )

    def add_to(self, text: str, masks: list[int]) -> list[int]:
        """OR this gazetteer's bits (above the jieba lexicon's) into ``masks``.

        For each start, substrings of 2..MAX_GAZETTEER_WORD characters are looked up by
        key until one is no prefix of a name (the prefix keys stop the scan early, so the
        result equals the plain all-lengths scan). Each substring's answer (its type bits,
        and whether a longer name may start with it) is remembered: hashing is most of
        the cost, and news repeats its bigrams."""
        seen, n = self._seen, len(text)
        if len(seen) > GAZETTEER_MEMO:
            seen.clear()
        bigrams = [text[i : i + 2] for i in range(n - 1)]
        first: dict[str, int] = {}  # this text's own copy: another thread may clear seen
        for piece in set(bigrams):
            found = seen.get(piece)
            first[piece] = seen[piece] = self._lookup(piece) if found is None else found
        # Most characters start no name: their bigram is neither a name nor a prefix.
        for i in [i for i, piece in enumerate(bigrams) if first[piece]]:
            for j in range(i + 2, min(n, i + MAX_GAZETTEER_WORD) + 1):
                piece = text[i:j]
                found = seen.get(piece)
                if found is None:
                    found = seen[piece] = self._lookup(piece)
                if found > 1:
                    _mark(masks, i, j, found >> 1, len(GAZETTEER_TYPES), LEXICON_BITS)
                if not found & 1:
                    break
        return masks

    def _lookup(self, piece: str) -> int:
        """A substring's type bits shifted left by one, bit 0 set if it is a prefix."""
        key = name_key(piece)
        return self._table.get(key, 0) << 1 | (key in self._prefixes)


def _pack(keys: list[int]) -> str:
    return base64.b64encode(struct.pack(f"<{len(keys)}Q", *keys)).decode("ascii")


def _unpack(packed: str) -> list[int]:
    raw = base64.b64decode(packed)
    return list(struct.unpack(f"<{len(raw) // 8}Q", raw))


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

    def featurize_many(
        self, texts: list[str], gazetteer: Gazetteer | None = None
    ) -> list[CharFeatures]:
        """``[featurize(t, gazetteer) for t in texts]``, computed over all of them at once:
        one pass over the texts joined by :data:`SEPARATOR` (an article's ~250 chunks
        cost ~40 % less than one by one). The separator is white space, so jieba starts
        a new run after it, and no dictionary word or gazetteer name holds one, so no
        match crosses it; only each text's last bigram is its own."""
        if not all(texts) or any(SEPARATOR in t for t in texts):
            return [self.featurize(t, gazetteer) for t in texts]
        whole = self.featurize(SEPARATOR.join(texts), gazetteer)
        out: list[CharFeatures] = []
        at = 0
        for text in texts:
            end = at + len(text)
            bigrams = whole.bigrams[at:end]
            bigrams[-1] = self._bigram_ids.get(normalize_char(text[-1]) + "</s>", 1)
            pieces = (whole.chars[at:end], whole.words[at:end], whole.lexicon[at:end])
            out.append(CharFeatures(pieces[0], bigrams, pieces[1], pieces[2]))
            at = end + len(SEPARATOR)
        return out

    def featurize(self, text: str, gazetteer: Gazetteer | None = None) -> CharFeatures:
        norm = "".join(map(normalize_char, text))
        char_ids, bigram_ids = self._char_ids, self._bigram_ids
        chars = [char_ids.get(c, 1) for c in norm]
        bigrams = [bigram_ids.get(norm[i : i + 2], 1) for i in range(len(norm) - 1)]
        bigrams.append(bigram_ids.get(norm[-1:] + "</s>", 1) if norm else 1)
        lexicon = lexicon_features(text)
        if gazetteer is not None:
            gazetteer.add_to(text, lexicon)
        return CharFeatures(chars, bigrams, word_features(text), lexicon)
