"""Korean romanisation folding: MR, RR, DPRK official and popular spellings fold to one key."""

from __future__ import annotations

import pytest

from celtrace.screening import korean


def _key(name: str) -> str:
    return korean.fold(name.lower().replace("'", "").replace("ŏ", "o").replace("ŭ", "u"))


@pytest.mark.parametrize(
    "spellings",
    [
        ["Jong", "Chong", "Jeong", "Cheong", "Chung", "Jung", "Ch'ŏng"],
        ["Ri", "Rhee", "Lee", "Yi", "I", "Li"],
        ["Pak", "Park", "Bak"],
        ["Choe", "Choi", "Chwe"],
        ["Un", "Eun", "ŭn"],
        ["Chol", "Cheol", "Chul", "Ch'ŏl"],
        ["Kwang", "Gwang"],
        ["Ryong", "Yong", "Lyong"],
        ["Thaek", "Taek", "T'aek"],
        ["Phyong", "Pyeong", "P'yŏng"],
        ["Hyok", "Hyeok", "Hyŏk"],
        ["O", "Oh"],
        ["Yong", "Young", "Yeong"],
    ],
)
def test_romanisations_of_one_syllable_fold_together(spellings):
    assert len({_key(s) for s in spellings}) == 1, {s: _key(s) for s in spellings}


@pytest.mark.parametrize(
    ("a", "b"), [("Jong", "Jang"), ("Kim", "Kam"), ("Un", "Il"), ("Pak", "Paek"), ("Song", "Sang")]
)
def test_different_syllables_stay_apart(a, b):
    assert _key(a) != _key(b)


def test_joined_given_names_fold_like_their_parts():
    assert korean.fold("jongun") == korean.fold("jeongeun") == korean.fold("jong" + "un")
    assert korean.fold("jungchul") == korean.fold("jongchol")  # popular spellings inside a joined name


@pytest.mark.parametrize("token", ["kim", "jongun", "sobaeksu", "kwang", "ri", "u", "chongchongang", "park"])
def test_romanised_korean_is_plausible(token):
    assert korean.is_plausible(token)


@pytest.mark.parametrize("token", ["smith", "vladimir", "trading", "zhang", "xinyuan", "", "kim2"])
def test_other_tokens_are_not(token):
    assert not korean.is_plausible(token)


def test_hangul_syllables_romanise_to_foldable_latin():
    assert [korean.romanize_syllable(c) for c in "김정은"] == ["gim", "jeong", "eun"]
    assert korean.fold("".join(korean.romanize_syllable(c) for c in "정은")) == korean.fold("jongun")
    assert korean.romanize_syllable("A") == "A"


def test_hangul_person_names_split_into_surname_and_given_name():
    assert korean.split_person("김정은") == ("김", "정은")
    assert korean.split_person("남궁민수") == ("남궁", "민수")
    assert korean.split_person("김") == ("김", "")


def test_table_forms_say_why():
    assert korean.table_form("lee") == ("ri", "spelling class Ri/Rhee/Lee/Yi")
    form = korean.table_form("chul")
    assert form is not None and form[0] == "chol" and form[1].startswith("popular spelling")
    assert korean.table_form("kwang") is None
