"""Per-article cost of the whole NLP pipeline, stage by stage.

``analyze()`` (split, entities with the shipped NER model, keywords, summary, fingerprint)
on real ~2,000-character news articles (the news part of
``../shared/data/summarization/long_dev.jsonl``, cut or repeated to 2,000 characters),
after a warm-up that loads jieba and the model. Torch uses ``--threads`` intra-op
threads, default 1 like the NER tagger (on the 2-core machine the second core serves
another chat's article). Medians over all runs; wall clock and process CPU time.

    python bench/speed.py [--data FILE] [--runs 3]
    python bench/speed.py --pages ../shared/data/extraction/dev   # per-page cost

``--pages``: the CPU cost of ``extract_article`` + ``analyze`` per Chinese page of an
extraction set (median and p90 over pages, each the best of ``--runs``), with each
stage's share: what a user's link costs after the download. It uses only the public
API, so a copy of this file placed in another checkout's ``bench/`` measures that one
(``bench/install.py --pages`` does that for two trees in one run, reading the
``--per-page`` lines: stage, page id and CPU ms, tab-separated).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

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
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=Path, help="extraction cases: per-page cost instead")
    parser.add_argument(
        "--per-page", action="store_true", help="with --pages: STAGE<TAB>PAGE<TAB>MS lines"
    )
    args = parser.parse_args()
    if args.pages:
        page_costs(args.pages, args.runs, per_page=args.per_page)
        return
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
    print(f"{len(texts)} articles x {args.runs} runs, {ARTICLE_CHARS} chars, one thread\n")
    print("| stage | median wall ms | median CPU ms |")
    print("|---|---|---|")
    for name, fn in stages.items():
        wall, cpu = timed(fn, texts, args.runs)
        print(f"| {name} | {wall:.1f} | {cpu:.1f} |")


def _cpu_ms(fn: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        c = time.process_time()
        fn()
        best = min(best, (time.process_time() - c) * 1000)
    return best


def _page_stages(html: bytes, url: str | None) -> dict[str, Callable[[], object]]:
    from summarizer import analyze, extract_article
    from summarizer.entities import find_entities
    from summarizer.fingerprint import minhash_signature
    from summarizer.keywords import extract_keywords
    from summarizer.sentences import split_sentences
    from summarizer.summarize import summarize

    article = extract_article(html, url)
    text = article.text
    return {
        "extract_article + analyze": lambda: analyze(extract_article(html, url)),
        "extract_article": lambda: extract_article(html, url),
        "analyze": lambda: analyze(article),
        "find_entities": lambda: find_entities(text),
        "extract_keywords": lambda: extract_keywords(text, title=article.title),
        "summarize": lambda: summarize(text, max_chars=200),
        "split_sentences": lambda: split_sentences(text),
        "minhash_signature": lambda: minhash_signature(text),
    }


def page_costs(folder: Path, runs: int, *, per_page: bool = False) -> None:
    """CPU ms per Chinese page: extract_article + analyze, and each stage alone."""
    from summarizer import analyze, extract_article

    cases = []
    for meta_path in sorted(folder.glob("*.json")):
        meta = json.loads(meta_path.read_text("utf-8"))
        if meta.get("lang") == "zh":
            cases.append(
                (meta_path.with_suffix(".html").read_bytes(), meta.get("url"), meta_path.stem)
            )
    analyze(extract_article(*cases[0][:2]))  # warm-up: jieba, IDF, model (any version)
    rows: dict[str, list[float]] = {}
    chars = [len(extract_article(html, url).text) for html, url, _ in cases]
    for html, url, page in cases:
        for name, fn in _page_stages(html, url).items():
            rows.setdefault(name, []).append(_cpu_ms(fn, runs))
            if per_page:
                print(f"{name}\t{page}\t{rows[name][-1]:.2f}", flush=True)
    print(
        f"{len(cases)} Chinese pages of {folder}, body {statistics.median(chars)} chars median, "
        f"{max(chars)} max; CPU ms per page (best of {runs} runs), one thread\n"
    )
    print("| stage | median | p90 | max |\n|---|---|---|---|")
    for name, costs in rows.items():
        p90 = statistics.quantiles(costs, n=10)[-1]
        print(f"| {name} | {statistics.median(costs):.1f} | {p90:.1f} | {max(costs):.1f} |")


if __name__ == "__main__":
    main()
