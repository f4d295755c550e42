from __future__ import annotations

from celtrace.chain.graph import Chain
from celtrace.workspace.schema import Link, Vendor


def build(ids: list[str], pairs: list[tuple[str, str]]) -> Chain:
    links = [
        Link(
            kind="subcontracts_to",
            source_kind="vendor",
            source_id=a,
            target_kind="vendor",
            target_id=b,
            status="declared",
            origin={},
        )
        for a, b in pairs
    ]
    return Chain({i: Vendor(id=i, name=i, aliases=[], origin={}) for i in ids}, {}, links)


def test_tiers_follow_the_shortest_path_from_the_top():
    chain = build(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")])
    assert chain.tiers == {"a": 1, "b": 2, "c": 2, "d": 3}


def test_a_cycle_with_no_way_in_still_gets_tiers():
    chain = build(["x", "y", "z"], [("y", "z"), ("z", "y")])
    assert chain.tiers == {"x": 1, "y": 1, "z": 2}


def test_a_cycle_below_a_root_is_placed_from_the_root():
    chain = build(["r", "p", "q"], [("r", "p"), ("p", "q"), ("q", "p")])
    assert chain.tiers == {"r": 1, "p": 2, "q": 3}


def test_vendors_of_people_and_accounts():
    chain = build(["v", "w"], [])
    chain.links.extend(
        [
            Link(
                kind="owns",
                source_kind="person",
                source_id="ri",
                target_kind="vendor",
                target_id="v",
                status="declared",
                origin={},
            ),
            Link(
                kind="employs",
                source_kind="vendor",
                source_id="w",
                target_kind="person",
                target_id="ri",
                status="observed",
                origin={},
            ),
            Link(
                kind="pays",
                source_kind="vendor",
                source_id="v",
                target_kind="person",
                target_id="ri",
                status="declared",
                origin={},
            ),
        ]
    )
    assert chain.vendors_of_subject("person", "ri") == ["v", "w"]
    assert chain.vendors_of_subject("vendor", "v") == ["v"]
    assert chain.vendors_of_subject("vendor", "nope") == []
