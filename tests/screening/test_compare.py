"""compare_names: romanisations, scripts, organisation words, short parts, typos, order, explanations."""

from __future__ import annotations

import pytest

from celtrace.screening import ALERT_THRESHOLD, compare_names


@pytest.mark.parametrize(
    "variant",
    [
        "KIM, Jong Un",
        "Kim Jong-un",
        "Kim Jongun",
        "Jong Un Kim",
        "Kim Chŏng-ŭn",
        "Kim Cho'ng-u'n",
        "Gim Jeong-eun",
        "Kim Jung Eun",
        "김정은",
        "김 정은",
    ],
)
def test_kim_jong_un_in_every_spelling(variant):
    result = compare_names("Kim Jong Un", variant, schema="Person")
    assert result.match, result.explanation


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("RI, Yong Ho", "Lee Yong-ho"),
        ("Ri Yong Ho", "Yi Yong Ho"),
        ("PAK, Pong Nam", "Park Bong-nam"),
        ("CHOE, Ryong Hae", "Choi Ryong-hae"),
        ("JONG, Kyong Thaek", "Jeong Gyeong-taek"),
        ("Ch'ŏng Kŭm-ch'ŏl", "Jeong Geum-cheol"),
        ("O, Kuk-Ryol", "Oh Kuk Ryol"),
    ],
)
def test_korean_romanisation_equivalents_match(a, b):
    assert compare_names(a, b, schema="Person").match


def test_different_korean_names_do_not_match():
    # OFAC's own search scores these 100 against each other; one syllable differs.
    for other in ("Kim Jong Il", "Kim Jong Nam", "Kim Yo Jong", "Pak Jong Un"):
        result = compare_names("Kim Jong Un", other, schema="Person")
        assert not result.match, (other, result.explanation)
        assert result.score < ALERT_THRESHOLD


def test_short_name_parts_count():
    # IL, SU, U are whole Korean name parts: dropping them would merge different people.
    assert not compare_names("Kim Il Su", "Kim Il", schema="Person").match
    assert not compare_names("Yu Chol U", "Yu Chol", schema="Person").match
    assert compare_names("Yu Chol U", "YU, Chol U", schema="Person").match
    assert compare_names("O Kuk Ryol", "O, Kuk-Ryol", schema="Person").match


@pytest.mark.parametrize(
    "variant",
    [
        "延边银星网络科技有限公司",
        "Yanbian Silverstar Network Technology Co., Ltd.",
        "YANBIAN SILVER STAR NETWORK TECHNOLOGY COMPANY LIMITED",
        "Yanbian Silver Star Network",
        "Yanbian Silverstar Network Tech Co Ltd",
    ],
)
def test_chinese_company_in_han_pinyin_english_and_abbreviated(variant):
    result = compare_names("Yanbian Silverstar Network Technology Co., Ltd.", variant, schema="Organization")
    assert result.match, result.explanation


def test_han_name_matches_its_pinyin():
    result = compare_names(
        "延边银星网络科技有限公司", "Yanbian Yinxing Wangluo Keji Youxian Gongsi", schema="Organization"
    )
    assert result.match, result.explanation
    # Pinyin and English share no script to bridge "Yinxing" and "Silverstar": only the Han name does.
    assert not compare_names("Yanbian Yinxing Wangluo Keji", "Yanbian Silverstar Network Technology").match


def test_han_name_matches_its_english_form_through_translation():
    result = compare_names("延边银星网络科技有限公司", "Yanbian Silver Star Network", schema="Organization")
    assert result.match
    assert "延边 = " in result.explanation or "= 延边" in result.explanation


def test_organisation_words_never_carry_a_match():
    for listed in (
        "Korea Sobaeksu Trading Company",
        "Korea Kumsong Trading Company",
        "Korea General Trading Corporation",
    ):
        result = compare_names("Korea Trading Company", listed, schema="Organization")
        assert not result.match, result.explanation
        assert "organisation-type" in result.explanation
    assert not compare_names("Dandong Hongda Trade Co., Ltd.", "Dandong Xinyuan Trade Co., Ltd.").match


def test_legal_forms_and_abbreviations_are_equivalent():
    for variant in (
        "Korea Mining Development Trading Corp.",
        "Korea Mining Dev Trading Corporation",
        "KOREA MINING DEVELOPMENT TRADING",
    ):
        assert compare_names("KOREA MINING DEVELOPMENT TRADING CORPORATION", variant, schema="Organization").match
    assert compare_names("Kingly Won International Co., Ltd.", "Kingly Won Intl Company Limited").match


@pytest.mark.parametrize(
    ("listed", "typo"),
    [
        ("SOBAEKSU TRADING", "SOBAKESU TRADING"),
        ("BLUENOROFF", "BLUENOROF"),
        ("MAHMOUDI, Mohammad", "Mahmoud Mohammad"),
        ("JINDALLAE", "JINDALAE"),
        ("VENIAMINOVICH, Andrei", "Veniaminovitch Andrei"),
        ("KUNLUN HOLDING COMPANY LTD.", "Kunlun Holding Compnay Ltd"),
    ],
)
def test_typos_in_long_parts_still_match(listed, typo):
    result = compare_names(listed, typo)
    assert result.match, result.explanation


def test_one_letter_apart_short_parts_are_not_typos():
    assert not compare_names("Kim Kwang Chun", "Kim Kwang Chon", schema="Person").match


def test_order_does_not_matter_for_people():
    assert compare_names("BIN LADEN, Osama", "Osama bin Laden", schema="Person").score == pytest.approx(1.0)


def test_explanation_names_the_aligned_parts_and_rules():
    text = compare_names("Kim Chŏng-ŭn", "KIM, Jong Un", schema="Person").explanation
    assert "Kim = KIM (exact)" in text or "KIM = Kim (exact)" in text
    assert "Chŏng" in text and "Jong" in text and "romanisation variant" in text
    assert "score" in text
    typo = compare_names("BLUENOROFF", "BLUENOROF").explanation
    assert "typo" in typo
    org = compare_names(
        "Yanbian Silverstar Network Technology Co., Ltd.", "Yanbian Silver Star Network Tech"
    ).explanation
    assert "joined" in org and "Tech" in org and "organisation-type" in org


def test_numbers_must_agree():
    assert not compare_names("KUM SONG 3", "KUM SONG 5", schema="Vessel").match
    assert not compare_names("P-532", "P-533", schema="Airplane").match
    assert compare_names("KUM SONG 3", "Kum Song 3", schema="Vessel").match


def test_unknown_schema_is_an_error():
    with pytest.raises(ValueError, match="unknown schema"):
        compare_names("a", "b", schema="Spaceship")


def test_empty_and_punctuation_compare_to_nothing():
    result = compare_names("", "...")
    assert result.score == 0.0 and not result.match and "nothing to compare" in result.explanation


def test_the_initial_sound_law_is_a_spelling_not_another_name() -> None:
    # DPRK 룡 is ROK 용: Ryong and Yong are the same syllable.
    assert compare_names("Ri Ryong Su", "Ri Yong Su", schema="Person").match
