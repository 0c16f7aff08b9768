"""Everything ``analyze`` says about a set of pages, as JSON: to show that a speed-up
changed no output (run it in two trees and compare the files byte for byte).

    python bench/dump_analysis.py --pages ../shared/data/extraction/dev --out after.json \
        [--ner ../shared/data/ner/dev.jsonl]

For each Chinese page (``lang`` = zh): the extracted text, the entities with their
offsets, keywords, summary and sentences (spans), the MinHash fingerprint and the index
terms; with ``--ner``, ``find_entities`` of every record of that file too. It uses only
the public API and puts its own tree first on the path, so a copy in another checkout's
``bench/`` dumps that one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=Path, required=True, help="extraction set (*.html + *.json)")
    ap.add_argument("--ner", type=Path, help="JSON lines with a text field per record")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    from summarizer import analyze, extract_article, find_entities

    pages: dict[str, object] = {}
    for meta_path in sorted(args.pages.glob("*.json")):
        meta = json.loads(meta_path.read_text("utf-8"))
        if meta.get("lang") != "zh":
            continue
        html = meta_path.with_suffix(".html").read_bytes()
        found = analyze(extract_article(html, meta.get("url")))
        pages[meta_path.stem] = {
            "text": found.article.text,
            "entities": [[e.text, e.type, e.start, e.end] for e in found.entities],
            "keywords": list(found.keywords),
            "summary": [[s.text, s.start, s.end, s.paragraph] for s in found.summary],
            "sentences": [[s.text, s.start, s.end, s.paragraph] for s in found.sentences],
            "fingerprint": list(found.fingerprint),
            "index_terms": [found.index_terms.title, found.index_terms.body],
        }
    records = []
    if args.ner:
        for line in args.ner.read_text("utf-8").splitlines():
            text = json.loads(line)["text"]
            records.append([[e.text, e.type, e.start, e.end] for e in find_entities(text)])
    dump = {"pages": pages, "ner_records": records}
    args.out.write_text(json.dumps(dump, ensure_ascii=False, indent=0, sort_keys=True), "utf-8")
    print(f"{len(pages)} pages, {len(records)} NER records -> {args.out}")


if __name__ == "__main__":
    main()
