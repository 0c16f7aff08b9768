"""Does ``extract_article`` give the same output in two checkouts? Dump it, then diff.

Every field ``extract_article`` returns (or the error class and message it raises) for
every page of the extraction sets, called as the benches call it (page bytes and the
case's URL) and once more without the URL, one JSON line per call:

    python bench/extract_same.py --tree /tmp/main > before.jsonl   # another checkout
    python bench/extract_same.py > after.jsonl                      # this one
    diff before.jsonl after.jsonl && echo identical

``--tree`` imports ``summarizer`` from that checkout instead of this one. The default
folders are ``../shared/data/extraction/dev`` and ``dev2`` (all languages).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "extraction"
warnings.filterwarnings("ignore")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, default=ROOT, help="checkout to import from")
    parser.add_argument("folders", nargs="*", type=Path, default=[DATA / "dev", DATA / "dev2"])
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree.resolve()))
    from summarizer import extract_article

    for folder in args.folders:
        for meta_path in sorted(folder.glob("*.json")):
            html = meta_path.with_suffix(".html").read_bytes()
            url = json.loads(meta_path.read_text("utf-8")).get("url")
            for given in dict.fromkeys((url, None)):
                try:
                    a = extract_article(html, given)
                    out: dict[str, object] = {
                        "title": a.title,
                        "text": a.text,
                        "url": a.url,
                        "source": a.source,
                        "author": a.author,
                        "published_at": a.published_at.isoformat() if a.published_at else None,
                        "tz": str(a.published_at.tzinfo) if a.published_at else None,
                        "lang": a.lang,
                    }
                except Exception as exc:  # the error is part of the output
                    out = {"error": type(exc).__name__, "message": str(exc)}
                line = {"page": f"{folder.name}/{meta_path.stem}", "url": given, **out}
                print(json.dumps(line, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
