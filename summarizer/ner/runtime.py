"""The shipped BiLSTM-CRF at inference without torch: numpy and onnxruntime.

The model is trained and saved by ``transformers``/torch (:mod:`summarizer.ner.model`,
safetensors + ``config.json``, plus ``lstm.onnx`` written by
:mod:`summarizer.ner.export`). Here the embeddings, the projection to label scores and
the BIO-constrained Viterbi run in numpy on the safetensors weights, and the
bidirectional LSTM runs in onnxruntime: a numpy loop over time steps took ~2x the CPU
of PyTorch's LSTM; onnxruntime's int8 LSTM takes about half of it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from summarizer.ner.export import ONNX_FILE
from summarizer.ner.features import LEXICON_BITS
from summarizer.ner.tensors import Ints

Floats = NDArray[np.float32]


def label_names(config: dict[str, Any]) -> list[str]:
    """The labels of a ``config.json`` in id order (JSON turns the ids into strings)."""
    id2label = config.get("id2label") or {}
    return [str(v) for _, v in sorted((int(k), v) for k, v in id2label.items())]


def allowed_transitions(labels: list[str]) -> NDArray[np.bool_]:
    """BIO constraint: I-X may only follow B-X or I-X (also not at the start).

    Shape (labels + 1, labels); row ``labels`` is the start of a sequence."""
    n = len(labels)
    allowed = np.ones((n + 1, n), dtype=np.bool_)
    for j, to in enumerate(labels):
        if to.startswith("I-"):
            for i, frm in enumerate([*labels, "<s>"]):
                allowed[i, j] = frm[2:] == to[2:] and frm[:2] in ("B-", "I-")
    return allowed


def viterbi(
    emissions: Floats, lengths: list[int], trans: Floats, start: Floats, end: Floats
) -> list[list[int]]:
    """Best label ids per sequence of a (batch, length, labels) score array.

    ``trans``/``start`` already carry the BIO constraint as large negative scores; each
    step is a few operations on a (batch x labels, labels) array. The rows are taken
    longest first, so the sequences still running at a step are the first ``live`` rows;
    past a sequence's end its score and its label stay put, so one backward pass over the
    whole batch reads every path."""
    batch, steps, n = emissions.shape
    order = np.argsort(-np.asarray(lengths, dtype=np.intp), kind="stable")
    by_length = np.asarray(lengths, dtype=np.intp)[order]
    scores = np.ascontiguousarray(emissions[order].transpose(1, 0, 2))  # (steps, batch, n)
    into = np.ascontiguousarray(trans.T)  # into[j, i]: the score of moving from i to j
    score = start + scores[0]
    lives = np.searchsorted(-by_length, -np.arange(steps), side="left")  # rows longer than t
    cells = np.arange(batch * n)
    backs: list[NDArray[np.intp]] = []  # backs[t - 1][b * n + j]: best label at t-1
    for t in range(1, steps):
        live = int(lives[t])
        if live == 0:
            break
        cand = (score[:live, None, :] + into).reshape(live * n, n)  # row b * n + j, column i
        best = cand.argmax(1)
        backs.append(best)
        score[:live] = cand[cells[: live * n], best].reshape(live, n) + scores[t, :live]
    label = (score + end).argmax(1)
    path = np.empty((len(backs) + 1, batch), dtype=np.intp)
    path[-1] = label
    first = np.arange(batch) * n
    for t in range(len(backs), 0, -1):
        best = backs[t - 1]
        live = len(best) // n
        label = label.copy()
        label[:live] = best[first[:live] + label[:live]]
        path[t - 1] = label
    columns = path.T.tolist()
    out: list[list[int]] = [[] for _ in range(batch)]
    for k, b in enumerate(order.tolist()):
        out[b] = columns[k][: by_length[k]]
    return out


def _session(path: Path) -> Any:
    """One-thread onnxruntime session: this LSTM's steps are too small to split, and
    the bot's other core serves another handler instead."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class BiLstmCrf:
    """The tagger's network from a model directory: embeddings and CRF from the
    safetensors weights, the LSTM from ``lstm.onnx`` (:mod:`summarizer.ner.export`)."""

    def __init__(self, config: dict[str, Any], weights: dict[str, Floats], lstm: Any) -> None:
        self.labels = label_names(config)
        self.lexicon_bits = LEXICON_BITS + int(config.get("gazetteer_bits", 0))
        w = weights
        self.char_emb, self.bigram_emb = w["char_emb.weight"], w["bigram_emb.weight"]
        self.word_emb, self.domain_emb = w["word_emb.weight"], w["domain_emb.weight"]
        self.lexicon_w, self.lexicon_b = w["lexicon_proj.weight"].T.copy(), w["lexicon_proj.bias"]
        self.emit_w, self.emit_b = w["emit.weight"].T.copy(), w["emit.bias"]
        neg = np.float32(np.finfo(np.float32).min / 2)
        allowed = allowed_transitions(self.labels)
        self.trans = np.where(allowed[:-1], w["transitions"], neg).astype(np.float32)
        self.start = np.where(allowed[-1], w["start_transitions"], neg).astype(np.float32)
        self.end = w["end_transitions"]
        self._lstm = lstm

    @classmethod
    def from_dir(cls, path: Path) -> BiLstmCrf:
        from safetensors.numpy import load_file

        config = json.loads((path / "config.json").read_text("utf-8"))
        weights = load_file(path / "model.safetensors")
        return cls(config, weights, _session(path / ONNX_FILE))

    def _inputs(
        self, chars: Ints, bigrams: Ints, words: Ints, lexicon: Ints, domain: int
    ) -> Floats:
        """The LSTM's input, (steps, batch, features): the embeddings are gathered in
        that order so that no (batch, steps) array has to be copied into it."""
        left = np.pad(bigrams[:, :-1], ((0, 0), (1, 0)))  # the bigram ending at each char
        bits = (lexicon[..., None] >> np.arange(self.lexicon_bits)) & 1
        lex = np.maximum(bits.astype(np.float32) @ self.lexicon_w + self.lexicon_b, 0)
        steps = chars.T
        dom = np.broadcast_to(self.domain_emb[domain], (*steps.shape, self.domain_emb.shape[1]))
        parts = (
            self.char_emb[steps],
            self.bigram_emb[bigrams.T],
            self.bigram_emb[left.T],
            self.word_emb[words.T],
            dom,
            lex.transpose(1, 0, 2),
        )
        return np.concatenate(parts, axis=-1)

    def paths(self, batches: list[dict[str, Ints]], domain: int) -> list[list[list[int]]]:
        """Best label ids for each row of each padded batch
        (:func:`summarizer.ner.tensors.feature_arrays`). The LSTM runs batch by batch (its
        int8 activations are quantized per call, so a batch's rows stay together); the
        Viterbi, row by row independent, runs once over the rows of all batches."""
        emissions: list[Floats] = []
        lengths: list[int] = []
        for batch in batches:
            chars = batch["chars"]
            rows = (chars != 0).sum(1)
            x = self._inputs(chars, batch["bigrams"], batch["words"], batch["lexicon"], domain)
            y = self._lstm.run(None, {"x": x, "lengths": rows.astype(np.int32)})[0]
            # y: (steps, 2 directions, batch, hidden)
            hidden = np.concatenate([y[:, 0], y[:, 1]], axis=-1).transpose(1, 0, 2)
            emissions.append(hidden @ self.emit_w + self.emit_b)
            lengths += rows.tolist()
        if not emissions:
            return []
        steps = max(e.shape[1] for e in emissions)
        together = np.zeros((len(lengths), steps, len(self.labels)), dtype=np.float32)
        at = 0
        for e in emissions:
            together[at : at + len(e), : e.shape[1]] = e
            at += len(e)
        found = viterbi(together, lengths, self.trans, self.start, self.end)
        out, at = [], 0
        for e in emissions:
            out.append(found[at : at + len(e)])
            at += len(e)
        return out
