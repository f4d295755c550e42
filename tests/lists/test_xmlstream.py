"""Streaming XML records: what the readers rely on beyond their own tests."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from celtrace.errors import InputError
from celtrace.lists.values import partial_date, year_range
from celtrace.lists.xmlstream import iter_records, read_header, root_name


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "list.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_records_are_whole_with_namespaces_stripped_and_nested_records_kept_inside(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '<l:list xmlns:l="urn:x"><l:entry id="1"><l:name>A</l:name><l:entry id="2"/></l:entry>'
        "<other><entry id='3'><name>B</name></entry></other></l:list>",
    )
    records = list(iter_records(path, {"entry"}))
    assert [(record.get("id"), record.findtext("name")) for record in records] == [("1", "A"), ("3", "B")]
    assert [child.tag for child in records[0]] == ["name", "entry"]


def test_until_ends_the_walk_after_that_element(tmp_path: Path) -> None:
    path = write(tmp_path, "<r><parties><p>1</p><p>2</p></parties><p>3</p><bad></r>")
    assert [p.text for p in iter_records(path, {"p"}, until={"parties"})] == ["1", "2"]
    with pytest.raises(InputError, match="malformed XML at line 1, column 53: mismatched tag"):
        list(iter_records(path, {"p"}))


def test_header_stops_at_the_first_record_and_keeps_the_first_of_each_child(tmp_path: Path) -> None:
    path = write(tmp_path, '<r date="x"><info><d>1</d></info><info><d>2</d></info><rec/><late/><broken></r>')
    attrib, children = read_header(path, {"r"}, "a test list", {"rec"})
    assert attrib == {"date": "x"}
    assert list(children) == ["info"] and children["info"].findtext("d") == "1"
    with pytest.raises(InputError, match="not a test list: the root element is <q>"):
        read_header(write(tmp_path, "<q/>"), {"r"}, "a test list", {"rec"})


def test_records_before_an_error_come_first(tmp_path: Path) -> None:
    path = write(tmp_path, "<r><p>1</p><p>2</p><p></r>")
    seen = []
    with pytest.raises(InputError, match="mismatched tag"):
        seen.extend(record.text for record in iter_records(path, {"p"}))
    assert seen == ["1", "2"]


def test_the_element_cap_is_per_record(tmp_path: Path) -> None:
    path = write(tmp_path, "<r>" + "<p><a/><a/><a/></p>" * 50 + "<p>" + "<a/>" * 4 + "</p></r>")
    with pytest.raises(InputError, match=r"a record has over 3 elements: <p>") as caught:
        list(iter_records(path, {"p"}, max_elements=3))
    assert caught.value.file == str(path)
    assert len(list(iter_records(path, {"p"}))) == 51


@pytest.mark.parametrize("outside", ["<junk/>" * 200_000, "<x>" + "A" * 20_000_000 + "</x>"])
def test_nothing_outside_records_is_kept(tmp_path: Path, outside: str) -> None:
    # Markup or text between records, however much, is parsed and dropped, never built or held.
    path = write(tmp_path, f"<r><p>1</p>{outside}<p>2</p></r>")
    tracemalloc.start()
    try:
        texts = [record.text for record in iter_records(path, {"p"})]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert texts == ["1", "2"]
    assert peak < 1_000_000, f"peak {peak} bytes"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- <b> -->\n<!DOCTYPE a [<!ENTITY x "<c>">]><ns:a xmlns:ns="u">', "a"),
        ('<?xml version="1.0" encoding="utf-16"?><sdnList>'.encode("utf-16"), "sdnList"),
        (b"<!-- a comment cut short <a>", None),
        (b"junk <a>", None),
        (b"", None),
    ],
)
def test_root_name(head: bytes, expected: str | None) -> None:
    assert root_name(head) == expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [((1968,), "1968"), ((1968, 1), "1968-01"), ((1968, 1, 12), "1968-01-12"), ((1968, 2, 31), "1968-02")],
)
def test_partial_date(parts: tuple[int, ...], expected: str) -> None:
    assert partial_date(*parts) == expected


def test_year_range() -> None:
    assert year_range("1960", "1962", 10) == ["1960", "1961", "1962"]
    assert year_range("1960", "1960", 10) == ["1960"]
    assert year_range("1940", "1962", 10) == ["1940", "1962"]
    assert year_range("1962", "1960", 10) == ["1962", "1960"]
    assert year_range("1960-01", "1962", 10) == ["1960-01", "1962"]
