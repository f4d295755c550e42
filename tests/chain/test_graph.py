from __future__ import annotations

from celtrace.chain.graph import Chain
from tests.factories import link, sub, vendor


def build(ids: list[str], pairs: list[tuple[str, str]]) -> Chain:
    return Chain({i: vendor(i) for i in ids}, {}, [sub(a, b) for a, b in pairs])


def test_tiers_follow_the_shortest_path_from_the_top():
    chain = build(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")])
    assert chain.tiers == {"a": 1, "b": 2, "c": 2, "d": 3}


def test_a_cycle_with_no_way_in_still_gets_tiers():
    chain = build(["x", "y", "z"], [("y", "z"), ("z", "y")])
    assert chain.tiers == {"x": 1, "y": 1, "z": 2}


def test_a_cycle_below_a_root_is_placed_from_the_root():
    chain = build(["r", "p", "q"], [("r", "p"), ("p", "q"), ("q", "p")])
    assert chain.tiers == {"r": 1, "p": 2, "q": 3}


def test_vendors_of_people_read_links_in_both_directions():
    chain = build(["v", "w"], [])
    chain.links.extend(
        [
            link("owns", ("person", "ri"), ("vendor", "v")),
            link("employs", ("vendor", "w"), ("person", "ri"), "observed"),
            link("pays", ("vendor", "v"), ("person", "ri")),
        ]
    )
    assert chain.vendors_of_subject("person", "ri") == ["v", "w"]
    assert chain.vendors_of_subject("person", "nobody") == []
    assert chain.vendors_of_subject("vendor", "v") == ["v"]
    assert chain.vendors_of_subject("vendor", "nope") == []
    assert [(p, v, lk.kind) for p, v, lk in chain.person_vendor_links] == [("ri", "v", "owns"), ("ri", "w", "employs")]
