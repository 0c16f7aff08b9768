"""Readable examples of ``summarize`` at the benchmark's budgets, for a human to judge.

For a fixed, seeded sample of dev articles per part it prints the budget, each piece
of our summary (``[whole]`` sentence or ``[clause]`` prefix that fills the rest of the
budget), the harness's Lead-by-budget (cut mid-sentence) and the reference, and
counts over every dev article how often a clause prefix was used.

    python bench/summary_examples.py            # -> bench/results/summary_examples.md
"""

from __future__ import annotations

import random
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.summarize import all_records, budgets, official  # noqa: E402
from summarizer.sentences import split_sentences  # noqa: E402
from summarizer.summarize import summarize  # noqa: E402

OUT = ROOT / "bench" / "results" / "summary_examples.md"
PER_PART = {"long": 8, "short": 6, "long-report": 3}


def pieces(text: str, out: list[str]) -> list[str]:
    ends = {s.end for s in split_sentences(text)}
    marked = []
    for piece in out:
        end = text.find(piece) + len(piece)
        marked.append(f"[{'whole' if end in ends else 'clause'}] {piece}")
    return marked


def ours(ss: ModuleType, rec: dict[str, Any]) -> list[str]:
    return summarize(rec["text"], max_chars=budgets(ss, rec)[1], title=rec.get("title"))


def main() -> int:
    ss = official()
    lead = ss.make_lead(None)
    recs = all_records()
    by_part: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in recs:
        by_part[rec["length_class"]].append(rec)
    lines = [
        "## Summary examples (`python bench/summary_examples.py`, 2026-12-06)",
        "",
        "Budget = the reference's characters, as in `bench/summarize.py`. `[clause]` marks a",
        "clean clause prefix (ends before a comma/semicolon; see `summarizer/summarizers/"
        "clauses.py`) used to fill the characters a whole sentence would overrun.",
    ]
    for part, n in PER_PART.items():
        used = sum(
            any(p.startswith("[clause]") for p in pieces(r["text"], ours(ss, r)))
            for r in by_part[part]
        )
        lines += [
            "",
            f"### {part}: {used} of {len(by_part[part])} summaries use a clause prefix",
            "",
        ]
        for rec in random.Random(3).sample(by_part[part], n):
            btok, bchars = budgets(ss, rec)
            out = ours(ss, rec)
            lead_text = ss.apply_budget(ss.as_ranked(lead(rec["text"]), rec["text"]), "chars", btok)
            lines += [f"**{rec['id']}** — budget {bchars} chars, ours {sum(map(len, out))}", ""]
            lines += [f"* ours {p}" for p in pieces(rec["text"], out)]
            lines += [f"* Lead-budget: {lead_text}", f"* reference: {rec['summary']}", ""]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
