from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from summarizer.fingerprint import (
    NUM_PERM,
    ShingleCheck,
    is_same_piece,
    minhash_signature,
    normalise,
    shingles,
)
from tests.storage.corpus import FLOOD, LAUNCH

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


def test_copy_with_new_header_and_trimmed_ending_is_the_same_piece() -> None:
    copy = "（新华社北京电）" + FLOOD[: int(len(FLOOD) * 0.7)]
    assert is_same_piece(shingles(FLOOD), shingles(copy))
    assert ShingleCheck(copy).same_piece(FLOOD)


def test_different_stories_and_fragments_are_not_the_same_piece() -> None:
    assert not is_same_piece(shingles(FLOOD), shingles(LAUNCH))
    assert not ShingleCheck(FLOOD).same_piece(LAUNCH)
    # a quoted sentence is contained in the story but is too short to be a copy of it
    fragment = FLOOD[: len(FLOOD) // 5]
    assert not is_same_piece(shingles(FLOOD), shingles(fragment))
    assert not is_same_piece(set(), shingles(FLOOD))


def test_empty_and_short_texts() -> None:
    assert minhash_signature("") == minhash_signature("，。！")
    assert len(minhash_signature("短")) == NUM_PERM
    assert shingles("") == set() and shingles("短文") == {"短文"}


@given(st.text(max_size=200))
def test_any_text_gets_a_full_signature(text: str) -> None:
    sig = minhash_signature(text)
    assert len(sig) == NUM_PERM and all(0 <= v < 2**32 for v in sig)


def test_signature_is_the_minimum_over_every_shingle_however_long_the_text() -> None:
    # The minima are taken a block of shingles at a time; the reference takes them at once.
    import numpy as np

    from summarizer import fingerprint

    mixed = "".join(chr(0x4E00 + i * 7919 % 20000) for i in range(1500))
    text = FLOOD + LAUNCH + TEXT + mixed  # several blocks of distinct shingles
    h = fingerprint._shingle_hashes(normalise(text))
    assert len(h) > 2 * fingerprint._BLOCK
    for num_perm in (NUM_PERM, 5):
        mul, add = fingerprint._MUL[:num_perm], fingerprint._ADD[:num_perm]
        with np.errstate(over="ignore"):
            want = ((h[:, None] * mul + add) >> np.uint64(32)).min(axis=0)
        assert minhash_signature(text, num_perm) == tuple(int(x) for x in want)
