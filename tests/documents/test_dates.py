"""Juche and calendar dates in document text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from celtrace.documents.dates import find_dates


def test_juche_dates_are_converted_and_their_bracketed_year_checked():
    [dated] = find_dates("작성: 주체113(2024)년 3월 5일")
    assert (dated.calendar, dated.iso, dated.juche_year, dated.consistent) == ("juche", "2024-03-05", 113, True)
    assert dated.text == "주체113(2024)년 3월 5일"
    [bare] = find_dates("주체 113년 작업지시서")
    assert (bare.iso, bare.consistent) == ("2024", None)
    [wrong] = find_dates("주체112(2024)년")  # 112 is 2023: a careless copy, or a forgery
    assert (wrong.iso, wrong.consistent) == ("2023", False)


def test_korean_chinese_and_iso_dates_in_order():
    text = "납기 2024년 3월 5일 / 交期 2024年3月5日 / due 2024-03-05"
    assert [(d.calendar, d.iso, text[d.start : d.end]) for d in find_dates(text)] == [
        ("gregorian", "2024-03-05", "2024년 3월 5일"),
        ("gregorian", "2024-03-05", "2024年3月5日"),
        ("gregorian", "2024-03-05", "2024-03-05"),
    ]


def test_impossible_months_are_not_dates():
    assert find_dates("주체113년 13월") == [] and find_dates("2024년 0월") == []
    assert [d.iso for d in find_dates("2024-02-30")] == ["2024-02"]  # the day is dropped, the month stands


@given(st.text())
def test_any_text_gives_dates_whose_spans_are_in_it(text):
    for found in find_dates(text):
        assert text[found.start : found.end] == found.text and found.year >= 1912
