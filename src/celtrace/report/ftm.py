"""The chain as FollowTheMoney entities, one JSON object a line, for Aleph, OpenAleph, yente or nomenklatura.

Ids are ``celtrace-<kind>-<id>`` so that exporting the same workspace twice gives the same entities and an
investigator can merge exports. A link end the workspace does not hold (a bank, a person named only in a
link) becomes a bare LegalEntity, so every reference in the file resolves within it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.util import make_entity_id

#: Link kind → (FtM schema, property for the link's source, property for its target).
LINK_SCHEMATA: Mapping[str, tuple[str, str, str]] = {
    "owns": ("Ownership", "owner", "asset"),
    "directs": ("Directorship", "director", "organization"),
    "employs": ("Employment", "employer", "employee"),
    "pays": ("Payment", "payer", "beneficiary"),
}
# FtM entity ids allow letters, digits, dots and hyphens, starting and ending alphanumeric.
_SAFE_ID = re.compile(r"^[0-9A-Za-z]([0-9A-Za-z.\-]{0,62}[0-9A-Za-z])?$")


def entity_id(kind: str, record_id: str) -> str:
    """``celtrace-vendor-acme-01``; a record id FtM would reject is replaced by its SHA-1."""
    slug = record_id if _SAFE_ID.match(record_id) else make_entity_id("celtrace", kind, record_id)
    return f"celtrace-{kind}-{slug}"


def ftm_entities(report: Mapping[str, Any]) -> Iterator[EntityProxy]:
    """Companies, people, their relations and portal accounts, from a report made by ``build_report``."""
    known: dict[str, EntityProxy] = {}
    for vendor in report["vendors"]:
        company = _company(vendor)
        known[company.id or ""] = company
        yield company
    for person in report["people"]:
        proxy = _person(person)
        known[proxy.id or ""] = proxy
        yield proxy
    for link in report["links"]:
        ends = []
        for end in (link["source"], link["target"]):
            end_id = entity_id(end["kind"], end["id"])
            if end_id not in known:
                known[end_id] = _placeholder(end, end_id)
                yield known[end_id]
            ends.append(known[end_id])
        yield _relation(link, ends[0], ends[1])
    for account in report["accounts"]:
        yield _account(account)


def render_ftm(report: Mapping[str, Any]) -> str:
    """The entities as JSON Lines, in the form ``followthemoney`` tools read (``model.get_proxy``)."""
    return "".join(
        json.dumps(entity.to_dict(), ensure_ascii=False, sort_keys=True) + "\n" for entity in ftm_entities(report)
    )


def _company(vendor: Mapping[str, Any]) -> EntityProxy:
    company = model.make_entity("Company")
    company.id = entity_id("vendor", vendor["id"])
    company.add("name", vendor["name"])
    company.add("alias", vendor["aliases"])
    company.add("country", vendor["country"])
    company.add("address", _address(vendor))
    company.add("registrationNumber", vendor.get("registration_numbers", []))
    company.add("website", vendor.get("website"))
    company.add("phone", vendor.get("phones", []))
    notes = []
    if vendor.get("email_domains"):
        # FtM has no property for a bare mail domain; notes keep it searchable.
        notes.append("Email domains: " + ", ".join(vendor["email_domains"]))
    if vendor.get("bank_country"):
        notes.append(f"Bank country: {vendor['bank_country'].upper()}")
    risk = vendor["risk"]
    notes.append(f"celtrace risk score {risk['score']:g} of 100 ({risk['level']}), tier {vendor['tier']}")
    company.add("notes", notes)
    company.add("description", vendor.get("notes"))
    return company


def _address(vendor: Mapping[str, Any]) -> str | None:
    address, city = vendor.get("address"), vendor.get("city")
    if address and city and city.casefold() not in address.casefold():
        return f"{address}, {city}"
    return address or city


def _person(person: Mapping[str, Any]) -> EntityProxy:
    proxy = model.make_entity("Person")
    proxy.id = entity_id("person", person["id"])
    proxy.add("name", person["name"])
    proxy.add("alias", person["aliases"])
    proxy.add("nationality", person["nationality"])
    proxy.add("birthDate", person["birth_date"])
    proxy.add("position", person["role"])
    proxy.add("notes", person.get("notes"))
    return proxy


def _placeholder(end: Mapping[str, Any], end_id: str) -> EntityProxy:
    proxy = model.make_entity("LegalEntity")
    proxy.id = end_id
    proxy.add("name", end["name"])
    proxy.add("notes", f"Named in a celtrace link as {end['kind']} {end['id']}; not held in the workspace.")
    return proxy


def _relation(link: Mapping[str, Any], source: EntityProxy, target: EntityProxy) -> EntityProxy:
    """The FtM interval for a link, or an UnknownLink when the kind or the ends do not fit one."""
    schema_name, source_prop, target_prop = LINK_SCHEMATA.get(link["kind"], ("UnknownLink", "subject", "object"))
    schema = model.get(schema_name)
    assert schema is not None
    source_range = schema.properties[source_prop].range
    target_range = schema.properties[target_prop].range
    if not (source_range and source.schema.is_a(source_range) and target_range and target.schema.is_a(target_range)):
        # e.g. a person "employing" a person: keep the fact, loosely typed, rather than drop it.
        schema_name, source_prop, target_prop = "UnknownLink", "subject", "object"
    proxy = model.make_entity(schema_name)
    # The store's own link id depends on insertion order; the link's identifying fields do not.
    source_end, target_end = link["source"], link["target"]
    proxy.id = "celtrace-link-" + str(
        make_entity_id(
            link["kind"], source_end["kind"], source_end["id"], target_end["kind"], target_end["id"], link["status"]
        )
    )
    proxy.add(source_prop, source.id)
    proxy.add(target_prop, target.id)
    if schema_name == "UnknownLink":
        proxy.add("role", "subcontractor" if link["kind"] == "subcontracts_to" else link["kind"])
    if schema_name != "Payment":
        proxy.add("status", link["status"])
    else:
        proxy.add("summary", f"status: {link['status']}")
    proxy.add("summary", f"Production: {link['production']}" if link["production"] else None)
    proxy.add("description", link["evidence"])
    return proxy


def _account(account: Mapping[str, Any]) -> EntityProxy:
    proxy = model.make_entity("UserAccount")
    proxy.id = entity_id("account", account["id"])
    proxy.add("username", account["username"])
    proxy.add("service", account["portal"] or None)
    for kind in ("person", "vendor"):
        if account[kind]:
            proxy.add("owner", entity_id(kind, account[kind]))
    return proxy
