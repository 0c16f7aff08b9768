"""jieba, loaded once per process and never at import time.

``load_jieba()`` is called explicitly by the bot's ``post_init`` and by the CLI; the
helpers below call it too, so the first use pays the ~1 s dictionary load once.
"""

from __future__ import annotations

import logging
import threading
import warnings
from typing import Any

_lock = threading.Lock()
_tokenizer: Any = None


def load_jieba() -> Any:
    """Return the process-wide initialised ``jieba.Tokenizer`` (thread-safe, idempotent)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                with warnings.catch_warnings():
                    # jieba imports pkg_resources; its deprecation notice is not ours to show
                    warnings.filterwarnings("ignore", message=".*pkg_resources.*")
                    import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _tokenizer = jieba.dt
    return _tokenizer


def words(text: str) -> list[str]:
    """Precise-mode jieba words (HMM on), white space dropped."""
    return [w for w in load_jieba().lcut(text) if w.strip()]


def segment_for_index(text: str) -> str:
    """Space-joined search-mode words, the form stored in the FTS5 index."""
    return " ".join(w for w in load_jieba().lcut_for_search(text) if w.strip())


def search_words(query: str) -> list[str]:
    """A search query as the words the index holds (search-mode words, as indexed)."""
    return segment_for_index(query).split()
