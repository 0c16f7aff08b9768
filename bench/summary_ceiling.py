"""How far a summarizer that never cuts a sentence can get above Lead-by-budget.

For every dev article, the best set of whole candidates (up to ``MAX_SET`` of the
first ``POOL``, at most ``max_chars`` together) is found by exhaustive search with the
reference in hand, maximising ROUGE-1; then it, Lead-by-budget (which cuts its last
sentence to the budget), Lead filled with whole sentences, and ``summarize`` are
scored with the official scorer. It prints, per part, the ceiling, how many
articles even the ceiling loses to Lead-by-budget, and the mean gain over Lead that
a bootstrap interval excluding 0 would need (1.96 × the standard error of
ours − Lead, taken from this run).

    python bench/summary_ceiling.py [--parts long long-report short]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.summarize import all_records, budgets, official, ours_filled_lead  # noqa: E402
from summarizer.summarize import summarize  # noqa: E402
from summarizer.summarizers import prepare  # noqa: E402
from summarizer.tokenize import load_jieba  # noqa: E402

POOL = 16
MAX_SET = 6
SYSTEMS = ("ceiling", "Lead-budget", "lead filled", "ours")


def best_whole_sentences(ss: ModuleType, rec: dict[str, Any], btok: int, bchars: int) -> str:
    """The subset of whole candidates with the best ROUGE-1 F1 against the reference,
    within ``max_chars``; when no candidate is that short, the best single one (the
    only case in which ``selection`` exceeds the budget; the harness then cuts it)."""
    cands = [s.text for s in prepare(rec["text"], title=rec.get("title")).candidates][:POOL]
    toks = [ss.rouge_tokens(c) for c in cands]
    ref = Counter(ss.rouge_tokens(rec["summary"]))
    ref_n = sum(ref.values())
    best, best_f = "", -1.0
    fits = any(len(c) <= bchars for c in cands)
    for k in range(1, MAX_SET + 1 if fits else 2):
        for combo in combinations(range(len(cands)), k):
            if fits and sum(len(cands[i]) for i in combo) > bchars:
                continue
            hyp = [t for i in combo for t in toks[i]][:btok]
            overlap = sum((Counter(hyp) & ref).values())
            f = 2 * overlap / (len(hyp) + ref_n) if hyp else 0.0
            if f > best_f:
                best, best_f = "".join(cands[i] for i in combo), f
    return str(best)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--parts", nargs="+", default=["long", "long-report", "short"])
    args = ap.parse_args(argv)
    ss = official()
    scorer = ss.RougeScorer()
    load_jieba()
    lead = ss.make_lead(None)
    for part in args.parts:
        recs = [r for r in all_records() if r["length_class"] == part]
        rows: dict[str, list[dict[str, float]]] = {k: [] for k in SYSTEMS}
        for rec in recs:
            btok, bchars = budgets(ss, rec)
            outputs = {
                "ceiling": best_whole_sentences(ss, rec, btok, bchars),
                "Lead-budget": ss.apply_budget(ss.as_ranked(lead(rec["text"])), "chars", btok),
                "lead filled": ours_filled_lead(rec, bchars),
                "ours": "".join(summarize(rec["text"], max_chars=bchars, title=rec.get("title"))),
            }
            for name, text in outputs.items():
                rows[name].append(scorer(ss.truncate_to_tokens(text, btok), rec["summary"]))
        print(f"### {part} (n={len(recs)})")
        for name, scores in rows.items():
            figures = " / ".join(
                f"{100 * statistics.fmean(s[m] for s in scores):.1f}" for m in ("r1", "r2", "rl")
            )
            print(f"{name:12s} R-1 / R-2 / R-L  {figures}")
        lead_r1 = [s["r1"] for s in rows["Lead-budget"]]
        lose = sum(c["r1"] < b for c, b in zip(rows["ceiling"], lead_r1, strict=True))
        diff = 100 * np.array([o["r1"] - b for o, b in zip(rows["ours"], lead_r1, strict=True)])
        needed = 1.96 * diff.std(ddof=1) / np.sqrt(len(diff))
        print(f"articles where the ceiling's R-1 is below Lead-budget's: {lose} of {len(recs)}")
        print(f"R-1 gain over Lead-budget needed for a 95 % interval above 0: ≈ {needed:.1f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
