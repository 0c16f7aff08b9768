"""Train the shipped NER model: ``python -m summarizer.ner.train --out summarizer/models/ner``.

Reproducible (fixed seed, per-epoch shuffles seeded by epoch), resumable (``--resume``
continues from the last finished epoch in ``--state-dir``), and it logs per-epoch dev
micro F1 on the MSRA and CLUENER dev records. The best epoch by MSRA dev F1 is what
``--out`` holds. Records from both sources are trained on, each with its own domain id,
since their annotation guidelines differ; inference uses the MSRA (newswire) domain.

Gazetteer: the PER/LOC/ORG names of the training set become dictionary-match features
(:class:`~summarizer.ner.features.Gazetteer`). A training record only sees the names
from the other :data:`FOLDS` folds (blocks of 100 consecutive records, as the dev split
is made), so the model learns how much a match is worth on text it has not seen
instead of copying its own labels; dev and inference use the names of all folds. A
name is kept when, in the folds used, it was tagged in at least
:data:`GAZETTEER_MIN_RATIO` of the places where it occurs.

Averaging: after each epoch the weights of the last ``--average`` epochs are averaged
(Polyak averaging, a cheap ensemble) and scored too; whichever of the raw or averaged
weights has the best MSRA dev F1 so far is what ``--out`` holds.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import torch

from summarizer.ner.export import export
from summarizer.ner.features import (
    GAZETTEER_BITS,
    GAZETTEER_TYPES,
    MAX_GAZETTEER_WORD,
    PAD,
    UNK,
    CharFeatures,
    Gazetteer,
    Vocab,
    normalize_char,
)
from summarizer.ner.model import LABELS, ZhNerConfig, ZhNerModel, collate
from summarizer.ner.tensors import decode_bio

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "ner"
DOMAINS = ("msra", "cluener")
MAX_BIGRAMS = 50_000
FOLDS = 5
FOLD_BLOCK = 100
GAZETTEER_MIN_RATIO = 0.1
log = logging.getLogger("summarizer.ner.train")


def load_records(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def build_vocab(records: list[dict[str, Any]]) -> Vocab:
    chars: Counter[str] = Counter()
    bigrams: Counter[str] = Counter()
    for rec in records:
        norm = "".join(normalize_char(c) for c in rec["text"])
        chars.update(norm)
        bigrams.update(norm[i : i + 2] for i in range(len(norm) - 1))
        bigrams[norm[-1:] + "</s>"] += 1
    kept = [b for b, n in bigrams.most_common(MAX_BIGRAMS - 2) if n >= 2]
    return Vocab([PAD, UNK, *sorted(chars)], [PAD, UNK, *sorted(kept)])


def bio_labels(rec: dict[str, Any]) -> list[int]:
    tags = [0] * len(rec["text"])
    for ent in rec["entities"]:
        if ent["type"] not in ("PER", "LOC", "ORG"):
            continue
        tags[ent["start"]] = LABELS.index("B-" + ent["type"])
        for i in range(ent["start"] + 1, ent["end"]):
            tags[i] = LABELS.index("I-" + ent["type"])
    return tags


def fold_of(index: int) -> int:
    return (index // FOLD_BLOCK) % FOLDS


class GazetteerCounts:
    """Per fold: how often each training-set name was tagged (per type) and occurs."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.tagged: dict[str, list[list[int]]] = {}
        for i, rec in enumerate(records):
            for ent in rec["entities"]:
                name, typ = rec["text"][ent["start"] : ent["end"]], ent["type"]
                if typ in GAZETTEER_TYPES and 2 <= len(name) <= MAX_GAZETTEER_WORD:
                    per_type = self.tagged.setdefault(name, [[0] * FOLDS for _ in GAZETTEER_TYPES])
                    per_type[GAZETTEER_TYPES.index(typ)][fold_of(i)] += 1
        prefixes = {n[:k] for n in self.tagged for k in range(2, len(n))}
        self.occurs: dict[str, list[int]] = {n: [0] * FOLDS for n in self.tagged}
        for i, rec in enumerate(records):
            text, fold = rec["text"], fold_of(i)
            for a in range(len(text) - 1):
                for b in range(a + 2, min(len(text), a + MAX_GAZETTEER_WORD) + 1):
                    piece = text[a:b]
                    if piece in self.occurs:
                        self.occurs[piece][fold] += 1
                    if piece not in prefixes:
                        break

    def gazetteer(self, exclude: int | None = None) -> Gazetteer:
        """Names from every fold but ``exclude``."""
        folds = [f for f in range(FOLDS) if f != exclude]
        entries: dict[str, int] = {}
        for name, per_type in self.tagged.items():
            counts = [sum(row[f] for f in folds) for row in per_type]
            tagged = sum(counts)
            if not tagged or tagged < GAZETTEER_MIN_RATIO * sum(
                self.occurs[name][f] for f in folds
            ):
                continue
            entries[name] = sum(1 << k for k, c in enumerate(counts) if c)
        return Gazetteer(entries)


def featurize_all(
    vocab: Vocab,
    records: list[dict[str, Any]],
    cache: Path,
    gazetteers: list[Gazetteer | None],
    which: list[int],
) -> list[CharFeatures]:
    """Features for every record (record k uses ``gazetteers[which[k]]``), cached on disk
    (jieba over 2.4 M chars takes a minute)."""
    key = hashlib.sha256(json.dumps(vocab.to_json()).encode())
    key.update("".join(r["text"] for r in records).encode())
    for g in gazetteers:
        key.update(json.dumps(g.to_json() if g else None, ensure_ascii=False).encode())
    key.update(json.dumps(which).encode())
    path = cache / f"features-{key.hexdigest()[:16]}.pt"
    if path.exists():
        feats: list[CharFeatures] = [CharFeatures(*f) for f in torch.load(path)]
        return feats
    feats = [vocab.featurize(r["text"], gazetteers[w]) for r, w in zip(records, which, strict=True)]
    cache.mkdir(parents=True, exist_ok=True)
    torch.save([(f.chars, f.bigrams, f.words, f.lexicon) for f in feats], path)
    return feats


def batches(lengths: list[int], size: int, seed: int) -> list[list[int]]:
    """Shuffled batches of similar-length records (less padding), same order on resume."""
    rng = random.Random(seed)
    order = list(range(len(lengths)))
    rng.shuffle(order)
    out: list[list[int]] = []
    for i in range(0, len(order), size * 50):
        pool = sorted(order[i : i + size * 50], key=lambda k: lengths[k])
        out.extend(pool[j : j + size] for j in range(0, len(pool), size))
    rng.shuffle(out)
    return out


def predict_spans(
    model: ZhNerModel, feats: list[CharFeatures], domain: int, batch_size: int = 128
) -> list[set[tuple[int, int, str]]]:
    model.eval()  # type: ignore[no-untyped-call]
    order = sorted(range(len(feats)), key=lambda k: len(feats[k].chars))
    out: list[set[tuple[int, int, str]]] = [set() for _ in feats]
    with torch.inference_mode():
        for i in range(0, len(order), batch_size):
            idx = order[i : i + batch_size]
            b = collate([feats[k] for k in idx], [domain] * len(idx))
            mask = b.pop("attention_mask").bool()
            paths = model.viterbi(model.emissions(**b), mask)
            for k, path in zip(idx, paths, strict=True):
                out[k] = decode_bio([LABELS[t] for t in path])
    return out


def evaluate(
    model: ZhNerModel, dev: list[dict[str, Any]], feats: list[CharFeatures]
) -> dict[str, float]:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "score_ner", DATA.parents[1] / "tools" / "score_ner.py"
    )
    assert spec and spec.loader
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    preds = predict_spans(model, feats, domain=0)
    res = scorer.score_by_source(dev, preds)
    return {src: r["micro"]["f1"] for src, r in res.items()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="directory for the best model")
    ap.add_argument("--data", type=Path, default=DATA, help="folder with train/dev.jsonl")
    ap.add_argument("--state-dir", type=Path, default=Path("/tmp/zhaiyao-ner-train"))
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--decay", type=float, default=0.8, help="lr x decay^epoch")
    ap.add_argument("--average", type=int, default=3, help="also score the mean of the last N")
    ap.add_argument("--no-gazetteer", action="store_true", help="no training-set name features")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    ap.add_argument("--limit", type=int, default=0, help="train on the first N records (smoke)")
    ap.add_argument("--resume", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    train = load_records(args.data / "train.jsonl")
    if args.limit:
        train = train[: args.limit]
    dev = load_records(args.data / "dev.jsonl")
    vocab = build_vocab(train)
    t0 = time.time()
    gazetteer: Gazetteer | None = None
    if args.no_gazetteer:
        folds: list[Gazetteer | None] = [None]
        train_x = featurize_all(vocab, train, args.state_dir, folds, [0] * len(train))
    else:
        counts = GazetteerCounts(train)
        gazetteer = counts.gazetteer()
        folds = [counts.gazetteer(exclude=f) for f in range(FOLDS)]
        log.info("gazetteer: %d names (folds %s)", len(gazetteer), [len(g or ()) for g in folds])
        which = [fold_of(i) for i in range(len(train))]
        train_x = featurize_all(vocab, train, args.state_dir, list(folds), which)
    dev_x = featurize_all(vocab, dev, args.state_dir, [gazetteer], [0] * len(dev))
    log.info("features ready in %.0fs: %d train, %d dev", time.time() - t0, len(train), len(dev))
    train_y = [bio_labels(r) for r in train]
    train_d = [DOMAINS.index(r["source"]) for r in train]

    config = ZhNerConfig(
        char_vocab_size=len(vocab.chars),
        bigram_vocab_size=len(vocab.bigrams),
        gazetteer_bits=0 if gazetteer is None else GAZETTEER_BITS,
    )
    model = ZhNerModel(config)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    state_path = args.state_dir / "state.pt"
    start_epoch, best, history = 0, -1.0, []
    if args.resume and state_path.exists():
        state = torch.load(state_path, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["rng"])
        start_epoch, best, history = state["epoch"], state["best"], state["history"]
        log.info("resumed after epoch %d (best MSRA dev F1 %.2f)", start_epoch, best)

    lengths = [len(f.chars) for f in train_x]
    gen = random.Random(args.seed)
    for epoch in range(start_epoch, args.epochs):
        for group in opt.param_groups:
            group["lr"] = args.lr * args.decay**epoch
        model.train()
        t0, total = time.time(), 0.0
        gen.seed(args.seed * 1000 + epoch)
        for step, idx in enumerate(batches(lengths, args.batch_size, args.seed * 1000 + epoch)):
            feats = [_noised(train_x[k], gen) for k in idx]
            b = collate(feats, [train_d[k] for k in idx], [train_y[k] for k in idx])
            loss = model(**b)["loss"]
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            total += loss.item()
            if step % 200 == 0:
                log.info("epoch %d step %d loss %.3f", epoch + 1, step, total / (step + 1))
        minutes = round((time.time() - t0) / 60, 1)
        f1 = evaluate(model, dev, dev_x)
        args.state_dir.mkdir(parents=True, exist_ok=True)
        torch.save(model.state_dict(), args.state_dir / f"epoch-{epoch + 1}.pt")
        history.append({"epoch": epoch + 1, "minutes": minutes, **f1})
        candidates = [(f1["msra"], model.state_dict(), "raw")]
        last = [e for e in range(epoch + 2 - args.average, epoch + 2) if e >= 1]
        if len(last) > 1 and all((args.state_dir / f"epoch-{e}.pt").exists() for e in last):
            avg = ZhNerModel(config)
            avg.load_state_dict(average_states([args.state_dir / f"epoch-{e}.pt" for e in last]))
            avg_f1 = evaluate(avg, dev, dev_x)
            history[-1].update({f"avg_{k}": v for k, v in avg_f1.items()}, avg_of=last)
            candidates.append((avg_f1["msra"], avg.state_dict(), f"mean of epochs {last}"))
        log.info("epoch %d done: %s", epoch + 1, history[-1])
        score, weights, what = max(candidates, key=lambda c: c[0])
        if score > best:
            best = score
            shipped = ZhNerModel(config)
            shipped.load_state_dict(weights)
            history[-1]["shipped"] = what
            save(shipped, vocab, args.out, history, gazetteer)
        elif (args.out / "config.json").exists():
            (args.out / "training_log.json").write_text(json.dumps(history, indent=1))
        state = {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": epoch + 1,
                 "best": best, "history": history, "rng": torch.get_rng_state()}  # fmt: skip
        torch.save(state, state_path.with_suffix(".tmp"))
        state_path.with_suffix(".tmp").replace(state_path)
        (args.state_dir / "history.json").write_text(json.dumps(history, indent=1))


def _noised(f: CharFeatures, gen: random.Random) -> CharFeatures:
    """Randomly hide rare-feature ids behind UNK so the model learns to back off."""
    chars = [1 if gen.random() < 0.02 else c for c in f.chars]
    bigrams = [1 if gen.random() < 0.1 else b for b in f.bigrams]
    return CharFeatures(chars, bigrams, f.words, f.lexicon)


def average_states(paths: list[Path]) -> dict[str, torch.Tensor]:
    """Element-wise mean of saved state dicts."""
    states = [torch.load(p) for p in paths]
    return {k: sum(s[k] for s in states) / len(states) for k in states[0]}


def save(
    model: ZhNerModel,
    vocab: Vocab,
    out: Path,
    history: list[dict[str, Any]],
    gazetteer: Gazetteer | None,
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    export(out)  # lstm.onnx: what inference runs, without torch
    (out / "vocab.json").write_text(json.dumps(vocab.to_json(), ensure_ascii=False))
    gaz_path = out / "gazetteer.json"
    if gazetteer is not None:
        gaz_path.write_text(json.dumps(gazetteer.to_json(), ensure_ascii=False, indent=0))
    else:
        gaz_path.unlink(missing_ok=True)
    (out / "training_log.json").write_text(json.dumps(history, indent=1))


if __name__ == "__main__":
    main()
