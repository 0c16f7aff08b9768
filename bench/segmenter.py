"""rjieba against jieba on every distinct run jieba segments in a corpus.

    python bench/segmenter.py --data ../shared/data

Collects the runs jieba segments one at a time (``jieba.re_han_default``) from the NER
records (``ner/*.jsonl``) and summarization articles (``summarization/*.jsonl``), and
segments each distinct run with jieba's own code and with ``rjieba.cut`` (HMM on both).
Runs of Chinese characters, Latin letters and digits are the ones
``summarizer.tokenize`` hands to rjieba; runs with jieba's symbols (``+#&._%-``) are
counted too, to show why they are not.
Prints the counts, the differing runs (a few) and each side's CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path

NATIVE = re.compile("[\u4e00-\u9fd5a-zA-Z0-9]+")


def texts(data: Path) -> Iterator[str]:
    for path in sorted((data / "ner").glob("*.jsonl")) + sorted(
        (data / "summarization").glob("*.jsonl")
    ):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                for key in ("text", "body", "article", "content"):
                    if isinstance(record.get(key), str):
                        yield record[key]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = ap.parse_args()
    import jieba
    import rjieba

    jieba.setLogLevel(logging.WARNING)
    plain = jieba.Tokenizer()
    plain.initialize()
    runs: set[str] = set()
    for text in texts(args.data):
        runs.update(r for r in jieba.re_han_default.split(text) if jieba.re_han_default.match(r))
    counts = {"without symbols": [0, 0], "with symbols": [0, 0]}
    cpu = [0.0, 0.0]
    shown = 0
    for run in sorted(runs):
        c = time.process_time()
        ours = plain.lcut(run)
        cpu[0] += time.process_time() - c
        c = time.process_time()
        theirs = rjieba.cut(run, True)
        cpu[1] += time.process_time() - c
        kind = "without symbols" if NATIVE.fullmatch(run) else "with symbols"
        counts[kind][0] += 1
        if ours != theirs:
            counts[kind][1] += 1
            if kind == "without symbols" or shown < 3:
                shown += 1
                print(f"differs ({kind}): {run[:60]!r}: jieba {ours[:8]} rjieba {theirs[:8]}")
    for kind, (n, differ) in counts.items():
        print(f"{kind} runs: {n:,} distinct, {differ:,} segmented differently")
    print(f"CPU seconds: jieba {cpu[0]:.1f}, rjieba {cpu[1]:.1f}")


if __name__ == "__main__":
    main()
