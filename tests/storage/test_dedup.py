"""Copy detection on its own: the exact rules and the stored fingerprint form."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storage.dedup import is_same_piece, parse_signature, signature_blob
from summarizer.fingerprint import NUM_PERM, minhash_signature, shingles
from tests.storage.corpus import FLOOD, LAUNCH


def test_copy_with_new_header_and_trimmed_ending_is_the_same_piece() -> None:
    copy = "（新华社北京电）" + FLOOD[: int(len(FLOOD) * 0.7)]
    assert is_same_piece(shingles(FLOOD), shingles(copy))


def test_different_stories_and_fragments_are_not_the_same_piece() -> None:
    assert not is_same_piece(shingles(FLOOD), shingles(LAUNCH))
    # a quoted sentence is contained in the story but is too short to be a copy of it
    fragment = FLOOD[: len(FLOOD) // 5]
    assert not is_same_piece(shingles(FLOOD), shingles(fragment))
    assert not is_same_piece(set(), shingles(FLOOD))


def test_stored_signature_round_trips() -> None:
    signature = minhash_signature(FLOOD)
    blob = signature_blob(signature)
    assert len(blob) == 4 * NUM_PERM
    assert parse_signature(blob) == tuple(signature)


@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), max_size=200))
def test_any_32_bit_signature_round_trips(values: list[int]) -> None:
    assert parse_signature(signature_blob(values)) == tuple(values)
