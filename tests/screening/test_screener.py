"""Screener: blocking, schema exclusion, penalties, weak aliases, limits."""

from __future__ import annotations

import pytest

from celtrace.lists.model import Target, TargetName
from celtrace.screening import ALERT_THRESHOLD, Screener
from celtrace.screening.index import CANDIDATES

TARGETS = [
    Target(
        "kju",
        "Person",
        [TargetName("KIM, Jong Un"), TargetName("김정은", "aka", "Hang")],
        ["DPRK3"],
        ["kp"],
        birth_dates=["1984-01-08"],
    ),
    Target("kji", "Person", [TargetName("KIM, Jong Il")], ["DPRK"], ["kp"], birth_dates=["1941"]),
    Target(
        "sek",
        "Organization",
        [
            TargetName("SEK STUDIO"),
            TargetName("KOREA SEK COMPANY", "aka"),
            TargetName("APRIL 26 ANIMATION FILM STUDIO", "aka"),
        ],
        ["DPRK2"],
        ["kp"],
    ),
    Target(
        "silver",
        "Organization",
        [
            TargetName("YANBIAN SILVERSTAR NETWORK TECHNOLOGY CO., LTD."),
            TargetName("延边银星网络科技有限公司", "aka", "Hani"),
        ],
        ["DPRK4"],
        ["cn"],
    ),
    Target(
        "sobaeksu",
        "Organization",
        [TargetName("KOREA SOBAEKSU TRADING COMPANY"), TargetName("KSTC", "weak")],
        ["DPRK3"],
    ),
    Target("ship", "Vessel", [TargetName("CHONG CHON GANG")], ["DPRK"]),
    Target("yanbian-person", "Person", [TargetName("CHONG, Chon Gang")], ["SDGT"]),
    Target("lazarus", "Organization", [TargetName("LAZARUS GROUP"), TargetName("HIDDEN COBRA", "aka")], ["DPRK3"]),
] + [Target(f"filler-{n}", "Person", [TargetName(f"PERSON{n} Filler{n % 37} Name{n % 11}")]) for n in range(300)]


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(iter(TARGETS))


def _ids(matches) -> list[str]:
    return [m.target.id for m in matches]


def test_finds_kim_jong_un_in_any_spelling_and_not_kim_jong_il(screener):
    for query in ("Kim Jong Un", "Kim Chŏng-ŭn", "Jong-un Kim", "김정은", "Gim Jeong Eun"):
        matches = screener.screen(query, schema="Person")
        assert _ids(matches) == ["kju"], (query, [(m.target.id, m.score) for m in matches])
        assert matches[0].score >= ALERT_THRESHOLD and matches[0].explanation and matches[0].method


def test_matches_carry_the_name_that_matched(screener):
    [match] = screener.screen("延边银星网络科技有限公司", schema="Organization")
    assert match.target.id == "silver" and match.matched_name == "延边银星网络科技有限公司"
    [match] = screener.screen("Yanbian Silver Star Network Tech", schema="Organization")
    assert match.target.id == "silver" and "joined" in match.explanation


def test_person_queries_never_match_organisations_or_vessels(screener):
    assert "ship" not in _ids(screener.screen("Chong Chon Gang", schema="Person"))
    assert _ids(screener.screen("Chong Chon Gang", schema="Person")) == ["yanbian-person"]
    assert _ids(screener.screen("Chong Chon Gang", schema="Vessel")) == ["ship"]
    assert set(_ids(screener.screen("Chong Chon Gang"))) == {"ship", "yanbian-person"}
    assert "sek" not in _ids(screener.screen("SEK Studio", schema="Person"))
    assert _ids(screener.screen("SEK Studio", schema="Organization")) == ["sek"]


def test_organisation_words_alone_do_not_alert(screener):
    assert screener.screen("Korea Trading Company", schema="Organization") == []
    assert screener.screen("Korea Animation Film Studio", schema="Organization") == []


def test_country_and_birth_date_lower_the_score_with_a_reason(screener):
    [plain] = screener.screen("Kim Jong Un", schema="Person")
    [same] = screener.screen("Kim Jong Un", schema="Person", countries=["KP"], birth_date="1984")
    assert same.score == plain.score
    [elsewhere] = screener.screen("Kim Jong Un", schema="Person", countries=["cn"])
    assert plain.score - 0.06 < elsewhere.score < plain.score and "countries differ" in elsewhere.explanation
    [older] = screener.screen("Kim Jong Un", schema="Person", birth_date="1984-01-08")
    assert older.score == plain.score
    # A birth date that disagrees costs more than a country, but an exact name still reaches a reviewer.
    [other] = screener.screen("Kim Jong Un", schema="Person", birth_date="1990-05-05")
    assert other.score == pytest.approx(plain.score - 0.15) and "birth dates differ" in other.explanation
    assert screener.screen("Kim Jung Eun", schema="Person", birth_date="1990-05-05", countries=["cn"]) == []


def test_weak_aliases_count_less(screener):
    [match] = screener.screen("KSTC", schema="Organization")
    assert match.target.id == "sobaeksu" and match.score < 1.0
    assert "weak" in match.method and "weak alias" in match.explanation


def test_index_returns_the_true_target_among_few_candidates(screener):
    for query, expected in (("Sobaeksu Trading", "sobaeksu"), ("Lazarus Grp", "lazarus"), ("Hiden Cobra", "lazarus")):
        candidates = screener.candidates(query)
        assert expected in [t.id for t in candidates]
        assert len(candidates) <= CANDIDATES < len(TARGETS)


def test_limit_and_order(screener):
    matches = screener.screen("Filler3 Name3 Person3", limit=1)
    assert len(matches) <= 1
    assert screener.screen("Kim Jong Un", limit=0) == []


def test_unknown_schema_and_empty_queries(screener):
    with pytest.raises(ValueError):
        screener.screen("Kim Jong Un", schema="Dog")
    assert screener.screen("") == [] and screener.candidates("...") == []
