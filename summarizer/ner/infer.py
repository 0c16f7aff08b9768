"""Run the shipped BiLSTM-CRF tagger over text chunks (batched; numpy by default)."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Protocol

from summarizer.errors import SummarizerError
from summarizer.ner.export import ONNX_FILE
from summarizer.ner.features import Gazetteer, Vocab, load_lexicon
from summarizer.ner.runtime import label_names
from summarizer.ner.tensors import Ints, decode_bio, feature_arrays

MSRA_DOMAIN = 0  # newswire guidelines; the model was trained with domain ids per source
# Chunks (sorted by length) per LSTM call. onnxruntime's LSTM works through a batch's
# padding too: 64 rows padded a long article's characters by ~23 %, 16 rows by ~6 %, for
# ~17 % less LSTM time (an ad-hoc measurement; bench/RESULTS.md has the per-page bench);
# F1 of records tagged inside article-sized texts is the same at 8, 16, 32 and 64 rows
# (MSRA 90.1-90.2, CLUENER 68.9; bench/ner.py --as-articles).
BATCH_SIZE = 16
MODEL_FILES = ("config.json", "model.safetensors", "vocab.json", ONNX_FILE)


class ModelNotFound(SummarizerError):
    """The NER model directory is missing or incomplete."""

    reason = "ner model not found"
    reason_zh = "找不到实体识别模型"


class NerRuntimeMissing(ModelNotFound):
    """The chosen backend or engine needs torch, which only the ``train`` extra installs."""

    reason = "ner runtime not installed"
    reason_zh = "未安装实体识别所需的运行库"


def require_torch(what: str) -> None:
    """Raise :class:`NerRuntimeMissing` (with the install command) when torch is absent."""
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        raise NerRuntimeMissing(
            f"{what} needs torch: pip install torch==2.13.0 --extra-index-url "
            "https://download.pytorch.org/whl/cpu && pip install 'zhaiyao[train]'"
        )


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled span of a chunk (end exclusive)."""

    start: int
    end: int
    type: str


def packaged_model_path() -> Path:
    """The model directory shipped inside the ``summarizer`` package."""
    return Path(str(resources.files("summarizer") / "models" / "ner"))


def has_model(path: Path) -> bool:
    return all((path / name).is_file() for name in MODEL_FILES)


_SPACE = re.compile(r"\s")


def _squeeze_space(chunk: str) -> tuple[str, list[int]]:
    """Each white-space run as one "，" (the training text has no spaces), with the
    original index of every character of the result."""
    if not _SPACE.search(chunk):  # most chunks of Chinese text (the same test as isspace)
        return chunk, list(range(len(chunk)))
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(chunk):
        if ch.isspace():
            if chars and chars[-1] == "，" and where[-1] == i - 1 and chunk[i - 1].isspace():
                where[-1] = i
                continue
            ch = "，"
        chars.append(ch)
        where.append(i)
    return "".join(chars), where


class Network(Protocol):
    """The tagger's network: best label ids for each row of each padded batch."""

    labels: list[str]

    def paths(self, batches: list[dict[str, Ints]], domain: int) -> list[list[list[int]]]: ...


ENGINES = ("onnx", "torch", "torch-int8")


def load_network(path: Path, engine: str = "onnx", threads: int | None = 1) -> Network:
    """``onnx`` (the default: numpy + onnxruntime, no torch needed), ``torch`` (float,
    through the training code) or ``torch-int8`` (PyTorch's int8 LSTM, the runtime
    shipped before the onnx one)."""
    if engine == "onnx":
        from summarizer.ner.runtime import BiLstmCrf

        return BiLstmCrf.from_dir(path)
    if engine in ("torch", "torch-int8"):
        require_torch(f"the {engine} NER engine")
        from summarizer.ner.model import TorchNetwork

        return TorchNetwork(path, quantize=engine == "torch-int8", threads=threads)
    raise ValueError(f"unknown NER engine {engine!r}; choose from {', '.join(ENGINES)}")


class NerTagger:
    """Loads the model once from a local directory (never the network) and tags chunks."""

    def __init__(
        self, path: Path | None = None, *, engine: str = "onnx", threads: int | None = 1
    ) -> None:
        """``threads`` applies to the torch engines only. One by default: this LSTM's
        steps are too small to split, and two threads took ~140 ms of CPU per
        2,000-character article against ~60 ms for one on the 2-core target."""
        self.path = Path(path) if path is not None else packaged_model_path()
        trained = [name for name in MODEL_FILES if name != ONNX_FILE]
        if not all((self.path / name).is_file() for name in trained):
            raise ModelNotFound(f"no NER model in {self.path} (need {', '.join(MODEL_FILES)})")
        if engine == "onnx" and not (self.path / ONNX_FILE).is_file():
            raise ModelNotFound(
                f"{self.path} has no {ONNX_FILE}: run python -m summarizer.ner.export --model "
                f"{self.path} (saved before inference left torch)"
            )
        config = json.loads((self.path / "config.json").read_text("utf-8"))
        self.vocab = Vocab.from_json(json.loads((self.path / "vocab.json").read_text("utf-8")))
        self.network = load_network(self.path, engine, threads)
        self.labels = label_names(config)
        self.gazetteer: Gazetteer | None = None
        if config.get("gazetteer_bits", 0):
            gaz_path = self.path / "gazetteer.json"
            if not gaz_path.is_file():
                raise ModelNotFound(f"{self.path} was trained with a gazetteer: no gazetteer.json")
            self.gazetteer = Gazetteer.from_json(json.loads(gaz_path.read_text("utf-8")))
        load_lexicon()  # jieba's dictionary as features: part of loading, not of the first call
        # The network keeps no per-call state, but one lock keeps concurrent bot handlers
        # from oversubscribing the two cores (and torch's intra-op pool).
        self._lock = threading.Lock()

    def tag(self, chunks: list[str]) -> list[list[Span]]:
        """Entity spans for each chunk (offsets into that chunk)."""
        squeezed = [_squeeze_space(c) for c in chunks]
        feats = self.vocab.featurize_many([t for t, _ in squeezed], self.gazetteer)
        out: list[list[Span]] = [[] for _ in chunks]
        order = sorted((i for i, c in enumerate(chunks) if c), key=lambda i: len(chunks[i]))
        groups = [order[lo : lo + BATCH_SIZE] for lo in range(0, len(order), BATCH_SIZE)]
        batches = [feature_arrays([feats[i] for i in idx]) for idx in groups]
        with self._lock:
            found = self.network.paths(batches, MSRA_DOMAIN)
        for idx, paths in zip(groups, found, strict=True):
            for i, path in zip(idx, paths, strict=True):
                if not any(path) and self.labels[0] == "O":
                    continue  # no entity in the chunk
                spans = decode_bio([self.labels[t] for t in path])
                where = squeezed[i][1]
                out[i] = [Span(where[s], where[e - 1] + 1, t) for s, e, t in sorted(spans)]
        return out
