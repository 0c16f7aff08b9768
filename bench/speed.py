"""Per-article cost of the whole NLP pipeline, stage by stage.

``analyze()`` (split, entities with the shipped NER model, keywords, summary, fingerprint)
on real ~2,000-character news articles (the news part of
``../shared/data/summarization/long_dev.jsonl``, cut or repeated to 2,000 characters),
after a warm-up that loads jieba and the model. Torch uses ``--threads`` intra-op
threads, default 1 like the NER tagger (on the 2-core machine the second core serves
another chat's article). Medians over all runs; wall clock and process CPU time.

    python bench/speed.py [--data FILE] [--threads 1] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch: no spinning threads
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

DATA = ROOT.parent / "shared" / "data" / "summarization" / "long_dev.jsonl"
ARTICLE_CHARS = 2000


def articles(path: Path) -> list[str]:
    texts: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record.get("length_class") != "long":
            continue
        text = record["text"]
        while len(text) < ARTICLE_CHARS:
            text = text + "\n" + record["text"]
        texts.append(text[:ARTICLE_CHARS])
    return texts


def timed(fn: Callable[[str], object], texts: list[str], runs: int) -> tuple[float, float]:
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(runs):
        for text in texts:
            w, c = time.perf_counter(), time.process_time()
            fn(text)
            walls.append((time.perf_counter() - w) * 1000)
            cpus.append((time.process_time() - c) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from summarizer import analyze, find_entities, summarize
    from summarizer.entities import load_ner
    from summarizer.fingerprint import minhash_signature
    from summarizer.model import Article
    from summarizer.sentences import split_sentences
    from summarizer.tokenize import load_jieba

    texts = articles(args.data)
    load_jieba()
    load_ner("model")
    for text in texts[:3]:  # warm-up
        analyze(Article(title="", text=text))

    stages: dict[str, Callable[[str], object]] = {
        "analyze (all stages, NER model)": lambda t: analyze(Article(title="", text=t)),
        "find_entities (NER model)": find_entities,
        "summarize (max_chars=200)": lambda t: summarize(t, max_chars=200),
        "split_sentences": split_sentences,
        "minhash_signature": minhash_signature,
    }
    print(
        f"{len(texts)} articles x {args.runs} runs, {ARTICLE_CHARS} chars, "
        f"torch threads {args.threads}\n"
    )
    print("| stage | median wall ms | median CPU ms |")
    print("|---|---|---|")
    for name, fn in stages.items():
        wall, cpu = timed(fn, texts, args.runs)
        print(f"| {name} | {wall:.1f} | {cpu:.1f} |")


if __name__ == "__main__":
    main()
