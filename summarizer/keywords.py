"""Keywords of an article: jieba words ranked by TF-IDF, with a boost for the title.

IDF comes from the table jieba ships (``jieba/analyse/idf.txt``), loaded on first
use like the dictionary itself (``summarizer.tokenize.load_jieba``), never at import.
Words in the title count extra because a headline names what the story is about.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from summarizer.model import term_id
from summarizer.tokenize import cut, load_tables

TITLE_BOOST = 2.0
MIN_CHARS = 2
STOPWORDS = frozenset(
    """的 了 是 在 和 与 及 等 也 就 都 而 并 对 为 以 于 之 其 这 那 有 被 将 把 从 中 上 下 个
    一 不 我 你 他 她 它 们 着 又 还 或 但 该 此 已 所 会 可 能 要 到 说 让 向 给 由 则 因
    其中 以及 我们 他们 她们 你们 一个 没有 这个 这些 那些 因为 所以 如果 就是 可以 进行 表示
    目前 今年 去年 明年 今天 昨天 日前 近日 此前 此外 同时 通过 已经 以来 一些 相关 方面 情况
    问题 工作 时间 记者 报道 新华社 介绍 指出 认为 称 据 日电 编辑 责任编辑 来源 作者 图片
    可能 需要 表示 开始 成为 没有 还是 不是 自己 什么 怎么 如何 这样 这种 非常 一直 今后
    the a an and or of to in on for with by at from as is are was were be been it its this that
    these those he she they we you i his her their our said says will would can could has have
    had not but also after before over more than about into new""".split()  # noqa: SIM905
)
_WORDLIKE = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]")
_NUMBERLIKE = re.compile(r"^[\d.,%％第年月日号时分秒亿万千百十个]+$")


def load_idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table (``jieba/analyse/idf.txt``) and its median (used for unseen
    words); loaded once (:func:`summarizer.tokenize.load_tables`). Read there rather than
    through ``jieba.analyse``, whose import also loads posseg's tables and its own copy:
    ~80 MB against ~30 MB."""
    tables = load_tables()
    return tables.idf, tables.median_idf


def content_words(words: Iterable[str]) -> list[str]:
    """Words that can carry meaning: no stopwords, punctuation, numbers or single chars."""
    return [form for form in map(_content_form, words) if form]


@lru_cache(maxsize=100_000)  # a word's verdict is the same in every text
def _content_form(word: str) -> str:
    """The word stripped if it can carry meaning, else ""."""
    w = word.strip()
    if len(w) < MIN_CHARS or w.lower() in STOPWORDS:
        return ""
    if not _WORDLIKE.search(w) or _NUMBERLIKE.match(w):
        return ""
    return w


def keyword_weights(text: str, *, title: str = "") -> dict[str, float]:
    """TF-IDF weight of every content word of ``text`` (title words boosted)."""
    idf, median_idf = load_idf()
    counts = Counter(w.lower() for w in content_words(cut(text)))
    if title:
        for w in set(content_words(cut(title))):
            counts[w.lower()] += 1
    total = sum(counts.values()) or 1
    title_words = {w.lower() for w in content_words(cut(title))} if title else set()
    weights = {}
    for w, c in counts.items():
        weight = (c / total) * idf.get(w, median_idf)
        if w in title_words:
            weight *= TITLE_BOOST
        weights[w] = weight
    return weights


def extract_keywords(text: str, *, title: str = "", top_k: int = 10) -> list[str]:
    """The ``top_k`` highest TF-IDF words, best first (ties: first occurrence)."""
    if top_k <= 0 or not (text.strip() or title.strip()):
        return []
    weights = keyword_weights(text, title=title)
    haystack = (title + "\n" + text).lower()
    rounded = {w: round(x, 12) for w, x in weights.items()}
    # Only words that can reach the top k need their first position (a search of the
    # whole text each): those at least as heavy as the k-th heaviest.
    heaviest = sorted(rounded.values(), reverse=True)
    floor = heaviest[top_k - 1] if len(heaviest) >= top_k else float("-inf")
    contenders = [w for w in weights if rounded[w] >= floor]
    ranked = sorted(contenders, key=lambda w: (-rounded[w], _first(haystack, w)))
    return [_original_case(title + "\n" + text, haystack, w) for w in ranked[:top_k]]


def _original_case(source: str, lowered: str, word: str) -> str:
    pos = lowered.find(word)
    return source[pos : pos + len(word)] if pos >= 0 else word


def _first(haystack: str, word: str) -> int:
    pos = haystack.find(word)
    return pos if pos >= 0 else len(haystack)


# jieba's table has no English: its function words (jusText's English stoplist) count as
# common as 是 and 了 there, or two English stories would look alike through the, and, you.
ENGLISH_FUNCTION_SHARE = 0.2
# ... and the conversational ones that list (drawn from Wikipedia) lacks: you-forms and
# what the tokenizer leaves of contractions (don't -> don).
ENGLISH_EXTRA = (
    *("your", "yours", "yourself", "me", "my", "mine", "myself"),
    *("don", "doesn", "didn", "isn", "aren", "wasn", "ll", "ve"),
)

_prior_lock = threading.Lock()
_prior: tuple[npt.NDArray[np.uint32], npt.NDArray[np.float64], float] | None = None


def background_shares(ids: Sequence[int]) -> npt.NDArray[np.float64]:
    """Share of documents holding each term in jieba's IDF table (``exp(-idf)``; an
    English function word counts as ``ENGLISH_FUNCTION_SHARE``, any other word the table
    lacks as one of median IDF, i.e. rare)."""
    global _prior
    if _prior is None:
        with _prior_lock:
            if _prior is None:
                import justext

                table, median = load_idf()
                # Arrays, not a dict of 270,000 ids: ~30 MB less at the peak of a
                # process's first article. The last of colliding words wins, as in a dict.
                n = len(table)
                word_ids = np.fromiter(map(term_id, reversed(table)), dtype=np.uint32, count=n)
                values = (math.exp(-v) for v in reversed(table.values()))
                keys, first = np.unique(word_ids, return_index=True)
                shares = np.fromiter(values, dtype=np.float64, count=n)[first]
                english = np.unique(
                    [term_id(form) for word in (*justext.get_stoplist("English"), *ENGLISH_EXTRA)
                     for form in (word, word.capitalize())]
                ).astype(np.uint32)  # fmt: skip
                english = english[~np.isin(english, keys)]
                order = np.argsort(np.concatenate([keys, english]), kind="stable")
                keys = np.concatenate([keys, english])[order]
                shares = np.concatenate([shares, np.full(len(english), ENGLISH_FUNCTION_SHARE)])
                _prior = (keys, shares[order], math.exp(-median))
    keys, shares, unknown = _prior
    wanted = np.asarray(ids, dtype=np.uint32)
    at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
    return np.where(keys[at] == wanted, shares[at], unknown)
