"""Where the NER model goes wrong on the MSRA dev records, and whether a threshold helps.

Counts each gold entity the raw tagger misses by kind (``miss``: nothing predicted over
it, ``bound``: an overlapping prediction with other edges, ``type``: the right span with
another type) and each prediction that overlaps no gold entity (``spurious``), with
examples. Then sweeps a penalty on the ``O`` label's score (more, longer entities: trades
precision for recall) and scores each half of the records separately, so a penalty that
only helps one half shows as noise.

    python bench/ner_errors.py                    # the shipped model
    python bench/ner_errors.py --model DIR --bias 0 0.25 0.5
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.ner.infer import NerTagger  # noqa: E402

DEV = Path("/work/shared/data/ner/dev.jsonl")
TYPES = ("PER", "LOC", "ORG")
Spans = set[tuple[int, int, str]]


def gold(record: dict[str, Any]) -> Spans:
    return {(e["start"], e["end"], e["type"]) for e in record["entities"] if e["type"] in TYPES}


def tag(tagger: NerTagger, records: list[dict[str, Any]]) -> list[Spans]:
    tagged = tagger.tag([r["text"] for r in records])
    return [{(s.start, s.end, s.type) for s in spans} for spans in tagged]


def prf(records: list[dict[str, Any]], preds: list[Spans]) -> str:
    tp = fp = fn = 0
    for r, p in zip(records, preds, strict=True):
        g = gold(r)
        tp, fp, fn = tp + len(g & p), fp + len(p - g), fn + len(g - p)
    prec, rec = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return f"P {100 * prec:.2f} R {100 * rec:.2f} F1 {200 * prec * rec / max(prec + rec, 1e-9):.2f}"


def breakdown(records: list[dict[str, Any]], preds: list[Spans], examples: int) -> None:
    kinds: Counter[tuple[str, str]] = Counter()
    shown: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r, p in zip(records, preds, strict=True):
        g, text = gold(r), r["text"]
        for s, e, t in g - p:
            over = [x for x in p if x[0] < e and s < x[1]]
            kind = "miss" if not over else "type" if any(x[:2] == (s, e) for x in over) else "bound"
            kinds[kind, t] += 1
            got = ",".join(f"{text[a:b]}/{u}" for a, b, u in over)
            shown[kind, t].append(f"{text[s:e]} -> {got or '-'}  ‹{text[max(0, s - 8) : e + 8]}›")
        for s, e, t in p - g:
            if not any(x[0] < e and s < x[1] for x in g):
                kinds["spurious", t] += 1
                shown["spurious", t].append(f"{text[s:e]}  ‹{text[max(0, s - 8) : e + 8]}›")
    for (kind, t), n in kinds.most_common():
        print(f"{kind:9} {t}  {n}")
        for line in shown[kind, t][:examples]:
            print("           ", line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=None, help="model directory (default: shipped)")
    ap.add_argument("--bias", type=float, nargs="*", default=[0.0, 0.5, 1.0])
    ap.add_argument("--examples", type=int, default=5)
    args = ap.parse_args()
    records = [json.loads(line) for line in DEV.open(encoding="utf-8")]
    records = [r for r in records if r["source"] == "msra"]
    tagger = NerTagger(args.model)
    breakdown(records, tag(tagger, records), args.examples)

    o_label, emissions, penalty = tagger.labels.index("O"), tagger.model.emissions, [0.0]

    def penalised(**batch: Any) -> Any:
        scores = emissions(**batch).clone()
        scores[..., o_label] -= penalty[0]
        return scores

    tagger.model.emissions = penalised  # type: ignore[method-assign,assignment]
    half = len(records) // 2
    for b in args.bias:
        penalty[0] = b
        parts = [records[:half], records[half:]]
        scores = [prf(part, tag(tagger, part)) for part in parts]
        print(f"O penalty {b:.2f}: first half {scores[0]} | second half {scores[1]}", flush=True)


if __name__ == "__main__":
    main()
