"""The cleaners of single values: countries, languages, partial dates, e-mail domains, cell lists."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from celtrace.chain import fields

PROPERTY = settings(database=None, deadline=None, max_examples=100)


# --- country ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("kr", "kr"),
        ("KR", "kr"),
        ("KOR", "kr"),
        ("kor", "kr"),
        ("PRK", "kp"),
        ("kp", "kp"),
        ("South Korea", "kr"),
        ("Korea", "kr"),
        ("Republic of Korea", "kr"),
        ("Korea, Republic of", "kr"),
        ("Korea (South)", "kr"),
        ("North Korea", "kp"),
        ("Korea (North)", "kp"),
        ("DPRK", "kp"),
        ("Korea, Democratic People's Republic of", "kp"),
        ("대한민국", "kr"),
        ("China", "cn"),
        ("CHN", "cn"),
        ("  china  ", "cn"),
        ("Deutschland", "de"),
    ],
)
def test_country_reads_names_and_iso_codes(text: str, code: str) -> None:
    assert fields.country(text) == code


@pytest.mark.parametrize("text", ["Narnia", "XX", "Koreaa land", "", "   ", "12"])
def test_unknown_country_raises_value_error_naming_the_value(text: str) -> None:
    with pytest.raises(ValueError, match="country"):
        fields.country(text)


def test_country_is_idempotent_on_its_output() -> None:
    for text in ("South Korea", "North Korea", "PRK", "China", "Russia"):
        code = fields.country(text)
        assert fields.country(code) == code


@PROPERTY
@given(st.text(max_size=40))
def test_country_only_ever_raises_value_error(text: str) -> None:
    try:
        code = fields.country(text)
    except ValueError:
        return
    assert code == code.lower()
    assert 2 <= len(code) <= 8  # fits vendors.country (String(8))


# --- language --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ko", "ko"),  # not the Ko language of Cameroon (ISO 639-3 "fuj")
        ("KO", "ko"),
        ("Ko", "ko"),
        (" ko ", "ko"),
        ("Korean", "ko"),
        ("korean", "ko"),
        ("kor", "ko"),
        ("한국어", "ko"),
        ("조선어", "ko"),
        ("조선말", "ko"),
        ("Korean (DPRK)", "ko"),
        ("Mandarin", "zh"),
        ("mandarin", "zh"),
        ("Cantonese", "zh"),
        ("Chinese", "zh"),
        ("zh", "zh"),
        ("zho", "zh"),
        ("chi", "zh"),  # ISO 639-2 bibliographic code
        ("中文", "zh"),
        ("普通话", "zh"),
        ("English", "en"),
        ("ENG", "en"),
        ("ger", "de"),
        ("日本語", "ja"),
        ("русский", "ru"),
    ],
)
def test_language_reads_names_and_codes_as_iso_639_1(text: str, code: str) -> None:
    assert fields.language(text) == code


def test_language_without_a_two_letter_code_keeps_its_three_letter_code() -> None:
    assert fields.language("fuj") == "fuj"


@pytest.mark.parametrize("text", ["xx", "Klingonese", "zh-CN", "", "qqq", "한국"])
def test_unknown_language_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="language"):
        fields.language(text)


@PROPERTY
@given(st.text(max_size=30))
def test_language_only_ever_raises_value_error_and_is_idempotent(text: str) -> None:
    try:
        code = fields.language(text)
    except ValueError:
        return
    assert fields.language(code) == code


# --- partial_date ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("1985", "1985"),
        (" 1985 ", "1985"),
        ("1985-03", "1985-03"),
        ("1985-3", "1985-03"),
        ("1985-03-02", "1985-03-02"),
        ("1985/03/02", "1985-03-02"),
        ("1985.03.02", "1985-03-02"),
        ("2001-1-1", "2001-01-01"),
        ("2000-02-29", "2000-02-29"),
    ],
)
def test_partial_date_gives_iso_8601_of_the_precision_given(text: str, iso: str) -> None:
    assert fields.partial_date(text) == iso
    assert fields.partial_date(iso) == iso


@pytest.mark.parametrize("text", ["85", "1985-13", "1985-02-30", "1999-02-29", "02/03/1985", "March 1985", "", "x"])
def test_bad_partial_date_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        fields.partial_date(text)


def test_partial_date_keeps_four_digit_years_below_1000() -> None:
    assert fields.partial_date("0999-01-02") == "0999-01-02"


@PROPERTY
@given(st.dates(), st.sampled_from(["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y-%m", "%Y"]))
def test_partial_date_round_trips_generated_dates(day: object, fmt: str) -> None:
    import datetime

    assert isinstance(day, datetime.date)
    if day.year < 1000:  # see test_partial_date_keeps_four_digit_years_below_1000
        return
    text = day.strftime(fmt)
    iso = fields.partial_date(text)
    assert iso == day.isoformat()[: {"%Y": 4, "%Y-%m": 7}.get(fmt, 10)]
    assert fields.partial_date(iso) == iso


# --- domain ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("ops@example.kr", "example.kr"),
        ("OPS@Example.KR", "example.kr"),
        ("@example.kr", "example.kr"),
        ("Example.KR", "example.kr"),
        (" example.kr. ", "example.kr"),
        ("www.example.com", "example.com"),
        ("a.b@mail.example.co.kr", "mail.example.co.kr"),
        ("x@y@z.example", "z.example"),
        ("예시.한국", "xn--vv4b11d.xn--3e0b707e"),
        ("ops@例え.JP", "xn--r8jz45g.jp"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("xn--r8jz45g.jp", "xn--r8jz45g.jp"),
    ],
)
def test_domain_reads_addresses_and_host_names(text: str, name: str) -> None:
    assert fields.domain(text) == name


@pytest.mark.parametrize(
    "text",
    [
        "",
        "@",
        "ops@",
        "localhost",
        "example",
        "a..b",
        "-a.com",
        "a-.com",
        "has space.com",
        "exa_mple.com",
        "a.b",  # one-letter top-level domain
        "a" * 64 + ".com",  # label over 63 characters
        ".".join(["abcdefghi"] * 30) + ".com",  # over 253 characters
        "http://example.com/path",
    ],
)
def test_invalid_domain_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="not a domain name"):
        fields.domain(text)


_LABEL = st.from_regex(r"\A[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?\Z")
_TLD = st.from_regex(r"\A[a-z]{2,10}\Z")
_HOSTNAME = st.builds(
    lambda labels, tld: ".".join([*labels, tld]),
    st.lists(_LABEL.filter(lambda label: label != "www"), min_size=1, max_size=4),
    _TLD,
)


@PROPERTY
@given(_HOSTNAME, st.sampled_from(["{}", "ops@{}", "@{}", "{}.", " {} ", "www.{}"]), st.booleans())
def test_domain_is_idempotent_on_generated_host_names(host: str, template: str, upper: bool) -> None:
    text = template.format(host.upper() if upper else host)
    name = fields.domain(text)
    assert name == host
    assert fields.domain(name) == name


@PROPERTY
@given(st.text(max_size=60))
@example("ß.de")
@example("example.com\u3002")
@example("xn--.com")
def test_domain_only_ever_raises_value_error_and_is_idempotent(text: str) -> None:
    try:
        name = fields.domain(text)
    except ValueError:
        return
    assert name.isascii()
    assert fields.domain(name) == name


@pytest.mark.parametrize("text", ["www.www.example.com", "ｗｗｗ.example.com", "www\u3002example.com"])
def test_domain_is_idempotent_with_www_labels(text: str) -> None:
    name = fields.domain(text)
    assert fields.domain(name) == name


def test_domain_accepts_a_domain_whose_first_label_is_www() -> None:
    assert fields.domain("ops@www.com") == "www.com"


# --- text_list -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "items"),
    [
        (None, []),
        ("", []),
        ("  ", []),
        ("a", ["a"]),
        (" a ; ;b;", ["a", "b"]),
        (";;;", []),
        ("a;a", ["a", "a"]),
        (["a", None, " ", 3], ["a", "3"]),
        (["a;b"], ["a;b"]),  # a JSON list is taken item by item, never split
        ([], []),
        (5, ["5"]),
        (1.5, ["1.5"]),
    ],
)
def test_text_list_splits_cells_and_keeps_lists(value: object, items: list[str]) -> None:
    assert fields.text_list(value) == items


_CELL_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)


@PROPERTY
@given(st.one_of(_CELL_TEXT, st.lists(st.one_of(st.none(), _CELL_TEXT, st.integers()), max_size=8)))
def test_text_list_never_returns_empty_or_padded_strings(value: object) -> None:
    items = fields.text_list(value)
    assert all(item and item == item.strip() for item in items)


@PROPERTY
@given(_CELL_TEXT)
@example("a; b ;;c")
@example(" ;\u3000; ")
def test_text_list_is_idempotent_on_its_joined_output(text: str) -> None:
    items = fields.text_list(text)
    assert fields.text_list(fields.LIST_SEPARATOR.join(items)) == items
    assert fields.text_list(items) == items
