"""jieba and its word tables, loaded once per process and never at import time.

:func:`load_tables` gives jieba's dictionary (word and prefix counts), the POS tag of
each dictionary word (the NER features) and jieba's IDF table (keywords, summaries,
full-text search). Parsed from jieba's text files they cost ~0.8 s of CPU at every
start, so they are kept in one ``marshal`` file in the cache directory
(``$ZHAIYAO_CACHE_DIR``, else ``$XDG_CACHE_HOME/zhaiyao``, else ``~/.cache/zhaiyao``),
named after the jieba version, the source files' sizes and times and the Python
version; read back whole (jieba's own cache reads it piece by piece, ~3x slower) with
the three tables sharing their word strings. Where nothing can be written, the tables
are parsed at each start as before.

:func:`load_jieba` is the tokenizer itself, with those tables installed; the helpers
below call it, so the first use pays the load once. Segmentation is cached per run of
Han characters (jieba segments each run on its own): an article's text is segmented by
the NER features, the keywords and the search index, and only the first pays.

A run of Chinese characters, Latin letters and digits is segmented by ``rjieba``
(jieba-rs: the same dictionary and HMM, compiled) where it is installed and jieba's own
dictionary is in use: ~10x less CPU, and the same words as jieba on every one of the
776,363 distinct such runs of the NER and summarization data (``python
bench/segmenter.py``). Runs holding one of the symbols jieba also lets into a run
(``+#&._%-``) stay with jieba: rjieba keeps ``09-23`` or ``S.T.A.L.K.E.R`` whole where
jieba does not (3,769 of 24,965 such runs differ). Without rjieba, jieba does it all.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import re
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
# Distinct Han runs kept segmented: a 30,000-character article has ~3,000.
SEGMENT_CACHE_RUNS = 8192
# Whole texts whose words are kept (see :func:`cut`).
CUT_TEXTS = 4

_lock = threading.Lock()
_tokenizer: Any = None
_tables: WordTables | None = None


@dataclass(frozen=True, slots=True)
class WordTables:
    freq: dict[str, int]  # jieba's counts: every dictionary word and, at 0, its prefixes
    total: int  # the sum of the counts (jieba's ``total``)
    tags: dict[str, str]  # dictionary word -> POS tag, as jieba.posseg reads dict.txt
    idf: dict[str, float]  # jieba/analyse/idf.txt
    median_idf: float  # jieba's fallback for a word without an IDF


def cache_dir() -> Path:
    explicit = os.environ.get("ZHAIYAO_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zhaiyao"


def _import_jieba() -> Any:
    with warnings.catch_warnings():
        # jieba imports pkg_resources; its deprecation notice is not ours to show
        warnings.filterwarnings("ignore", message=".*pkg_resources.*")
        import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def _sources(jieba: Any) -> tuple[Path, Path]:
    """jieba's dictionary (the one it ships unless set otherwise) and its IDF table."""
    package = resources.files("jieba")
    dictionary = jieba.dt.dictionary or str(package / jieba.DEFAULT_DICT_NAME)
    return Path(dictionary), Path(str(package / "analyse" / "idf.txt"))


def _cache_file(jieba: Any) -> Path:
    key = [f"format {CACHE_FORMAT}", f"jieba {jieba.__version__}", sys.version.split()[0]]
    for path in _sources(jieba):
        stat = path.stat()
        key.append(f"{path} {stat.st_size} {stat.st_mtime_ns}")
    digest = hashlib.blake2b("\n".join(key).encode(), digest_size=8).hexdigest()
    return cache_dir() / f"words-{digest}.marshal"


def _build(jieba: Any) -> WordTables:
    """Parse jieba's dictionary (through jieba) and its POS tags and IDF table."""
    tokenizer = jieba.dt
    tokenizer.initialize()
    freq: dict[str, int] = tokenizer.FREQ
    same = {w: w for w in freq}  # one string object per word across the three tables
    tags: dict[str, str] = {}
    names: dict[str, str] = {}  # one string per distinct tag
    with tokenizer.get_dict_file() as lines:
        for raw in lines:
            line = raw.strip().decode("utf-8")
            if line:
                word, _, tag = line.split(" ")
                tags[same.get(word, word)] = names.setdefault(tag, tag)
    idf: dict[str, float] = {}
    values: dict[str, float] = {}  # ~3,000 distinct values: one float each
    with _sources(jieba)[1].open("r", encoding="utf-8") as rows:
        for row in rows:
            word, _, value = row.strip().partition(" ")
            idf[same.get(word, word)] = values.setdefault(value, float(value))
    median = sorted(idf.values())[len(idf) // 2]  # jieba's median
    return WordTables(freq, tokenizer.total, tags, idf, median)


def _read(path: Path) -> WordTables | None:
    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not (isinstance(data, tuple) and len(data) == 6 and data[0] == CACHE_FORMAT):
        return None
    return WordTables(*data[1:])


def _write(path: Path, tables: WordTables) -> None:
    """Atomically (a reader never sees half a file); stale versions are removed."""
    data = (CACHE_FORMAT, tables.freq, tables.total, tables.tags, tables.idf, tables.median_idf)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".words-")
        with os.fdopen(fd, "wb") as out:
            out.write(marshal.dumps(data))
        os.replace(tmp, path)
        for old in path.parent.glob("words-*.marshal"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as err:  # a read-only home: parse at each start instead
        log.debug("word tables not cached in %s: %s", path.parent, err)


def load_tables() -> WordTables:
    """jieba's counts, POS tags and IDF: from the cache, or parsed and cached (once)."""
    global _tables
    if _tables is None:
        with _lock:
            if _tables is None:
                jieba = _import_jieba()
                path = _cache_file(jieba)
                tables = _read(path)
                if tables is None:
                    tables = _build(jieba)
                    _write(path, tables)
                _tables = tables
    return _tables


def load_jieba() -> Any:
    """Return the process-wide initialised ``jieba.Tokenizer`` (thread-safe, idempotent)."""
    global _tokenizer
    if _tokenizer is None:
        tables = load_tables()
        with _lock:
            if _tokenizer is None:
                tokenizer = _import_jieba().dt
                with tokenizer.lock:
                    tokenizer.FREQ, tokenizer.total = tables.freq, tables.total
                    tokenizer.initialized = True
                _cache_segments(tokenizer)
                _tokenizer = tokenizer
    return _tokenizer


# A run rjieba segments as jieba does: ``jieba.re_han_default`` without its symbols.
_NATIVE_RUN = re.compile("[\u4e00-\u9fd5a-zA-Z0-9]+")


def native_segmenter(tokenizer: Any) -> Callable[[str], list[str]] | None:
    """``rjieba.cut`` (HMM on) when it is installed and ``tokenizer`` reads jieba's own
    dictionary (the one rjieba compiles in), else None."""
    if tokenizer.dictionary is not None:  # set_dictionary() was called: not jieba's own
        return None
    try:
        import rjieba
    except ImportError:
        return None
    cut: Callable[[str, bool], list[str]] = rjieba.cut
    cut("中文", True)  # rjieba reads its dictionary on first use (~0.1 s): now, at load
    return lambda run: cut(run, True)


def _cache_segments(tokenizer: Any) -> None:
    """Memoise jieba's segmentation of one Han run (``Tokenizer.cut`` calls it for each
    run between punctuation and spaces; the result depends on the run and the fixed
    dictionary only), a run without symbols from :func:`native_segmenter` where there
    is one. Left alone if a jieba version no longer has that method."""
    name = "_Tokenizer__cut_DAG"
    cut_run: Callable[[str], Iterator[str]] | None = getattr(tokenizer, name, None)
    if cut_run is None:
        return
    native = native_segmenter(tokenizer)

    @lru_cache(maxsize=SEGMENT_CACHE_RUNS)
    def segment(run: str) -> tuple[str, ...]:
        if native is not None and _NATIVE_RUN.fullmatch(run):
            return tuple(native(run))
        return tuple(cut_run(run))

    setattr(tokenizer, name, lambda run: iter(segment(run)))


@lru_cache(maxsize=CUT_TEXTS)
def cut(text: str) -> tuple[str, ...]:
    """Precise-mode jieba words (HMM on) of ``text``, white space included: what
    ``jieba.lcut(text)`` gives. The last few texts are remembered: ``analyze`` asks for
    an article's words for its keywords and again for its index terms."""
    return tuple(load_jieba().cut(text, HMM=True))


def words(text: str) -> list[str]:
    """Precise-mode jieba words (HMM on), white space dropped."""
    return [w for w in cut(text) if w.strip()]


def segment_for_index(text: str) -> str:
    """Space-joined search-mode words, the form stored in the FTS5 index: what
    ``jieba.lcut_for_search(text)`` gives, white space dropped."""
    return " ".join(form for word in cut(text) for form in _search_forms_of(word))


@lru_cache(maxsize=100_000)  # a word's forms depend on the fixed dictionary only
def _search_forms_of(word: str) -> tuple[str, ...]:
    """The dictionary's 2- and 3-character words inside ``word`` and ``word`` itself, as
    ``jieba.Tokenizer.cut_for_search`` yields them for one precise-mode word."""
    freq = load_tables().freq
    forms = [word[i : i + 2] for i in range(len(word) - 1) if freq.get(word[i : i + 2])]
    grams3 = [word[i : i + 3] for i in range(len(word) - 2) if freq.get(word[i : i + 3])]
    forms = [*(forms if len(word) > 2 else []), *(grams3 if len(word) > 3 else []), word]
    return tuple(form for form in forms if form.strip())


def search_words(query: str) -> list[str]:
    """A search query as the words the index holds (search-mode words, as indexed)."""
    return segment_for_index(query).split()
