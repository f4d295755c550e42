"""Languages of document text, per run of one script."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from celtrace.documents.languages import runs, shares


def test_korean_and_chinese_side_by_side_in_one_cell():
    text = "머리를 10% 작게 하시오 / 头部缩小10%"
    assert [(run.lang, text[run.start : run.end].strip(" /")) for run in runs(text)] == [
        ("ko", "머리를 10% 작게 하시오"),
        ("zh", "头部缩小10%"),
    ]


def test_kana_makes_han_japanese_and_alphabets_go_to_the_model():
    assert [run.lang for run in runs("頭を10%小さくしてください")] == ["ja"]
    assert [run.lang for run in runs("Make the head ten percent smaller")] == ["en"]
    assert [run.lang for run in runs("Cabeça dez por cento menor, por favor")] == ["pt"]
    assert [run.lang for run in runs("ok")] == ["und"]  # too short to tell


def test_shares_count_letters_across_segments():
    found = {share.lang: share for share in shares(["로동자 래일", "工人明天", "workers"])}
    assert {lang: share.letters for lang, share in found.items()} == {"ko": 5, "zh": 4, "en": 7}
    assert abs(sum(share.share for share in found.values()) - 1) < 1e-9
    assert shares([]) == [] and shares(["123 !?"]) == []


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=80))
def test_runs_cover_the_text_in_order(text):
    found = runs(text)
    assert all(a.end <= b.start for a, b in pairwise(found))
    assert all(0 <= run.start < run.end <= len(text) for run in found)
