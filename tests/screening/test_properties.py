"""Properties of compare_names on arbitrary text: symmetric, bounded, reflexive, never raising."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from celtrace.screening import compare_names
from celtrace.screening.normalize import analyze

# Latin with diacritics and apostrophes, Hangul, Han, Cyrillic, digits and punctuation, mixed.
_ALPHABET = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ,.-'’()&/0123456789ŏŭéñçß")
    + list("김정은리박최철성영광룡혁")
    + list("延边银星网络科技有限公司朝鲜金")
    + list("ВладимирПутин")
)
_NAMES = st.one_of(st.text(_ALPHABET, max_size=40), st.text(max_size=30))
_SCHEMAS = st.sampled_from([None, "Person", "Organization", "Company", "LegalEntity", "Vessel", "Airplane"])


@settings(max_examples=300, deadline=None)
@given(_NAMES, _NAMES, _SCHEMAS)
def test_symmetric_and_bounded(a, b, schema):
    forward = compare_names(a, b, schema=schema)
    backward = compare_names(b, a, schema=schema)
    assert abs(forward.score - backward.score) <= 1e-9
    assert 0.0 <= forward.score <= 1.0
    assert forward.match == backward.match
    assert isinstance(forward.explanation, str) and forward.explanation


@settings(max_examples=300, deadline=None)
@given(_NAMES, _SCHEMAS)
def test_a_name_matches_itself(name, schema):
    result = compare_names(name, name, schema=schema)
    has_parts = any(form.tokens for form in analyze(name))
    assert result.score == (1.0 if has_parts else 0.0)
    assert result.match == has_parts


def test_edge_inputs_do_not_raise():
    for text in ("", " ", "...", "---", "'", "()", "&", "\u200b", "🙂", "a" * 5000, "김" * 500, "1 2 3", "Ǆ ǅ ǆ"):
        compare_names(text, "Kim Jong Un")
        compare_names(text, text, schema="Person")
