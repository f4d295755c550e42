"""Importing chain files into the store, on SQLite and PostgreSQL: idempotence, partial updates, matching,
references between records, and all-or-nothing files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from celtrace.chain.importer import import_chain_file
from celtrace.errors import InputError
from celtrace.workspace import Workspace
from celtrace.workspace.schema import Account, AuditEntry, Link, Person, Vendor
from tests.chain.helpers import attempt, audit_actions, counts, expect_input_error, snapshot, workbook, write

CHAIN = {
    "vendors": [
        {"id": "top", "name": "Top Studio", "country": "us"},
        {"id": "t1", "name": "Seoul Tier One", "country": "South Korea", "client": "top", "phones": ["+82 2 1"]},
        {
            "id": "t2",
            "name": "Shenyang Line",
            "country": "cn",
            "client": "Seoul Tier One",
            "client_status": "observed",
            "languages": "Korean;Mandarin",
            "email_domains": ["ops@sy.cn"],
        },
    ],
    "people": [
        {"id": "p1", "name": "Kim Chol", "nationality": "kp", "vendor": "t2", "relation": "owns"},
        {"id": "p2", "name": "Li Wei", "vendor": "Shenyang Line"},
    ],
    "links": [{"source": "t2", "target": "p1", "kind": "pays", "status": "observed", "evidence": "bank slip"}],
    "accounts": [{"username": "kchol", "portal": "assets", "vendor": "t2", "person": "Kim Chol"}],
}


def _json(folder: Path, name: str, data: Any) -> Path:
    return write(folder, name, json.dumps(data, ensure_ascii=False))


def _links(workspace: Workspace) -> set[tuple[str, str, str, str, str, str, str]]:
    with workspace.session() as session:
        return {
            (
                link.kind,
                link.source_kind,
                link.source_id,
                link.target_kind,
                link.target_id,
                link.status,
                link.evidence or "",
            )
            for link in session.scalars(select(Link))
        }


def _vendors(workspace: Workspace) -> dict[str, Vendor]:
    with workspace.session() as session:
        return {vendor.id: vendor for vendor in session.scalars(select(Vendor))}


def _people(workspace: Workspace) -> dict[str, Person]:
    with workspace.session() as session:
        return {person.id: person for person in session.scalars(select(Person))}


def _accounts(workspace: Workspace) -> dict[str, Account]:
    with workspace.session() as session:
        return {account.username: account for account in session.scalars(select(Account))}


# --- idempotence -----------------------------------------------------------------------------------


def test_a_whole_chain_imports(workspace: Workspace, tmp_path: Path) -> None:
    path = _json(tmp_path, "chain.json", CHAIN)
    summary = import_chain_file(workspace, path)
    assert summary.file == str(path)
    assert dict(summary.counts) == {
        "vendor created": 3,
        "person created": 2,
        "link created": 5,
        "account created": 1,
    }
    assert summary.changed == 11
    assert summary.to_json() == {
        "file": str(path),
        "changed": 11,
        "counts": {"account created": 1, "link created": 5, "person created": 2, "vendor created": 3},
    }
    vendors = _vendors(workspace)
    assert (vendors["t1"].country, vendors["t1"].phones) == ("kr", ["+82 2 1"])
    assert (vendors["t2"].languages, vendors["t2"].email_domains) == (["ko", "zh"], ["sy.cn"])
    assert vendors["t2"].origin == {"file": f"{path} [vendors]", "row": 3}
    assert _people(workspace)["p1"].nationality == "kp"
    assert _links(workspace) == {
        ("subcontracts_to", "vendor", "top", "vendor", "t1", "declared", ""),
        ("subcontracts_to", "vendor", "t1", "vendor", "t2", "observed", ""),
        ("owns", "person", "p1", "vendor", "t2", "declared", ""),
        ("employs", "vendor", "t2", "person", "p2", "declared", ""),
        ("pays", "vendor", "t2", "person", "p1", "observed", "bank slip"),
    }
    account = _accounts(workspace)["kchol"]
    assert (account.portal, account.vendor_id, account.person_id) == ("assets", "t2", "p1")


def test_importing_the_same_file_twice_changes_nothing(workspace: Workspace, tmp_path: Path) -> None:
    path = _json(tmp_path, "chain.json", CHAIN)
    import_chain_file(workspace, path)
    before = snapshot(workspace)

    again = import_chain_file(workspace, path)
    assert again.changed == 0
    assert dict(again.counts) == {
        "vendor unchanged": 3,
        "person unchanged": 2,
        "link unchanged": 5,
        "account unchanged": 1,
    }
    assert snapshot(workspace) == before
    assert audit_actions(workspace) == ["init", "vendors import"]


def test_each_changing_import_leaves_one_audit_entry(workspace: Workspace, tmp_path: Path) -> None:
    first = write(tmp_path, "vendors.csv", "name,country\nAcme,kr\n")
    import_chain_file(workspace, first)
    import_chain_file(workspace, first)
    copy = write(tmp_path, "copy.csv", "name,country\nAcme,kr\n")
    assert import_chain_file(workspace, copy).changed == 0
    second = write(tmp_path, "second.csv", "name,country\nAcme,kp\n")
    assert import_chain_file(workspace, second).changed == 1
    assert audit_actions(workspace) == ["init", "vendors import", "vendors import"]
    with workspace.session() as session:
        entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    assert entries[1].detail == {
        "file": str(first),
        "sha256": hashlib.sha256(first.read_bytes()).hexdigest(),
        "counts": {"vendor created": 1},
    }
    assert entries[2].detail["counts"] == {"vendor updated": 1}
    assert entries[2].actor == "tester"


def test_csv_of_name_and_country_is_enough(workspace: Workspace, tmp_path: Path) -> None:
    summary = import_chain_file(workspace, write(tmp_path, "list.csv", "name,country\nAcme,Korea\nBeta,DPRK\n"))
    assert summary.counts["vendor created"] == 2
    vendors = _vendors(workspace)
    assert {v.name: v.country for v in vendors.values()} == {"Acme": "kr", "Beta": "kp"}
    assert all(v.phones == [] and v.aliases == [] and v.languages == [] for v in vendors.values())


# --- partial updates -------------------------------------------------------------------------------


def test_only_the_columns_a_file_has_are_written(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "full.csv", "name,country,phones,city\nAcme,kr,+82 1;+82 2,Seoul\n"))
    summary = import_chain_file(workspace, write(tmp_path, "later.csv", "name,country\nAcme,cn\n"))
    assert dict(summary.counts) == {"vendor updated": 1}
    [vendor] = _vendors(workspace).values()
    assert vendor.country == "cn"
    assert vendor.phones == ["+82 1", "+82 2"]
    assert vendor.city == "Seoul"

    import_chain_file(workspace, write(tmp_path, "notes.csv", "name,notes\nAcme,checked\n"))
    [vendor] = _vendors(workspace).values()
    assert (vendor.country, vendor.phones, vendor.city, vendor.notes) == ("cn", ["+82 1", "+82 2"], "Seoul", "checked")


def test_short_row_leaves_the_missing_columns_alone(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "a.csv", "name,country,phones\nAcme,kr,1\n"))
    import_chain_file(workspace, write(tmp_path, "b.csv", "name,country,phones\nAcme,cn\n"))
    [vendor] = _vendors(workspace).values()
    assert (vendor.country, vendor.phones) == ("cn", ["1"])


def test_person_columns_are_updated_partially_too(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "people.csv", "name,nationality,birth_date\nKim,kp,1985-03\n"))
    import_chain_file(workspace, write(tmp_path, "people2.csv", "name,role\nKim,animator\n"))
    [person] = _people(workspace).values()
    assert (person.nationality, person.birth_date, person.role) == ("kp", "1985-03", "animator")


# --- matching --------------------------------------------------------------------------------------


def test_matching_by_id(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "a.csv", "id,name,phones\nV1,Acme,1\n"))
    summary = import_chain_file(workspace, write(tmp_path, "b.csv", "id,name,country\nV1,Acme Animation Co,kr\n"))
    assert dict(summary.counts) == {"vendor updated": 1}
    assert {k: (v.name, v.country, v.phones) for k, v in _vendors(workspace).items()} == {
        "V1": ("Acme Animation Co", "kr", ["1"])
    }


def test_matching_by_name_ignores_case_and_spacing(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "a.csv", "name,country\nAcme Studio,kr\n"))
    import_chain_file(workspace, write(tmp_path, "b.csv", 'name,phones\n"  ACME \t studio ",123\n'))
    [vendor] = _vendors(workspace).values()
    assert vendor.id == "acme-studio"
    assert (vendor.country, vendor.phones) == ("kr", ["123"])


def test_name_matching_is_per_kind(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "vendors.csv", "name\nKim Design\n"))
    import_chain_file(workspace, write(tmp_path, "people.csv", "name\nKim Design\n"))
    assert len(_vendors(workspace)) == 1
    assert len(_people(workspace)) == 1


def test_new_ids_are_slugs_made_unique(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "a.csv", "id,name\nacme,Other Name\n"))
    import_chain_file(workspace, write(tmp_path, "b.csv", "name\nAcme\n평양 화실\n"))
    vendors = _vendors(workspace)
    assert vendors["acme"].name == "Other Name"
    assert vendors["acme-2"].name == "Acme"
    assert len(vendors) == 3
    assert all(0 < len(vendor_id) <= 200 for vendor_id in vendors)


def test_references_may_use_an_alias(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "a.csv", "id,name,aliases\nv1,Acme Animation,ACME;Acme Anim\n"))
    import_chain_file(workspace, write(tmp_path, "b.csv", "id,name,client\nv2,Beta,acme anim\n"))
    assert _links(workspace) == {("subcontracts_to", "vendor", "v1", "vendor", "v2", "declared", "")}


# --- references between records -------------------------------------------------------------------


def test_vendor_client_column_makes_declared_and_observed_links(workspace: Workspace, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "vendors.csv",
        "id,name,client,client_status\n"
        "b,Beta,Alpha,\n"  # the client may come later in the same file
        "a,Alpha,studio,\n"  # the studio itself: no link
        "c,Gamma,b,observed\n"
        "d,Delta,-,\n"
        "e,Epsilon,,\n"
        "f,Foxtrot,NONE,declared\n",
    )
    import_chain_file(workspace, path)
    assert _links(workspace) == {
        ("subcontracts_to", "vendor", "a", "vendor", "b", "declared", ""),
        ("subcontracts_to", "vendor", "b", "vendor", "c", "observed", ""),
    }


def test_declared_and_observed_links_are_kept_apart(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "a.csv", "id,name,client\na,Alpha,\nb,Beta,a\n"))
    import_chain_file(workspace, write(tmp_path, "b.csv", "id,name,client,client_status\nb,Beta,a,observed\n"))
    assert _links(workspace) == {
        ("subcontracts_to", "vendor", "a", "vendor", "b", "declared", ""),
        ("subcontracts_to", "vendor", "a", "vendor", "b", "observed", ""),
    }


def test_unknown_client_names_the_row_and_column(workspace: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "vendors.csv", "name,client\nAlpha,\nBeta,Alpha\nGamma,Nobody Ltd\n")
    before = snapshot(workspace)
    error = expect_input_error(lambda: import_chain_file(workspace, path))
    assert (error.file, error.row, error.field) == (str(path), 4, "client")
    assert "Nobody Ltd" in str(error)
    assert snapshot(workspace) == before


@pytest.mark.parametrize(
    ("relation", "expected"),
    [
        ("owns", ("owns", "person", "p", "vendor", "v")),
        ("Directs", ("directs", "person", "p", "vendor", "v")),
        ("employs", ("employs", "vendor", "v", "person", "p")),
        ("", ("employs", "vendor", "v", "person", "p")),
    ],
)
def test_people_vendor_and_relation_make_links(
    workspace: Workspace, tmp_path: Path, relation: str, expected: tuple[str, ...]
) -> None:
    import_chain_file(workspace, write(tmp_path, "vendors.csv", "id,name\nv,Vendor Co\n"))
    people = write(tmp_path, "people.csv", f"id,name,vendor,relation\np,Pak,Vendor Co,{relation}\n")
    import_chain_file(workspace, people)
    assert _links(workspace) == {(*expected, "declared", "")}


def test_people_vendor_without_relation_column_means_employs(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "vendors.csv", "id,name\nv,Vendor Co\n"))
    import_chain_file(workspace, write(tmp_path, "people.csv", "name,vendor\nPak,v\nRi,\n"))
    assert _links(workspace) == {("employs", "vendor", "v", "person", "pak", "declared", "")}


def test_bad_relation_is_an_input_error(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "vendors.csv", "id,name\nv,Vendor Co\n"))
    path = write(tmp_path, "people.csv", "name,vendor,relation\nPak,v,befriends\n")
    error = expect_input_error(lambda: import_chain_file(workspace, path))
    assert (error.row, error.field) == (2, "relation")


def test_links_file_joins_parties_of_both_kinds(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, _json(tmp_path, "base.json", CHAIN))
    path = write(
        tmp_path,
        "links.csv",
        "source,target,type,status,production,evidence\n"
        "Kim Chol,Seoul Tier One,directs,observed,,registry\n"
        "top,t2,pays,declared,Ep 4,invoice 17\n",
    )
    summary = import_chain_file(workspace, path)
    assert dict(summary.counts) == {"link created": 2}
    assert ("directs", "person", "p1", "vendor", "t1", "observed", "registry") in _links(workspace)
    with workspace.session() as session:
        link = session.scalars(select(Link).where(Link.kind == "pays", Link.source_id == "top")).one()
    assert (link.production, link.evidence, link.origin) == ("Ep 4", "invoice 17", {"file": str(path), "row": 3})

    changed = write(tmp_path, "links2.csv", "source,target,kind,status,evidence\ntop,t2,pays,declared,invoice 18\n")
    assert dict(import_chain_file(workspace, changed).counts) == {"link updated": 1}
    with workspace.session() as session:
        link = session.scalars(select(Link).where(Link.kind == "pays", Link.source_id == "top")).one()
    assert (link.production, link.evidence) == ("Ep 4", "invoice 18")


def test_links_file_without_a_status_column(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "vendors.csv", "id,name\na,Alpha\nb,Beta\n"))
    path = write(tmp_path, "links.csv", "source,target,kind\na,b,pays\n")
    outcome = attempt(lambda: import_chain_file(workspace, path))
    assert not isinstance(outcome, InputError), str(outcome)
    assert _links(workspace) == {("pays", "vendor", "a", "vendor", "b", "declared", "")}


@pytest.mark.parametrize(
    ("row", "field"),
    [("Alpha,Nobody Ltd,owns", "target"), ("Nobody Ltd,Alpha,owns", "source"), ("Kim,Alpha,employs", "source")],
)
def test_links_file_with_unknown_party_keeps_nothing(
    workspace: Workspace, tmp_path: Path, row: str, field: str
) -> None:
    import_chain_file(workspace, write(tmp_path, "vendors.csv", "name\nAlpha\nBeta\n"))
    import_chain_file(workspace, write(tmp_path, "people.csv", "name\nKim\n"))
    before = snapshot(workspace)
    path = write(tmp_path, "links.csv", f"source,target,kind,status\nAlpha,Beta,subcontracts_to,\n{row},\n")
    error = expect_input_error(lambda: import_chain_file(workspace, path))
    assert (error.file, error.row, error.field) == (str(path), 3, field)
    assert snapshot(workspace) == before


def test_a_failing_file_keeps_none_of_its_vendors(workspace: Workspace, tmp_path: Path) -> None:
    data = {
        "vendors": [{"name": "New One"}, {"name": "New Two", "client": "New One"}],
        "people": [{"name": "New Person", "vendor": "New Two"}],
        "accounts": [{"username": "new", "vendor": "New One"}, {"username": "ghost", "vendor": "Ghost Ltd"}],
    }
    before = snapshot(workspace)
    path = _json(tmp_path, "chain.json", data)
    error = expect_input_error(lambda: import_chain_file(workspace, path))
    assert (error.file, error.row, error.field) == (f"{path} [accounts]", 2, "vendor")
    assert snapshot(workspace) == before


# --- ambiguity and self-links ----------------------------------------------------------------------


def test_ambiguous_reference_must_use_an_id(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "vendors.csv", "id,name\nv1,Acme\nv2,ACME\nv3,Beta\n"))
    path = write(tmp_path, "links.csv", "source,target,kind,status\nBeta,acme,subcontracts_to,\n")
    error = expect_input_error(lambda: import_chain_file(workspace, path))
    assert (error.row, error.field) == (2, "target")
    assert "several parties are named 'acme': use an id" in str(error)

    by_id = write(tmp_path, "links2.csv", "source,target,kind,status\nBeta,v2,subcontracts_to,\n")
    import_chain_file(workspace, by_id)
    assert _links(workspace) == {("subcontracts_to", "vendor", "v3", "vendor", "v2", "declared", "")}


def test_ambiguous_reference_across_kinds(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "vendors.csv", "id,name\nv1,Kim Art\nv2,Other\n"))
    import_chain_file(workspace, write(tmp_path, "people.csv", "id,name\np1,Kim Art\n"))
    path = write(tmp_path, "links.csv", "source,target,kind,status\nKim Art,Other,pays,\n")
    error = expect_input_error(lambda: import_chain_file(workspace, path))
    assert (error.row, error.field) == (2, "source")
    ok = write(tmp_path, "links2.csv", "source,target,kind,status\nKim Art,Other,subcontracts_to,\n")
    assert import_chain_file(workspace, ok).changed == 1  # only vendors can subcontract: no ambiguity


def test_ambiguous_name_in_a_vendor_file_is_an_error_not_a_new_vendor(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "ids.csv", "id,name\nv1,Acme\nv2,Acme\n"))
    before = snapshot(workspace)
    path = write(tmp_path, "by-name.csv", "name,country\nAcme,kr\n")
    outcome = attempt(lambda: import_chain_file(workspace, path))
    assert isinstance(outcome, InputError), f"imported: {outcome}"
    assert outcome.row == 2
    assert snapshot(workspace) == before


def test_a_file_naming_one_vendor_twice_is_still_idempotent(workspace: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "vendors.csv", "name,country\nBeta,kr\nbeta,cn\n")
    first = attempt(lambda: import_chain_file(workspace, path))
    if isinstance(first, InputError):  # rejecting the duplicate row is a fix too
        assert first.row == 3
        return
    assert import_chain_file(workspace, path).changed == 0


@pytest.mark.parametrize(
    ("name", "content", "row"),
    [
        ("links.csv", "source,target,kind,status\nv1,v2,pays,\nv1,v1,subcontracts_to,\n", 3),
        ("links2.csv", "source,target,kind,status\nAlpha,alpha,pays,\n", 2),
        ("vendors.csv", "id,name,client\nv9,Self Made,Self Made\n", 2),
    ],
)
def test_self_links_are_rejected(workspace: Workspace, tmp_path: Path, name: str, content: str, row: int) -> None:
    import_chain_file(workspace, write(tmp_path, "base.csv", "id,name\nv1,Alpha\nv2,Beta\n"))
    before = snapshot(workspace)
    path = write(tmp_path, name, content)
    error = expect_input_error(lambda: import_chain_file(workspace, path))
    assert (error.file, error.row) == (str(path), row)
    assert "itself" in error.message
    assert snapshot(workspace) == before


def test_self_link_error_names_the_field(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "base.csv", "id,name\nv1,Alpha\n"))
    path = write(tmp_path, "links.csv", "source,target,kind,status\nv1,v1,pays,\n")
    error = expect_input_error(lambda: import_chain_file(workspace, path))
    assert error.field == "target"


# --- accounts --------------------------------------------------------------------------------------


def test_accounts_belong_to_vendors_and_people(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, _json(tmp_path, "base.json", CHAIN))
    path = write(
        tmp_path,
        "accounts.csv",
        "Login,Portal,Vendor,Person\nli.wei,assets,Shenyang Line,Li Wei\nshared,,t1,\nkchol,assets,t1,\n",
    )
    summary = import_chain_file(workspace, path)
    assert dict(summary.counts) == {"account created": 2, "account updated": 1}
    accounts = _accounts(workspace)
    assert (accounts["li.wei"].portal, accounts["li.wei"].vendor_id, accounts["li.wei"].person_id) == (
        "assets",
        "t2",
        "p2",
    )
    assert (accounts["shared"].portal, accounts["shared"].vendor_id, accounts["shared"].person_id) == ("", "t1", None)
    assert (accounts["kchol"].vendor_id, accounts["kchol"].person_id) == ("t1", None)
    assert import_chain_file(workspace, path).changed == 0


def test_account_columns_not_in_the_file_are_kept(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, _json(tmp_path, "base.json", CHAIN))
    summary = import_chain_file(workspace, write(tmp_path, "accounts.csv", "username,portal\nkchol,assets\n"))
    assert dict(summary.counts) == {"account unchanged": 1}
    account = _accounts(workspace)["kchol"]
    assert (account.vendor_id, account.person_id) == ("t2", "p1")


def test_same_username_on_two_portals_is_two_accounts(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "vendors.csv", "id,name\nv,Vendor\n"))
    import_chain_file(workspace, write(tmp_path, "accounts.csv", "username,portal,vendor\nkim,assets,v\nkim,ftp,v\n"))
    assert counts(workspace)["accounts"] == 2


def test_account_of_unknown_person_keeps_nothing(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "vendors.csv", "id,name\nv,Vendor\n"))
    before = snapshot(workspace)
    path = write(tmp_path, "accounts.csv", "username,vendor,person\nok,v,\nbad,v,Nobody\n")
    error = expect_input_error(lambda: import_chain_file(workspace, path))
    assert (error.row, error.field) == (3, "person")
    assert snapshot(workspace) == before


# --- several kinds and several files ---------------------------------------------------------------


def test_multi_sheet_workbook_with_all_four_kinds(workspace: Workspace, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "chain.xlsx",
        {
            "Vendors": [
                ["ID", "Name", "Country", "Client", "Client Status", "Phone"],
                ["top", "Top Studio", "US", None, None, None],
                ["t1", "Dandong Art", "China", "top", "declared", 8641512345678],
                ["t2", "Mansudae Team", "North Korea", "t1", "observed", None],
            ],
            "People": [["Name", "Vendor", "Relation", "Date of Birth"], ["Ri Song", "t2", "directs", 1979]],
            "Links": [["Source", "Target", "Kind", "Status", "Evidence"], ["t1", "t2", "pays", "observed", "wire"]],
            "Accounts": [["Username", "Portal", "Vendor", "Person"], ["risong", "assets", "t1", "Ri Song"]],
        },
    )
    summary = import_chain_file(workspace, path)
    assert dict(summary.counts) == {
        "vendor created": 3,
        "person created": 1,
        "link created": 4,
        "account created": 1,
    }
    assert {k: (v.country, v.phones) for k, v in _vendors(workspace).items()} == {
        "top": ("us", []),
        "t1": ("cn", ["8641512345678"]),
        "t2": ("kp", []),
    }
    assert _people(workspace)["ri-song"].birth_date == "1979"
    assert _links(workspace) == {
        ("subcontracts_to", "vendor", "top", "vendor", "t1", "declared", ""),
        ("subcontracts_to", "vendor", "t1", "vendor", "t2", "observed", ""),
        ("directs", "person", "ri-song", "vendor", "t2", "declared", ""),
        ("pays", "vendor", "t1", "vendor", "t2", "observed", "wire"),
    }
    account = _accounts(workspace)["risong"]
    assert (account.vendor_id, account.person_id) == ("t1", "ri-song")
    before = snapshot(workspace)
    assert import_chain_file(workspace, path).changed == 0
    assert snapshot(workspace) == before


def test_workbook_error_in_a_later_sheet_keeps_nothing(workspace: Workspace, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "chain.xlsx",
        {
            "Vendors": [["Name"], ["Alpha"], ["Beta"]],
            "Links": [
                ["Source", "Target", "Kind", "Status"],
                ["Alpha", "Beta", "pays", None],
                ["Alpha", "Zed", "pays"],
            ],
        },
    )
    before = snapshot(workspace)
    error = expect_input_error(lambda: import_chain_file(workspace, path))
    assert (error.file, error.row, error.field) == (f"{path} [Links]", 3, "target")
    assert snapshot(workspace) == before


def test_second_file_failing_keeps_the_first(workspace: Workspace, tmp_path: Path) -> None:
    first = write(tmp_path, "vendors.csv", "name,country\nAlpha,kr\nBeta,cn\n")
    second = write(tmp_path, "more.csv", "name,country\nGamma,kr\nDelta,Atlantis\n")
    import_chain_file(workspace, first)
    after_first = snapshot(workspace)
    error = expect_input_error(lambda: import_chain_file(workspace, second))
    assert (error.file, error.row, error.field) == (str(second), 3, "country")
    assert snapshot(workspace) == after_first
    assert {v.name for v in _vendors(workspace).values()} == {"Alpha", "Beta"}
    assert audit_actions(workspace) == ["init", "vendors import"]


def test_kind_and_encoding_are_passed_to_the_reader(workspace: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "list.csv", "name,notes\n김철,평양\n".encode("cp949"))
    expect_input_error(lambda: import_chain_file(workspace, path))
    summary = import_chain_file(workspace, path, kind="people", encoding="cp949")
    assert dict(summary.counts) == {"person created": 1}
    [person] = _people(workspace).values()
    assert (person.name, person.notes) == ("김철", "평양")


def test_a_row_matched_through_an_alias_keeps_the_vendors_name(workspace: Workspace, tmp_path: Path) -> None:
    import_chain_file(workspace, write(tmp_path, "a.csv", "id,name,aliases\nv1,Acme Animation,Acme Anim\n"))
    summary = import_chain_file(workspace, write(tmp_path, "b.csv", "name,country\nacme anim,KR\n"))
    assert summary.counts == {"vendor updated": 1}
    with workspace.session() as session:
        vendor = session.get(Vendor, "v1")
        assert vendor is not None and (vendor.name, vendor.country) == ("Acme Animation", "kr")
