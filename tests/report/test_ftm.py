"""The FollowTheMoney export: every line a valid entity, every reference resolved within the file."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry

from celtrace.report import write_report
from celtrace.report.ftm import entity_id
from celtrace.workspace import Workspace
from tests.report.case import build_case


def _read(path: Path) -> list[EntityProxy]:
    entities = []
    for line in path.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        entities.append(model.get_proxy(data, cleaned=False))
    return entities


def test_export_reads_back_with_references_resolved(workspace: Workspace, tmp_path: Path) -> None:
    build_case(workspace)
    entities = _read(write_report(workspace, "ftm", tmp_path / "case.ftm.json"))
    ids = [entity.id for entity in entities]
    assert len(ids) == len(set(ids))
    assert all(entity_id and entity_id.startswith("celtrace-") for entity_id in ids)
    for entity in entities:
        for prop, value in entity.itervalues():
            if prop.type == registry.entity:
                assert value in ids, f"{entity.schema.name}.{prop.name} → {value} is not in the file"
    counts = Counter(entity.schema.name for entity in entities)
    assert counts == {
        "Company": 9,
        "Person": 3,
        "LegalEntity": 1,  # the Liaoning trading company, named only in a payment link
        "UnknownLink": 6,
        "Ownership": 2,
        "Directorship": 1,
        "Payment": 2,
        "UserAccount": 2,
    }


def test_entities_carry_the_record(workspace: Workspace, tmp_path: Path) -> None:
    build_case(workspace)
    entities = _read(write_report(workspace, "ftm", tmp_path / "case.ftm.json"))
    by_id = {entity.id: entity for entity in entities}
    hanbit = by_id["celtrace-vendor-hanbit"]
    assert hanbit.get("alias") == ["한빛모션"]
    assert hanbit.get("country") == ["kr"]
    assert hanbit.get("registrationNumber") == ["110111-4567890"]
    assert hanbit.get("website") == ["https://hanbit-motion.example/"]
    assert hanbit.get("phone") == ["+8225550100"]
    assert hanbit.get("address") == ["12 Teheran-ro, Gangnam-gu, Seoul"]
    assert any("hanbit-motion.example" in note for note in hanbit.get("notes"))
    kim = by_id["celtrace-person-kim"]
    assert (kim.get("nationality"), kim.get("birthDate"), kim.get("position")) == (["kp"], ["1979-04-15"], ["director"])

    subcontracts = [e for e in entities if e.schema.name == "UnknownLink"]
    observed = [e for e in subcontracts if e.get("status") == ["observed"]]
    assert {e.first("role") for e in subcontracts} == {"subcontractor"}
    assert len(observed) == 3
    assert any(
        e.get("subject") == ["celtrace-vendor-pinetree"] and e.get("object") == ["celtrace-vendor-mansudae"]
        for e in observed
    )
    [directorship] = [e for e in entities if e.schema.name == "Directorship"]
    assert (directorship.get("director"), directorship.get("organization")) == (
        ["celtrace-person-kim"],
        ["celtrace-vendor-pinetree"],
    )
    account = next(e for e in entities if e.schema.name == "UserAccount" and e.get("username") == ["pinetree01"])
    assert sorted(account.get("owner")) == ["celtrace-person-kim", "celtrace-vendor-pinetree"]
    assert account.get("service") == ["assets.studio.example"]


def test_ids_are_stable_across_exports(workspace: Workspace, tmp_path: Path) -> None:
    build_case(workspace)
    first = write_report(workspace, "ftm", tmp_path / "one.json").read_text(encoding="utf-8")
    second = write_report(workspace, "ftm", tmp_path / "two.json").read_text(encoding="utf-8")
    assert first == second


def test_entity_ids_are_valid_for_any_record_id() -> None:
    assert entity_id("vendor", "acme-01") == "celtrace-vendor-acme-01"
    hashed = entity_id("vendor", "Acme Animation / 上海")
    assert hashed.startswith("celtrace-vendor-") and registry.entity.validate(hashed)
    assert entity_id("vendor", "Acme Animation / 上海") == hashed
    assert entity_id("vendor", "a_b") != entity_id("vendor", "a-b")
    assert registry.entity.validate(entity_id("person", "-leading-dash"))
