"""BiLSTM-CRF character tagger packaged as a ``transformers`` model.

Characters, bigrams, jieba word/POS ids and dictionary-match bits are embedded,
concatenated and read by a bidirectional LSTM; a linear-chain CRF scores BIO label
sequences (Huang, Xu & Yu 2015, *Bidirectional LSTM-CRF Models for Sequence
Tagging*). It is a ``PreTrainedModel`` so that ``save_pretrained``/``from_pretrained``
store and load safetensors + ``config.json`` from a local directory with no network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from transformers import PretrainedConfig, PreTrainedModel

from summarizer.ner import runtime
from summarizer.ner.features import LEXICON_BITS, N_WORD_FEATURES, CharFeatures
from summarizer.ner.tensors import Ints, feature_arrays, pad

LABELS: tuple[str, ...] = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG")


class ZhNerConfig(PretrainedConfig):  # type: ignore[no-untyped-call]
    model_type = "zhaiyao_ner"

    def __init__(
        self,
        char_vocab_size: int = 6000,
        bigram_vocab_size: int = 50000,
        char_dim: int = 128,
        bigram_dim: int = 48,
        word_dim: int = 32,
        lexicon_dim: int = 32,
        domain_count: int = 2,
        hidden_size: int = 160,
        dropout: float = 0.3,
        gazetteer_bits: int = 0,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("id2label", dict(enumerate(LABELS)))
        self.char_vocab_size = char_vocab_size
        self.bigram_vocab_size = bigram_vocab_size
        self.char_dim = char_dim
        self.bigram_dim = bigram_dim
        self.word_dim = word_dim
        self.lexicon_dim = lexicon_dim
        self.domain_count = domain_count
        self.hidden_size = hidden_size
        self.dropout = dropout
        # 0: no training-set gazetteer (older models); else GAZETTEER_BITS extra
        # dictionary-match bits above the jieba ones, from gazetteer.json.
        self.gazetteer_bits = gazetteer_bits
        super().__init__(**kwargs)


def label_names(config: PretrainedConfig) -> list[str]:
    """The config's labels in id order."""
    return runtime.label_names({"id2label": config.id2label})


def collate(
    feats: list[CharFeatures], domains: list[int], labels: list[list[int]] | None = None
) -> dict[str, torch.Tensor]:
    """Pad a batch (left-aligned) into the model's input tensors."""
    arrays = feature_arrays(feats)
    batch = {k: torch.from_numpy(v) for k, v in arrays.items()}
    batch["domain"] = torch.tensor(domains, dtype=torch.long)
    batch["attention_mask"] = (batch["chars"] != 0).long()
    if labels is not None:
        batch["labels"] = torch.from_numpy(pad(labels))
    return batch


class ZhNerModel(PreTrainedModel):  # type: ignore[no-untyped-call]
    config_class = ZhNerConfig
    base_model_prefix = "ner"

    def __init__(self, config: ZhNerConfig) -> None:
        super().__init__(config)
        labels = label_names(config)
        n_labels = len(labels)
        self.char_emb = nn.Embedding(config.char_vocab_size, config.char_dim, padding_idx=0)
        self.bigram_emb = nn.Embedding(config.bigram_vocab_size, config.bigram_dim, padding_idx=0)
        self.word_emb = nn.Embedding(N_WORD_FEATURES, config.word_dim, padding_idx=0)
        self.domain_emb = nn.Embedding(config.domain_count, config.word_dim)
        self.lexicon_bits = LEXICON_BITS + config.gazetteer_bits
        self.lexicon_proj = nn.Linear(self.lexicon_bits, config.lexicon_dim)
        in_dim = config.char_dim + 2 * config.bigram_dim + 2 * config.word_dim
        in_dim += config.lexicon_dim
        self.lstm = nn.LSTM(in_dim, config.hidden_size, batch_first=True, bidirectional=True)
        self.drop = nn.Dropout(config.dropout)
        self.emit = nn.Linear(2 * config.hidden_size, n_labels)
        self.transitions = nn.Parameter(torch.zeros(n_labels, n_labels))
        self.start_transitions = nn.Parameter(torch.zeros(n_labels))
        self.end_transitions = nn.Parameter(torch.zeros(n_labels))
        # Not a buffer: from_pretrained builds the module on the meta device and would
        # leave a non-persistent buffer uninitialised; built on first use instead.
        self._allowed: torch.Tensor | None = None
        self.post_init()  # type: ignore[no-untyped-call]

    def _init_weights(self, module: nn.Module) -> None:
        if isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, std=0.1)
            if module.padding_idx is not None:
                with torch.no_grad():
                    module.weight[module.padding_idx].zero_()

    def emissions(
        self,
        chars: torch.Tensor,
        bigrams: torch.Tensor,
        words: torch.Tensor,
        lexicon: torch.Tensor,
        domain: torch.Tensor,
    ) -> torch.Tensor:
        """Per-character label scores, shape (batch, length, labels)."""
        # The bigram ending at i is the one starting at i-1.
        left = torch.nn.functional.pad(bigrams[:, :-1], (1, 0))
        bits = torch.arange(self.lexicon_bits, device=lexicon.device)
        lex = ((lexicon.unsqueeze(-1) >> bits) & 1).float()
        dom = self.domain_emb(domain).unsqueeze(1).expand(-1, chars.shape[1], -1)
        x = torch.cat(
            [
                self.char_emb(chars),
                self.bigram_emb(bigrams),
                self.bigram_emb(left),
                self.word_emb(words),
                dom,
                torch.relu(self.lexicon_proj(lex)),
            ],
            dim=-1,
        )
        # Packed, so that the backward direction of a short sequence starts at its own
        # last character, not at the batch's padding (and no work is spent on padding).
        lengths = (chars != 0).sum(1).cpu()
        packed = pack_padded_sequence(self.drop(x), lengths, batch_first=True, enforce_sorted=False)
        h, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True, total_length=x.shape[1])
        scores: torch.Tensor = self.emit(self.drop(h))
        return scores

    def _masked_transitions(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self._allowed is None:
            self._allowed = torch.from_numpy(runtime.allowed_transitions(label_names(self.config)))
        allowed = self._allowed.to(self.transitions.device)
        neg = torch.finfo(self.transitions.dtype).min / 2
        trans = self.transitions.masked_fill(~allowed[:-1], neg)
        start = self.start_transitions.masked_fill(~allowed[-1], neg)
        return trans, start

    def crf_nll(
        self, emissions: torch.Tensor, labels: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """Mean negative log-likelihood of the gold label paths (mask: bool, left-aligned)."""
        trans, start = self._masked_transitions()
        batch = torch.arange(emissions.shape[0], device=emissions.device)
        score = start[labels[:, 0]] + emissions[batch, 0, labels[:, 0]]
        alpha = start + emissions[:, 0]
        for t in range(1, emissions.shape[1]):
            m = mask[:, t]
            step = trans[labels[:, t - 1], labels[:, t]] + emissions[batch, t, labels[:, t]]
            score = score + step * m
            nxt = torch.logsumexp(alpha.unsqueeze(2) + trans + emissions[:, t].unsqueeze(1), dim=1)
            alpha = torch.where(m.unsqueeze(1), nxt, alpha)
        last = labels[batch, mask.sum(1) - 1]
        score = score + self.end_transitions[last]
        log_z = torch.logsumexp(alpha + self.end_transitions, dim=1)
        return (log_z - score).mean()

    @torch.no_grad()
    def viterbi(self, emissions: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
        """Best BIO-consistent label ids per sequence (lengths from mask), decoded in
        numpy as at inference (:func:`summarizer.ner.runtime.viterbi`)."""
        trans, start = (t.detach().float().cpu().numpy() for t in self._masked_transitions())
        end = self.end_transitions.detach().float().cpu().numpy()
        lengths = mask.sum(1).tolist()
        return runtime.viterbi(emissions.detach().float().cpu().numpy(), lengths, trans, start, end)

    def forward(
        self,
        chars: torch.Tensor,
        bigrams: torch.Tensor,
        words: torch.Tensor,
        lexicon: torch.Tensor,
        domain: torch.Tensor,
        attention_mask: torch.Tensor,
        labels: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        em = self.emissions(chars, bigrams, words, lexicon, domain)
        out = {"logits": em}
        if labels is not None:
            out["loss"] = self.crf_nll(em, labels, attention_mask.bool())
        return out


class TorchNetwork:
    """A trained directory run through torch: the reference the numpy runtime is checked
    against, and the way to read a model while it is being developed."""

    def __init__(self, path: Path, *, quantize: bool = False, threads: int | None = 1) -> None:
        """``quantize``: int8 LSTM weights (dynamic quantization), the pre-numpy default.
        ``threads``: torch intra-op threads for the process (None leaves them as they are)."""
        if threads is not None:
            torch.set_num_threads(threads)
        model = ZhNerModel.from_pretrained(path, local_files_only=True)
        model.eval()  # type: ignore[no-untyped-call]
        self.labels = label_names(model.config)
        self.model = _quantized(model) if quantize else model

    def paths(self, batches: list[dict[str, Ints]], domain: int) -> list[list[list[int]]]:
        return [self._paths(batch, domain) for batch in batches]

    def _paths(self, batch: dict[str, Ints], domain: int) -> list[list[int]]:
        inputs = {k: torch.from_numpy(v) for k, v in batch.items()}
        inputs["domain"] = torch.full((len(batch["chars"]),), domain, dtype=torch.long)
        with torch.inference_mode():
            return self.model.viterbi(self.model.emissions(**inputs), inputs["chars"] != 0)


def _quantized(model: ZhNerModel) -> ZhNerModel:
    """The LSTM with int8 weights (activations stay float and are quantized per call)."""
    import warnings

    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notice
        quantized: ZhNerModel = quantize_dynamic(  # type: ignore[no-untyped-call]
            model, {torch.nn.LSTM}, dtype=torch.qint8
        )
    return quantized
