"""Batch padding and BIO decoding shared by training and inference."""

from __future__ import annotations

import torch

from summarizer.ner.features import CharFeatures


def collate(
    feats: list[CharFeatures], domains: list[int], labels: list[list[int]] | None = None
) -> dict[str, torch.Tensor]:
    """Pad a batch (left-aligned) into the model's input tensors."""
    n = max(len(f.chars) for f in feats)

    def pad(rows: list[list[int]]) -> torch.Tensor:
        return torch.tensor([r + [0] * (n - len(r)) for r in rows], dtype=torch.long)

    batch = {
        "chars": pad([f.chars for f in feats]),
        "bigrams": pad([f.bigrams for f in feats]),
        "words": pad([f.words for f in feats]),
        "lexicon": pad([f.lexicon for f in feats]),
        "domain": torch.tensor(domains, dtype=torch.long),
        "attention_mask": pad([[1] * len(f.chars) for f in feats]),
    }
    if labels is not None:
        batch["labels"] = pad(labels)
    return batch


def decode_bio(labels: list[str]) -> set[tuple[int, int, str]]:
    spans: set[tuple[int, int, str]] = set()
    start, typ = -1, ""
    for i, lab in enumerate([*labels, "O"]):
        if start >= 0 and not (lab.startswith("I-") and lab[2:] == typ):
            spans.add((start, i, typ))
            start = -1
        if lab.startswith("B-") or (lab.startswith("I-") and start < 0):
            start, typ = i, lab[2:]
    return spans
