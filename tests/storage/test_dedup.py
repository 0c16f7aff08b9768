"""Copy detection's storage side: LSH band keys, the MinHash prefilter and the stored
fingerprint form (the exact rules are the analysis's: tests/summarizer/test_fingerprint.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storage.dedup import BANDS, band_keys, parse_signature, resemblance, signature_blob
from summarizer.fingerprint import NUM_PERM, jaccard, minhash_signature, shingles
from tests.storage.corpus import FLOOD

TEXT = (
    "新华社北京7月16日电 国家统计局今天发布数据，上半年国内生产总值同比增长百分之十二点七。"
    "其中二季度增长百分之七点九，经济运行稳中加固、稳中向好。"
)


def test_resemblance_tracks_exact_jaccard() -> None:
    edited = "来源：某某网 " + TEXT[:-10] + "责任编辑：张三"
    exact = jaccard(shingles(TEXT), shingles(edited))
    estimate = resemblance(minhash_signature(TEXT), minhash_signature(edited))
    assert abs(exact - estimate) < 0.15
    unrelated = "神舟十三号载人飞船在酒泉卫星发射中心成功发射，三名航天员进入中国空间站。"
    assert resemblance(minhash_signature(TEXT), minhash_signature(unrelated)) < 0.1


def test_band_keys_shared_by_near_copies_only() -> None:
    keys = band_keys(minhash_signature(TEXT))
    assert len(keys) == BANDS and len({k >> 32 for k in keys}) == BANDS
    assert all(0 <= k < 2**63 for k in keys)
    near = band_keys(minhash_signature(TEXT + "（完）"))
    assert set(keys) & set(near)
    other = band_keys(minhash_signature("完全不同的一段文字，讲的是体育比赛的结果和球员的表现。"))
    assert not set(keys) & set(other)


@given(st.text(max_size=200))
def test_any_text_gets_all_its_bands(text: str) -> None:
    assert len(band_keys(minhash_signature(text))) == BANDS


def test_stored_signature_round_trips() -> None:
    signature = minhash_signature(FLOOD)
    blob = signature_blob(signature)
    assert len(blob) == 4 * NUM_PERM
    assert parse_signature(blob) == tuple(signature)


@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=200))
def test_any_32_bit_signature_round_trips(values: list[int]) -> None:
    assert parse_signature(signature_blob(values)) == tuple(values)
