from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from summarizer.fingerprint import (
    BANDS,
    NUM_PERM,
    band_keys,
    jaccard,
    jaccard_estimate,
    minhash_signature,
    normalise,
    shingles,
)

TEXT = (
    "新华社北京7月16日电 国家统计局今天发布数据，上半年国内生产总值同比增长百分之十二点七。"
    "其中二季度增长百分之七点九，经济运行稳中加固、稳中向好。"
)


def test_normalise_folds_width_case_and_punctuation() -> None:
    assert normalise("ＡＢＣ，１２３。 Hello World！") == "abc123helloworld"
    assert normalise("“会议”——很成功……") == "会议很成功"


def test_signature_is_deterministic_and_sized() -> None:
    sig = minhash_signature(TEXT)
    assert len(sig) == NUM_PERM and sig == minhash_signature(TEXT)
    assert all(0 <= v < 2**32 for v in sig)


def test_width_and_punctuation_changes_do_not_change_signature() -> None:
    folded = TEXT.replace("，", ",").replace("7", "７")
    assert minhash_signature(folded) == minhash_signature(TEXT)


def test_estimate_tracks_exact_jaccard() -> None:
    edited = "来源：某某网 " + TEXT[:-10] + "责任编辑：张三"
    exact = jaccard(shingles(TEXT), shingles(edited))
    estimate = jaccard_estimate(minhash_signature(TEXT), minhash_signature(edited))
    assert abs(exact - estimate) < 0.15
    unrelated = "神舟十三号载人飞船在酒泉卫星发射中心成功发射，三名航天员进入中国空间站。"
    assert jaccard_estimate(minhash_signature(TEXT), minhash_signature(unrelated)) < 0.1


def test_band_keys_shared_by_near_copies_only() -> None:
    keys = band_keys(minhash_signature(TEXT))
    assert len(keys) == BANDS and len({k >> 32 for k in keys}) == BANDS
    assert all(0 <= k < 2**63 for k in keys)
    near = band_keys(minhash_signature(TEXT + "（完）"))
    assert set(keys) & set(near)
    other = band_keys(minhash_signature("完全不同的一段文字，讲的是体育比赛的结果和球员的表现。"))
    assert not set(keys) & set(other)


def test_empty_and_short_texts() -> None:
    assert minhash_signature("") == minhash_signature("，。！")
    assert len(minhash_signature("短")) == NUM_PERM
    assert shingles("") == set() and shingles("短文") == {"短文"}


@given(st.text(max_size=200))
def test_any_text_gets_a_full_signature(text: str) -> None:
    sig = minhash_signature(text)
    assert len(sig) == NUM_PERM
    assert len(band_keys(sig)) == BANDS
