"""Does a digest put reports of one event together, and only those?

Each trial stores ``EVENTS`` dev events × ``PER_EVENT`` articles plus ``SINGLES``
articles of other stories in a fresh store, through the real pipeline (``analyze``,
``ArticleRepository.save``), shares them all with one chat and composes its digest
(``DigestService.compose_for``, room for every story). Article pairs are scored against
the event labels of ``../shared/data/related``: precision = pairs in one digest entry
that are one event / pairs in one entry; recall = pairs of one event that share an entry.

    python bench/digest_clusters.py --data ../shared/data/related [--trials 10] [--seed 0]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import random
import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.digests.delivery import DigestService
from bot.digests.runtime import one_sentence
from storage import connect
from storage.articles import ArticleRepository
from storage.subscriptions import DigestLog, SubscriptionRepository, utcnow
from summarizer.analyze import analyze
from summarizer.model import Article

EVENTS = 6
PER_EVENT = 3
SINGLES = 6
CHAT = -1001


def load(data: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted(data.glob("docs-*.jsonl.gz"))
        for line in gzip.open(path, "rt", encoding="utf-8")
    ]


def sample(docs: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    by_event: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    by_story: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in docs:
        by_story[d["story"]].append(d)
        if d.get("event"):
            by_event[(d["story"], d["event"])].append(d)
    events = sorted(k for k, v in by_event.items() if len(v) >= PER_EVENT)
    picked: list[dict[str, Any]] = []
    stories: set[str] = set()
    for key in rng.sample(events, len(events)):
        if key[0] not in stories:
            stories.add(key[0])
            picked.extend(rng.sample(by_event[key], PER_EVENT))
        if len(stories) == EVENTS:
            break
    others = sorted(s for s in by_story if s not in stories)
    picked.extend(rng.choice(by_story[s]) for s in rng.sample(others, SINGLES))
    rng.shuffle(picked)
    return picked


async def one_trial(picked: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(pairs together and one event, pairs together, pairs of one event)."""
    with tempfile.TemporaryDirectory(prefix="zhaiyao-digest-") as tmp:
        db = await connect(Path(tmp) / "digest.db")
        try:
            articles = ArticleRepository(db)
            subs = SubscriptionRepository(db)
            start = utcnow() - timedelta(hours=24)
            await subs.ensure(CHAT, "group", title="bench")
            await subs.update_settings(CHAT, stories=len(picked))
            await subs.mark_digest_done(CHAT, start)
            family_of: dict[int, int] = {}
            label: dict[int, str] = {}
            for i, d in enumerate(picked):
                date = datetime.fromisoformat(d["date"]).replace(tzinfo=UTC) if d["date"] else None
                article = Article(
                    title=d["title"] or "", text=d["text"], source=d["source"], published_at=date
                )
                saved = await articles.save(analyze(article))
                family_of[saved.article_id] = saved.duplicate_of or saved.article_id
                label[saved.article_id] = f"{d['story']}/{d['event'] or d['id']}"
                await subs.record_story(CHAT, saved.article_id, at=start + timedelta(minutes=i + 1))

            service = DigestService(subs, DigestLog(db), articles, one_sentence)
            composed = await service.compose_for(await subs.get(CHAT), utcnow())
        finally:
            await db.close()
    entry_of: dict[int, int] = {}
    for n, entry in enumerate(composed.entries):
        for story in (entry.lead, *entry.related):
            entry_of[story.family] = n
    together = hit = same = 0
    for a, b in combinations(sorted(label), 2):
        joined = entry_of[family_of[a]] == entry_of[family_of[b]]
        one_event = label[a] == label[b]
        together += joined
        same += one_event
        hit += joined and one_event
    return hit, together, same


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    docs = load(args.data)
    rng = random.Random(args.seed)
    hit = together = same = 0
    for _ in range(args.trials):
        h, t, s = asyncio.run(one_trial(sample(docs, rng)))
        hit, together, same = hit + h, together + t, same + s
    precision = hit / together if together else 1.0
    recall = hit / same if same else 0.0
    print(
        f"| digest clusters ({args.trials} trials of {EVENTS} events × {PER_EVENT} articles"
        f" + {SINGLES} others) | pair precision | pair recall |\n|---|---|---|\n"
        f"| zhaiyao digest | {precision:.3f} | {recall:.3f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
