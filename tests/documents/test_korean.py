"""The DPRK/ROK classifier: markers with their spans, abstention, and accuracy on held-out corpus text."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from celtrace.documents.korean import classify, features, is_held_out, marker_rules, model, priors

SHARED = Path(__file__).resolve().parents[3] / "shared"
CORPUS = SHARED / "data" / "korean" / "kpc-dev.tsv"

DPRK = "로동자들이 래일 회의에 참가하게 되였다"
ROK = "노동자들이 내일 회의에 참가하게 되었다"


def _markers(text: str) -> dict[str, list[tuple[str, int, int]]]:
    return {key[2:]: spans for key, spans in features(text).items() if key.startswith("m:")}


def test_dprk_spelling_markers_have_their_spans() -> None:
    found = _markers(DPRK)
    assert found["initial-ro"] == [("로동", 0, 2)]
    assert found["initial-rae"] == [("래일", 6, 8)]
    assert found["yeo-ending"] == [("되였", 18, 20)]
    assert "initial-no" not in found
    assert "eo-ending" not in found


def test_rok_spelling_markers_have_their_spans() -> None:
    found = _markers(ROK)
    assert found["initial-no"] == [("노동", 0, 2)]
    assert found["initial-nae"] == [("내일", 6, 8)]
    assert found["eo-ending"] == [("되었", 18, 20)]
    assert "initial-ro" not in found
    assert "yeo-ending" not in found


def test_spacing_quotes_and_titles() -> None:
    found = _markers("《경애하는 원수님》께서는 그 일을 할수 있다는것을 알고있었다.")
    assert found["angle-quotes"] == [("《", 0, 1), ("》", 9, 10)]
    assert ("경애하는", 1, 5) in found["leader-title"]
    assert ("다는것", 23, 26) in found["bound-noun-joined"]
    spaced = _markers("그 일을 할 수 있다는 것을 알고 있었다.")
    assert ("할 수", 5, 8) in spaced["bound-noun-spaced"]
    assert "bound-noun-joined" not in spaced


def test_every_marker_rule_is_documented() -> None:
    for rule in marker_rules():
        assert rule.why and rule.source and rule.kind
        assert rule.side in {"dprk", "rok"}


#: The pair again, with a second clause: the target is sentences of 30 characters or more, and at 20 a plain
#: ROK sentence carries too little to pass the abstention margin.
DPRK_LONG = DPRK + ". 눈을 좀 더 크게 그릴수 있는것이 좋다."
ROK_LONG = ROK + ". 눈을 좀 더 크게 그릴 수 있는 것이 좋다."


def test_classifies_the_pair_and_explains_it() -> None:
    north, south = classify(DPRK_LONG), classify(ROK_LONG)
    assert north.label == "dprk" and north.score > 0.9
    assert south.label == "rok" and south.score < 0.2
    for verdict, text, sign in ((north, DPRK_LONG, 1), (south, ROK_LONG, -1)):
        assert verdict.markers
        assert all(marker.weight * sign > 0 for marker in verdict.markers)
        assert all(text[marker.start : marker.end] == marker.text for marker in verdict.markers)
    assert any(marker.name == "yeo-ending" for marker in north.markers)
    assert any(marker.name == "eo-ending" for marker in south.markers)


@pytest.mark.parametrize("text", ["", "   ", "머리를 돌려", "turn the head, fix the front", "头部缩小 123"])
def test_unknown_without_enough_signal(text: str) -> None:
    verdict = classify(text)
    assert verdict.label == "unknown"
    assert verdict.markers == []


def test_unknown_still_reports_the_markers_it_found() -> None:
    verdict = classify("《로동》")
    assert verdict.label == "unknown"
    spans = {(marker.name, marker.text, marker.start, marker.end) for marker in verdict.markers}
    assert spans == {("initial-ro", "로동", 1, 3), ("angle-quotes", "《", 0, 1), ("angle-quotes", "》", 3, 4)}
    assert all(marker.kind != "ngram" for marker in verdict.markers)


def test_markers_the_corpus_cannot_teach_carry_their_prior() -> None:
    # The corpus has no leader titles, 《 》 or Juche years, so their weight is a prior from the data file,
    # added once per text, and the training script leaves them out.
    assert priors() == {"m:angle-quotes": 1.0, "m:leader-title": 2.5, "m:juche-year": 2.5}
    assert not set(priors()) & set(model().weights)
    text = "모두가 이 일에 힘을 다하였습니다. 그 날의 일을 잊지 말아야 합니다."
    quoted = f"《{text}》"  # the same learned features: quotes at the ends add no n-gram
    assert _logit(classify(quoted).score) - _logit(classify(text).score) == pytest.approx(1.0, abs=1e-6)
    titled = classify("경애하는 원수님께서 말씀하신대로 " + text)
    assert titled.score > classify(text).score
    titles = [(marker.text, marker.weight) for marker in titled.markers if marker.name == "leader-title"]
    assert titles == [("경애하는", 2.5 / 2), ("원수님", 2.5 / 2)]  # the prior is shared by its occurrences


def _logit(score: float) -> float:
    return math.log(score / (1 - score))


@pytest.mark.skipif(not CORPUS.exists(), reason="needs ../shared/data/korean/kpc-dev.tsv")
def test_held_out_slice() -> None:
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE) if is_held_out(row["nk"])]
    samples = [(text.strip(), label) for row in rows[:150] for text, label in ((row["nk"], "dprk"), (row["sk"], "rok"))]
    samples = [(text, label) for text, label in samples if len(text) >= 30]
    verdicts = [(classify(text), label) for text, label in samples]
    answered = [(verdict, label) for verdict, label in verdicts if verdict.label != "unknown"]
    right = sum(verdict.label == label for verdict, label in answered)
    # The whole held-out part scores 0.99 answering 64% (benchmarks/documents.py); a slice is noisier.
    assert len(answered) >= 0.5 * len(samples)
    assert right >= 0.97 * len(answered)


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("로동노래내일되였었할수 것는《》 .가힣abc\n"), max_size=60) | st.text(max_size=40)
)
def test_never_raises_and_spans_index_the_text(text: str) -> None:
    verdict = classify(text)
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.label in {"dprk", "rok", "unknown"}
    for marker in verdict.markers:
        assert 0 <= marker.start < marker.end <= len(text)
        assert text[marker.start : marker.end] == marker.text


def test_kiwi_shows_where_the_rok_standard_would_space_and_what_it_reads() -> None:
    text = "그는 할수 있는것이 없었다. 참가하게 되였다."
    found = features(text)
    assert found["s:+수"] == [("할수", 3, 5)] and found["s:+것"] == [("는것", 7, 9)]
    assert len(found["s:*"]) == 2
    assert "k:였/EP" in found and "k:었/EP" in found
    spaced = features("그는 할 수 있는 것이 없었다.")
    assert not any(key.startswith("s:") for key in spaced)
    # Kiwi would space 주체 and 113, but a space before digits is no Korean spelling rule.
    assert not any(key.startswith("s:") for key in features("주체113(2024)년 2월 15일"))


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("가래것할수되였다이 .!\n학생abc《"), max_size=40))
def test_every_feature_span_indexes_the_text(text: str) -> None:
    for spans in features(text).values():
        for matched, start, end in spans:
            assert 0 <= start < end <= len(text) and text[start:end] == matched
