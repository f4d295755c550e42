"""CHAIN.SANCTIONED_LINK: vendors owned, directed, staffed or paying through a sanctioned or DPRK-linked party."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from celtrace.chain.graph import Chain
from celtrace.config import Settings
from celtrace.detectors.finding import Finding, Severity, Subject
from celtrace.detectors.red_flags import load
from celtrace.detectors.sanctions import chain_hits
from celtrace.detectors.view import StoreView
from celtrace.workspace.schema import Link

RULE = "CHAIN.SANCTIONED_LINK"
#: How many links a path may have: owner of the owner of the vendor's payee is as far as evidence goes.
MAX_HOPS = 3

Node = tuple[str, str]


@dataclass(frozen=True)
class Flag:
    """Why a party is a source of risk: a sanctions list entry, or DPRK nationality or address."""

    node: Node
    reason: str
    sanctioned: bool


def sanctioned_links(view: StoreView, settings: Settings) -> Iterator[Finding]:
    """A path of ownership, direction, employment or payment links joins a vendor to a listed or DPRK party.

    A vendor is reached from a party when the party owns or directs it, when the vendor employs the
    party, or when the vendor pays the party, and so on through up to three links, following each link
    in the direction of control. Parties are those matching a sanctions list (SANCTIONS.MATCH) and
    people of North Korean nationality or companies declaring North Korea: UN Security Council
    resolution 2397 (2017) requires the return of all DPRK nationals earning income abroad. The path,
    with each link's status (declared or observed), is the evidence.
    """
    chain = view.chain
    onward = _onward(chain)
    for flag in _flags(view):
        for vendor_id, path in _reach(chain, onward, flag.node):
            hops = len(path)
            if flag.sanctioned:
                severity = Severity.CRITICAL if hops == 1 else Severity.HIGH
            else:
                severity = Severity.HIGH if hops == 1 else Severity.MEDIUM
            vendor = chain.vendors[vendor_id]
            party = _name(chain, flag.node)
            verb = _describe(path[-1])
            yield Finding(
                rule=RULE,
                severity=severity,
                subject=Subject("vendor", vendor.id, vendor.name),
                title=f"{verb} {party}, {flag.reason}"
                if hops == 1
                else f"Linked in {hops} steps to {party}, {flag.reason}",
                explanation=f"{vendor.name} is linked to {party} ({flag.reason}) through: "
                + "; ".join(_step(chain, link) for link in path)
                + ".",
                evidence={
                    "party": {"kind": flag.node[0], "id": flag.node[1], "name": party},
                    "reason": flag.reason,
                    "path": [
                        {
                            "from": {
                                "kind": link.source_kind,
                                "id": link.source_id,
                                "name": _name(chain, (link.source_kind, link.source_id)),
                            },
                            "link": link.kind,
                            "to": {
                                "kind": link.target_kind,
                                "id": link.target_id,
                                "name": _name(chain, (link.target_kind, link.target_id)),
                            },
                            "status": link.status,
                            "evidence": link.evidence,
                        }
                        for link in path
                    ],
                },
                key=f"{flag.node[0]}:{flag.node[1]}",
            )


def _flags(view: StoreView) -> Iterator[Flag]:
    chain = view.chain
    listed: dict[Node, str] = {}
    for hit in chain_hits(view):
        if hit.field == "payee":
            continue
        target = hit.match.target
        listed.setdefault((hit.subject.kind, hit.subject.id), f"a match for {target.caption} on {target.list_name}")
    for listed_node, reason in listed.items():
        yield Flag(listed_node, reason, sanctioned=True)
    dprk = load().dprk_countries
    for person in chain.people.values():
        if person.nationality in dprk and ("person", person.id) not in listed:
            yield Flag(("person", person.id), "a North Korean national", sanctioned=False)
    for vendor in chain.vendors.values():
        if vendor.country in dprk and ("vendor", vendor.id) not in listed:
            yield Flag(("vendor", vendor.id), "a company declaring North Korea", sanctioned=False)


def _onward(chain: Chain) -> dict[Node, list[tuple[Node, Link]]]:
    """From each party, the links to what it controls, staffs or is paid by (built once per run)."""
    onward: dict[Node, list[tuple[Node, Link]]] = {}
    for link in chain.links:
        source, target = (link.source_kind, link.source_id), (link.target_kind, link.target_id)
        if link.kind in ("owns", "directs"):
            onward.setdefault(source, []).append((target, link))
        elif link.kind in ("employs", "pays"):
            onward.setdefault(target, []).append((source, link))
    return onward


def _reach(chain: Chain, onward: dict[Node, list[tuple[Node, Link]]], start: Node) -> Iterator[tuple[str, list[Link]]]:
    """Vendors the party at ``start`` controls, staffs or is paid by, with the shortest path to each."""
    paths: dict[Node, list[Link]] = {start: []}
    queue: deque[Node] = deque([start])
    while queue:
        node = queue.popleft()
        if len(paths[node]) >= MAX_HOPS:
            continue
        for nxt, link in onward.get(node, []):
            if nxt not in paths and nxt[0] == "vendor" and nxt[1] in chain.vendors:
                paths[nxt] = [*paths[node], link]
                queue.append(nxt)
                yield nxt[1], paths[nxt]


def _name(chain: Chain, node: Node) -> str:
    kind, node_id = node
    party = chain.vendors.get(node_id) if kind == "vendor" else chain.people.get(node_id)
    return party.name if party else node_id


def _describe(link: Link) -> str:
    return {"owns": "Owned by", "directs": "Directed by", "employs": "Employs", "pays": "Pays"}[link.kind]


def _step(chain: Chain, link: Link) -> str:
    source = _name(chain, (link.source_kind, link.source_id))
    target = _name(chain, (link.target_kind, link.target_id))
    return f"{source} {link.kind.replace('_', ' ')} {target} ({link.status})"
