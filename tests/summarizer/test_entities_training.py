"""The training script: runs, resumes, and writes a directory NerTagger loads (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="training needs torch: pip install -e '.[train]'")

from summarizer.ner import train
from summarizer.ner.infer import NerTagger

SCORER = train.DATA.parents[1] / "tools" / "score_ner.py"
SENTENCES = [
    ("李强在上海会见了陈豪。", [(0, 2, "PER"), (3, 5, "LOC"), (8, 10, "PER")]),
    ("国务院在北京召开会议。", [(0, 3, "ORG"), (4, 6, "LOC")]),
    ("云南省委书记陈豪出席。", [(0, 4, "ORG"), (6, 8, "PER")]),
]


def _write(path: Path, source: str, n: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            text, ents = SENTENCES[i % len(SENTENCES)]
            spans = [{"start": s, "end": e, "type": t, "text": text[s:e]} for s, e, t in ents]
            rec = {"id": f"{source}-{i}", "source": source, "text": text, "entities": spans}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


@pytest.mark.slow
@pytest.mark.skipif(not SCORER.exists(), reason="needs the shared scorer")
def test_train_resume_and_load(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _write(data / "train.jsonl", "msra", 60)
    _write(data / "dev.jsonl", "msra", 6)
    out, state = tmp_path / "model", tmp_path / "state"
    common = ["--out", str(out), "--data", str(data), "--state-dir", str(state), "--seed", "0"]
    train.main([*common, "--epochs", "1"])
    train.main([*common, "--epochs", "2", "--resume"])
    history = json.loads((state / "history.json").read_text("utf-8"))
    assert [h["epoch"] for h in history] == [1, 2]
    tagger = NerTagger(out)
    assert len(tagger.tag(["李强在上海。"])) == 1
