"""``find_entities(text)``: people, places and organisations in an article.

Backends implement :class:`NerBackend` and sit in :data:`BACKENDS` keyed by name:

* ``model``: our BiLSTM-CRF shipped in ``summarizer/models/ner`` (the default);
* ``jieba``: jieba.posseg's nr/ns/nt tags, the lightweight fallback;
* ``hf``: any Hugging Face token-classification model (directory or hub id).

:func:`load_ner` loads one now (the bot calls it in ``post_init`` with
``settings.ner_backend`` / ``settings.ner_model``, so its first user waits no longer
than later ones); :func:`use_ner` only chooses one, and the first :func:`find_entities`
call loads it (the command line: input is checked before any model loads). Without
either, the first call loads the shipped model, or jieba if none is shipped.
Nothing is loaded at import time. Every backend tags chunks of at most
:data:`CHUNK_CHARS` characters (the length the model was trained on); spans are
mapped back to article offsets and cleaned by :mod:`summarizer.ner.spans`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from summarizer.model import Entity
from summarizer.ner.spans import RawSpan, chunk_text, clean_spans


class NerBackend(Protocol):
    """One way of finding PER/LOC/ORG spans in a text."""

    name: str

    def find(self, text: str) -> list[Entity]: ...


# The shipped model read Chinese newswire only; on English it tags capitalised words at
# random (has, record), so chunks without a Han character are left untagged.
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class ModelBackend:
    """The shipped BiLSTM-CRF (or another directory trained by ``summarizer.ner.train``).

    Tags Chinese chunks only: an English article gets no entities from it (a Hugging
    Face model named in ``ZHAIYAO_NER_MODEL`` may read other languages)."""

    name = "model"

    def __init__(self, model_path: str | Path | None = None, engine: str = "onnx") -> None:
        from summarizer.ner.infer import NerTagger

        self._tagger = NerTagger(Path(model_path) if model_path else None, engine=engine)

    def find(self, text: str) -> list[Entity]:
        chunks = [(off, chunk) for off, chunk in chunk_text(text) if _HAN.search(chunk)]
        tagged = self._tagger.tag([c for _, c in chunks])
        raw = [
            RawSpan(off + s.start, off + s.end, s.type)
            for (off, _), spans in zip(chunks, tagged, strict=True)
            for s in spans
        ]
        return clean_spans(text, raw)


JIEBA_TYPES = {"nr": "PER", "nrfg": "PER", "nrt": "PER", "ns": "LOC", "nt": "ORG"}


class JiebaBackend:
    """jieba.posseg word tags: quick, no model file, about half as accurate."""

    name = "jieba"

    def __init__(self) -> None:
        from summarizer.tokenize import load_jieba

        load_jieba()  # first: it imports jieba with its import-time noise silenced
        from jieba import posseg

        self._posseg = posseg.dt

    def find(self, text: str) -> list[Entity]:
        raw: list[RawSpan] = []
        for off, chunk in chunk_text(text):
            pos = off
            for pair in self._posseg.cut(chunk):
                word, flag = pair.word, pair.flag
                if flag in JIEBA_TYPES:
                    raw.append(RawSpan(pos, pos + len(word), JIEBA_TYPES[flag]))
                pos += len(word)
        return clean_spans(text, raw)


def _hf_type(label: str) -> str | None:
    label = label.upper().removeprefix("B-").removeprefix("I-")
    if label in ("PER", "PERSON", "NR", "NAME"):
        return "PER"
    if label in ("LOC", "GPE", "LOCATION", "NS", "ADDRESS", "FAC"):
        return "LOC"
    if label in ("ORG", "ORGANIZATION", "NT", "COMPANY", "GOVERNMENT"):
        return "ORG"
    return None


class HFBackend:
    """Any ``transformers`` token-classification model; with an id it may need the network."""

    name = "hf"

    def __init__(self, model_path: str | Path | None = None, threads: int | None = None) -> None:
        import os

        from summarizer.ner.infer import require_torch

        require_torch("the hf NER backend")
        from transformers import pipeline

        target = str(model_path or os.environ.get("ZHAIYAO_NER_MODEL", ""))
        if not target:
            from summarizer.ner.infer import ModelNotFound

            raise ModelNotFound("the hf backend needs a model path or id (ZHAIYAO_NER_MODEL)")
        if threads is not None:
            import torch

            torch.set_num_threads(threads)
        self._pipe = pipeline("token-classification", model=target, aggregation_strategy="simple")

    def find(self, text: str) -> list[Entity]:
        chunks = chunk_text(text)
        if not chunks:
            return []
        results = self._pipe([c for _, c in chunks])
        raw: list[RawSpan] = []
        for (off, _), found in zip(chunks, results, strict=True):
            for item in found:
                typ = _hf_type(str(item.get("entity_group") or item.get("entity", "")))
                if typ is not None and item.get("start") is not None:
                    raw.append(RawSpan(off + int(item["start"]), off + int(item["end"]), typ))
        return clean_spans(text, raw)


BackendFactory = Callable[[str | None], NerBackend]
BACKENDS: dict[str, BackendFactory] = {
    "model": lambda path: ModelBackend(path),
    "jieba": lambda path: JiebaBackend(),
    "hf": lambda path: HFBackend(path),
}

_lock = threading.Lock()
_active: NerBackend | None = None
_chosen: tuple[str, str | None] | None = None  # set by use_ner, loaded on first use


def _check_name(backend: str) -> None:
    if backend not in BACKENDS:
        raise KeyError(f"unknown NER backend {backend!r}; choose from {sorted(BACKENDS)}")


def load_ner(backend: str = "model", model_path: str | None = None) -> NerBackend:
    """Load a backend by name now and make it the one :func:`find_entities` uses.

    Raises ``KeyError`` for an unknown name and ``ModelNotFound`` when the model
    directory is missing; never falls back silently when asked for a model.
    """
    global _active
    _check_name(backend)
    loaded = BACKENDS[backend](model_path)
    with _lock:
        _active = loaded
    return loaded


def use_ner(backend: str = "model", model_path: str | None = None) -> None:
    """Choose the backend :func:`find_entities` loads on first use (nothing loads now:
    a command whose input turns out to be bad never pays for the model)."""
    global _active, _chosen
    _check_name(backend)
    with _lock:
        _active, _chosen = None, (backend, model_path)


def active_backend() -> NerBackend:
    """The loaded backend; on first use the one chosen by :func:`use_ner`, else the
    shipped model, or jieba if none is shipped."""
    global _active
    if _active is None:
        from summarizer.ner.infer import has_model, packaged_model_path

        with _lock:
            if _active is None:
                default = "model" if has_model(packaged_model_path()) else "jieba"
                name, path = _chosen or (default, None)
                _active = BACKENDS[name](path)
    return _active


def find_entities(text: str) -> list[Entity]:
    """PER/LOC/ORG mentions in article order; ``e.text == text[e.start:e.end]``."""
    if not text.strip():
        return []
    return active_backend().find(text)
