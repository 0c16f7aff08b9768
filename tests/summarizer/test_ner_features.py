"""NER features: dictionary scans and the gazetteer (the network: test_entities_runtime)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.ner import features
from summarizer.ner.features import (
    GAZETTEER_TYPES,
    LEXICON_BITS,
    Gazetteer,
    lexicon_features,
)

NAMES = {"上海": 2, "上海市委": 4, "李强": 1, "海市": 2, "云南省委书记处": 4}


def _plain_scan(text: str, table: dict[str, int], max_len: int, n_classes: int) -> list[int]:
    """The reference: try every substring of 2..max_len characters."""
    masks = [0] * len(text)
    for i in range(len(text)):
        for j in range(i + 2, min(len(text), i + max_len) + 1):
            cls = table.get(text[i:j], 0)
            for k in range(n_classes):
                if cls >> k & 1:
                    masks[i] |= 1 << 3 * k
                    for m in range(i + 1, j - 1):
                        masks[m] |= 2 << 3 * k
                    masks[j - 1] |= 4 << 3 * k
    return masks


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="上海市委李强云南省书记处的。", max_size=60))
def test_gazetteer_scan_matches_the_plain_scan(text: str) -> None:
    got = Gazetteer(dict(NAMES)).add_to(text, [0] * len(text))
    want = _plain_scan(text, NAMES, features.MAX_GAZETTEER_WORD, len(GAZETTEER_TYPES))
    assert got == [w << LEXICON_BITS for w in want]


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet="中华人民共和国国务院总理李克强在北京上海会见。", max_size=60))
def test_lexicon_scan_matches_the_plain_scan(text: str) -> None:
    _, tags = features.load_lexicon()
    sizes = range(2, features.MAX_LEXICON_WORD + 1)
    lexicon = {w: features._lexicon_classes(t) for w, t in tags.items() if len(w) in sizes}
    want = _plain_scan(text, lexicon, features.MAX_LEXICON_WORD, len(features.LEXICON_CLASSES))
    assert lexicon_features(text) == want


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="上海市委李强云南省书记处的在会见了，。A1 \n", max_size=30)))
def test_texts_featurized_together_get_their_own_features(texts: list[str]) -> None:
    vocab = features.Vocab(
        ["<pad>", "<unk>", *"上海市委李强云南省的"], ["<pad>", "<unk>", "上海", "李强", "强</s>"]
    )
    gazetteer = Gazetteer(dict(NAMES))
    want = [vocab.featurize(t, gazetteer) for t in texts]
    assert vocab.featurize_many(texts, gazetteer) == want


def test_gazetteer_bits_sit_above_the_lexicon_bits() -> None:
    text = "上海市委李强"
    masks = Gazetteer(dict(NAMES)).add_to(text, lexicon_features(text))
    org_begin = 1 << (LEXICON_BITS + 3 * GAZETTEER_TYPES.index("ORG"))
    per_end = 4 << (LEXICON_BITS + 3 * GAZETTEER_TYPES.index("PER"))
    assert masks[0] & org_begin and masks[5] & per_end
    assert lexicon_features(text) == [m & ((1 << LEXICON_BITS) - 1) for m in masks]


def test_gazetteer_json_round_trip_and_type_check() -> None:
    gaz = Gazetteer(dict(NAMES))
    shipped = gaz.to_json()
    loaded = Gazetteer.from_json(json.loads(json.dumps(shipped)))
    text = "上海市委李强会见云南省委书记"
    assert loaded.add_to(text, [0] * len(text)) == gaz.add_to(text, [0] * len(text))
    assert len(loaded) == len(NAMES) and all(name in loaded for name in NAMES)
    assert "李小强" not in loaded
    # only keys are shipped: no name of the training annotations is readable in the file
    assert not any(name in json.dumps(shipped, ensure_ascii=False) for name in NAMES)
    with pytest.raises(ValueError):
        Gazetteer.from_json({**shipped, "types": ["PER"]})
    with pytest.raises(ValueError):
        Gazetteer.from_json({**shipped, "key": "crc32"})


def _record(i: int, text: str, ents: list[tuple[int, int, str]]) -> dict[str, Any]:
    spans = [{"start": s, "end": e, "type": t} for s, e, t in ents]
    return {"id": f"msra-{i}", "source": "msra", "text": text, "entities": spans}


def test_fold_gazetteers_leave_out_their_own_fold() -> None:
    pytest.importorskip("torch", reason="training needs torch: pip install -e '.[train]'")
    from summarizer.ner import train

    block = train.FOLD_BLOCK
    records = [_record(i, "今天天气很好。", []) for i in range(train.FOLDS * block)]
    records[0] = _record(0, "王小明在上海。", [(0, 3, "PER"), (4, 6, "LOC")])
    records[block] = _record(block, "张三在上海。", [(0, 2, "PER"), (3, 5, "LOC")])
    for i in range(2 * block, 2 * block + 30):  # fold 2 says 上海 30 times, untagged
        records[i] = _record(i, "上海的天气。", [])
    counts = train.GazetteerCounts(records)
    assert counts.occurs["上海"] == [1, 1, 30, 0, 0]
    full = counts.gazetteer().entries
    assert full["王小明"] == 1 << GAZETTEER_TYPES.index("PER")
    assert "上海" not in full  # tagged in 2 of 32 places: below the ratio
    assert "王小明" not in counts.gazetteer(exclude=0).entries  # only fold 0 tags it
    assert counts.gazetteer(exclude=2).entries["上海"] == 1 << GAZETTEER_TYPES.index("LOC")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="上海市委李强云南省书记处的。", max_size=30), max_size=5))
def test_a_gazetteer_answers_alike_from_its_memory(texts: list[str]) -> None:
    """The remembered answers (kept across calls, dropped when too many) change nothing."""
    gaz = Gazetteer(dict(NAMES))
    for text in [*texts, *texts]:
        want = _plain_scan(text, NAMES, features.MAX_GAZETTEER_WORD, len(GAZETTEER_TYPES))
        assert gaz.add_to(text, [0] * len(text)) == [w << LEXICON_BITS for w in want]


def test_the_gazetteer_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(features, "GAZETTEER_MEMO", 5)
    gaz = Gazetteer(dict(NAMES))
    text = "上海市委书记李强在云南省委书记处"
    want = _plain_scan(text, NAMES, features.MAX_GAZETTEER_WORD, len(GAZETTEER_TYPES))
    for _ in range(3):
        assert gaz.add_to(text, [0] * len(text)) == [w << LEXICON_BITS for w in want]
        assert len(gaz._seen) <= len(text) * features.MAX_GAZETTEER_WORD
    gaz.add_to("李强", [0, 0])
    assert len(gaz._seen) <= 5 + features.MAX_GAZETTEER_WORD * len("李强")
