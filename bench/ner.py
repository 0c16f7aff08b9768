"""Benchmark ``find_entities`` backends on the shared NER dev file.

Scoring is the official scorer (``/work/shared/tools/score_ner.py``, imported by
path): entity-level exact match, micro P/R/F1 over PER/LOC/ORG, MSRA and CLUENER
records reported separately. Every backend goes through the same public path
(``backend.find(record_text)``, junk filtering included), so the anchors (jieba.posseg)
and the shipped model are measured in the same run. Speed: median wall time of
``find`` on a 2,000-character article made of consecutive MSRA dev records, one
thread per runtime (as ``NerTagger`` sets them: the model is too small to split one
article across cores). ``--engines`` runs the model through several runtimes and counts
the records each one tags differently from float torch.

    python bench/ner.py                       # -> bench/results/ner.md
    python bench/ner.py --backends model --engines onnx torch torch-int8
    python bench/ner.py --backends model --as-articles 10000 --batch-size 16 64

``--as-articles N`` also scores the records tagged the way articles are: consecutive
records of one source joined line by line into texts of about N characters, one
``find`` per text, each entity given back to its record. An article's chunks go through
the LSTM in batches whose int8 activations are quantized together, so this is where
``--batch-size`` (``summarizer.ner.infer.BATCH_SIZE``, rows per LSTM call) can matter.
"""

from __future__ import annotations

import argparse
import bisect
import os
import platform
import statistics
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

# Idle OpenMP threads spin by default; on a CPU shared with other jobs two spinning
# threads run ~10x slower than one. Must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

from bench.official import load_official  # noqa: E402
from summarizer.entities import BACKENDS, ModelBackend, NerBackend  # noqa: E402
from summarizer.ner import infer  # noqa: E402
from summarizer.ner.infer import ENGINES, packaged_model_path  # noqa: E402

DEV = Path("/work/shared/data/ner/dev.jsonl")
OUT = ROOT / "bench" / "results" / "ner.md"
ARTICLE_CHARS = 2000
SPEED_RUNS = 15


def official() -> ModuleType:
    return load_official("score_ner")


def article_from(records: list[dict[str, Any]]) -> str:
    """About 2,000 characters of consecutive MSRA dev records, a paragraph per 3 records."""
    lines: list[str] = []
    total = 0
    msra = [r["text"] for r in records if r["source"] == "msra"]
    for i in range(0, len(msra), 3):
        para = "".join(msra[i : i + 3])
        lines.append(para[: ARTICLE_CHARS - total])
        total += len(lines[-1]) + 1
        if total >= ARTICLE_CHARS:
            break
    return "\n".join(lines)


def as_articles(
    backend: NerBackend, records: list[dict[str, Any]], args: argparse.Namespace
) -> list[set[tuple[int, int, str]]]:
    """Each record's entities when tagged inside a text of about ``args.as_articles``
    characters of consecutive records of its source (one record per line)."""
    preds: list[set[tuple[int, int, str]]] = [set() for _ in records]
    group: list[int] = []

    def flush() -> None:
        starts, at = [], 0
        for i in group:
            starts.append(at)
            at += len(records[i]["text"]) + 1
        for e in backend.find("\n".join(records[i]["text"] for i in group)):
            k = bisect.bisect_right(starts, e.start) - 1
            preds[group[k]].add((e.start - starts[k], e.end - starts[k], e.type))
        group.clear()

    size = 0
    for i, record in enumerate(records):
        if group and (size >= args.as_articles or records[group[0]]["source"] != record["source"]):
            flush()
            size = 0
        group.append(i)
        size += len(record["text"]) + 1
    if group:
        flush()
    return preds


def speed_ms(backend: NerBackend, article: str) -> tuple[float, float]:
    """Median wall and CPU (this process, all threads) milliseconds per article."""
    backend.find(article)  # warm-up (lazy dictionaries, allocator)
    wall, cpu = [], []
    for _ in range(SPEED_RUNS):
        t0, c0 = time.perf_counter(), time.process_time()
        backend.find(article)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backends", nargs="+", default=["model", "jieba"], choices=sorted(BACKENDS))
    ap.add_argument("--model", default=None, help="model directory (default: the shipped one)")
    ap.add_argument("--engines", nargs="+", default=["onnx"], choices=ENGINES,
                    help="model backend runtimes (torch ones need zhaiyao[train])")  # fmt: skip
    ap.add_argument("--limit", type=int, default=0, help="score only the first N records")
    ap.add_argument(
        "--as-articles",
        type=int,
        default=0,
        metavar="CHARS",
        help="also score records tagged together in texts of about CHARS",
    )
    ap.add_argument("--batch-size", type=int, nargs="+", default=[infer.BATCH_SIZE],
                    help="with --as-articles: LSTM rows per call, each in turn")  # fmt: skip
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    scorer = official()
    records = scorer.load_jsonl(DEV)
    if args.limit:
        records = records[: args.limit]
    article = article_from(records)
    rows: list[str] = []
    runs = [(n, e) for n in args.backends for e in (args.engines if n == "model" else [""])]
    by_engine: dict[str, list[set[tuple[int, int, str]]]] = {}
    for name, engine in runs:
        if engine:
            backend: NerBackend = ModelBackend(args.model, engine=engine)
            label = f"{name} ({engine})"
        else:
            backend, label = BACKENDS[name](args.model if name != "jieba" else None), name
        t0 = time.perf_counter()
        preds = [{(e.start, e.end, e.type) for e in backend.find(r["text"])} for r in records]
        elapsed = time.perf_counter() - t0
        if engine:
            by_engine[engine] = preds
        res = scorer.score_by_source(records, preds)
        print(label, f"({elapsed:.0f}s)\n" + scorer.fmt(res), flush=True)
        if args.as_articles:
            shipped = infer.BATCH_SIZE
            for size in args.batch_size:
                infer.BATCH_SIZE = size
                together = scorer.score_by_source(records, as_articles(backend, records, args))
                print(f"{label}, records in ~{args.as_articles}-char texts, {size} rows per "
                      "LSTM call\n" + scorer.fmt(together), flush=True)  # fmt: skip
            infer.BATCH_SIZE = shipped  # the speed below is the shipped setting's
        cells = []
        for src in ("msra", "cluener"):
            r = res.get(src)
            if r is None:
                cells += ["–"] * 4
                continue
            m = r["micro"]
            cells += [f"{m['p']:.1f}", f"{m['r']:.1f}", f"**{m['f1']:.1f}**" if src == "msra"
                      else f"{m['f1']:.1f}"]  # fmt: skip
            cells.append(" / ".join(f"{r[t]['f1']:.1f}" for t in scorer.TYPES))
        wall, cpu = speed_ms(backend, article)
        size = "–"
        if name == "model":
            path = Path(args.model) if args.model else packaged_model_path()
            size = f"{(path / 'model.safetensors').stat().st_size / 1e6:.1f} MB"
        rows.append(f"| {label} | " + " | ".join(cells) + f" | {wall:.0f} | {cpu:.0f} | {size} |")
    write_report(args, rows, len(article), agreement(by_engine))


def agreement(by_engine: dict[str, list[set[tuple[int, int, str]]]]) -> str:
    """How many records each runtime tags differently from float torch (the reference)."""
    ref = by_engine.get("torch")
    if ref is None:
        return ""
    lines = [
        f"- {engine}: {sum(p != r for p, r in zip(preds, ref, strict=True))} of {len(ref)} "
        "records differ from torch (float)"
        for engine, preds in by_engine.items()
        if engine != "torch"
    ]
    head = "\nSame entities as the float torch model, record by record:\n\n"
    return head + "\n".join(lines) + "\n"


TRAIN_COMMAND = "python -m summarizer.ner.train --out summarizer/models/ner --epochs 12 --seed 0"


def learning_curve(model_dir: Path) -> str:
    """The training run's per-epoch dev F1 (raw tagger, no span cleaning), if logged."""
    log_path = model_dir / "training_log.json"
    if not log_path.exists():
        return ""
    import json

    def cell(e: dict[str, Any], key: str) -> str:
        return f"{e[key]:.2f}" if key in e else "–"

    rows = [
        f"| {e['epoch']} | {e['minutes']} | {e['msra']:.2f} | {e['cluener']:.2f} "
        f"| {cell(e, 'avg_msra')} | {cell(e, 'avg_cluener')} | {e.get('shipped', '')} |"
        for e in json.loads(log_path.read_text("utf-8"))
    ]
    return (
        f"\nTraining curve of the shipped model (`{TRAIN_COMMAND}`, one torch thread on "
        "the shared 2-core CPU; dev F1 of the raw tagger at the end of each epoch, and of "
        "the mean of the last 3 epochs' weights; the best of either is shipped):\n\n"
        "| epoch | minutes | MSRA dev F1 | CLUENER dev F1 | MSRA, mean of last 3 "
        "| CLUENER, mean of last 3 | saved |\n|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n"
    )


def write_report(
    args: argparse.Namespace, rows: list[str], article_chars: int, agreed: str
) -> None:
    cmd = "python bench/ner.py " + " ".join(sys.argv[1:])
    header = (
        "| backend | MSRA P | MSRA R | MSRA F1 | MSRA PER/LOC/ORG F1 "
        "| CLUENER P | CLUENER R | CLUENER F1 | CLUENER PER/LOC/ORG F1 "
        f"| wall ms / {article_chars}-char article | CPU ms | model file |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    text = (
        "# NER (`find_entities`) on the shared dev file\n\n"
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Machine: 2-core CPU "
        f"({platform.processor() or platform.machine()}), shared with other jobs; "
        "one thread per runtime.\n"
        f"Command: `{cmd.strip()}`\n\n"
        "Entity-level exact match (official `score_ner.py`), micro over PER/LOC/ORG; "
        "MSRA (newswire, the bar: F1 ≥ 92) and CLUENER (different guidelines) reported "
        "separately. Speed is the median of "
        f"{SPEED_RUNS} runs of `find` on one article of consecutive MSRA dev records, wall "
        "clock and CPU time of the process (all threads); on this shared machine the wall "
        "time mostly measures the other jobs, the CPU time is what the article costs.\n\n"
        + header
        + "\n".join(rows)
        + "\n"
        + agreed
        + learning_curve(Path(args.model) if args.model else packaged_model_path())
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
