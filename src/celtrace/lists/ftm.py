"""Reader for OpenSanctions exports in FollowTheMoney JSON Lines (``entities.ftm.json``).

One entity a line: ``{"id", "schema", "properties": {...}, "datasets", "target", ...}``. Only listed
parties become targets: entities of a party schema (Person, Organization, Company, LegalEntity,
PublicBody, Vessel, Airplane) that OpenSanctions does not mark as context. Skipped: other schemata
(Sanction, Address, Ownership...), entities with ``"target": false`` (owners, relatives, registry
records that are not themselves listed) and entities whose only sanctions topic is
``sanction.linked`` (linked to a listed party, not listed).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from followthemoney import model

from celtrace.errors import InputError
from celtrace.lists.model import Identifier, ListInfo, LoadedList, NameKind, Target, TargetSchema
from celtrace.lists.values import build_names, clean, country_code, identifier, iso_date, join, single_file, unique

FORMAT = "ftm"
LIST_NAME = "OpenSanctions"
# A longer line is hostile: OpenSanctions' largest entities are a few hundred kilobytes.
MAX_LINE = 32 * 2**20
# Most specific first: a Company is also an Organization, and both are LegalEntities.
_PARTIES: tuple[TargetSchema, ...] = ("Person", "Company", "Organization", "Vessel", "Airplane", "LegalEntity")
_NAMES: tuple[tuple[str, NameKind], ...] = (
    ("name", "primary"),
    ("alias", "aka"),
    ("previousName", "fka"),
    ("weakAlias", "weak"),
)
_COUNTRIES = ("country", "nationality", "citizenship", "jurisdiction")
_IDENTIFIERS = (
    "registrationNumber",
    "idNumber",
    "passportNumber",
    "taxNumber",
    "innCode",
    "ogrnCode",
    "swiftBic",
    "imoNumber",
)
_DATASETS = re.compile(rb'"datasets"\s*:\s*\[([^\]]*)\]')
_STRING = re.compile(rb'"((?:[^"\\]|\\.)*)"')


def sniff(path: Path, head: bytes) -> bool:
    """True when the first line is a JSON object with FollowTheMoney's ``id`` and ``schema`` keys."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    first = text.split(b"\n", 1)[0]
    return first.startswith(b"{") and all(re.search(rb'"%s"\s*:\s*"' % key, first) for key in (b"id", b"schema"))


def read(paths: list[Path], published: str | None = None) -> LoadedList:
    """The parties in one FtM JSON Lines file, streamed line by line.

    The list is "OpenSanctions: <dataset>" when every entity is in that dataset (an export of one
    source), else "OpenSanctions". ``published`` is the argument: the file carries no list date.
    """
    path = single_file(paths, FORMAT)
    dataset = _shared_dataset(path)
    name = f"{LIST_NAME}: {dataset}" if dataset else LIST_NAME
    return LoadedList(ListInfo(name, FORMAT, published, (str(path),)), _targets(path))


def _shared_dataset(path: Path) -> str | None:
    """The dataset every entity names, found by a quick scan that stops once none can be shared."""
    shared: set[bytes] | None = None
    for _number, line in _lines(path):
        if not line.strip():
            continue
        match = _DATASETS.search(line)
        found = set(_STRING.findall(match.group(1))) if match else set()
        shared = found if shared is None else shared & found
        if not shared:
            return None
    if not shared:
        return None
    return clean(min(shared).decode("utf-8", "replace"))


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    try:
        with path.open("rb") as stream:
            number = 0
            while line := stream.readline(MAX_LINE + 1):
                number += 1
                if len(line) > MAX_LINE:
                    raise InputError(f"line longer than {MAX_LINE} bytes", file=str(path), row=number)
                yield number, line
    except OSError as err:
        raise InputError(f"cannot read: {err}", file=str(path)) from None


def _targets(path: Path) -> Iterator[Target]:
    for number, line in _lines(path):
        if not line.strip():
            continue
        try:
            entity = json.loads(line)
        except (ValueError, RecursionError) as err:
            raise InputError(f"malformed JSON: {err}", file=str(path), row=number) from None
        target = _target(entity, path, number)
        if target is not None:
            yield target


def _target(entity: Any, path: Path, number: int) -> Target | None:
    if not isinstance(entity, dict):
        raise InputError("not a JSON object", file=str(path), row=number)
    entity_id, schema_name = clean(_text(entity.get("id"))), _text(entity.get("schema"))
    if not entity_id or not schema_name:
        raise InputError("an entity needs an id and a schema", file=str(path), row=number, field="id")
    props = entity.get("properties", {})
    if not isinstance(props, dict):
        raise InputError("properties is not an object", file=str(path), row=number, field="properties")
    schema = _party(schema_name)
    topics = _values(props, "topics")
    if schema is None or entity.get("target") is False or ("sanction.linked" in topics and "sanction" not in topics):
        return None
    listed: list[tuple[str | None, NameKind]] = [
        (value, kind) for prop, kind in _NAMES for value in _values(props, prop)
    ]
    caption = _text(entity.get("caption"))
    if caption in _values(props, "name"):
        # OpenSanctions' caption is the name it judged best to show; put it first.
        listed.insert(0, (caption, "primary"))
    names = build_names(listed)
    if not names:
        raise InputError(f"entity {entity_id} has no name", file=str(path), row=number, field="name")
    programs = _values(props, "programId") + _values(props, "program")
    created = sorted(date for value in _values(props, "createdAt") if (date := iso_date(value)))
    return Target(
        id=f"os-{entity_id}",
        schema=schema,
        names=names,
        # Without program ids the datasets (eu_fsf, us_ofac_sdn...) say which lists name the entity.
        programs=unique(map(clean, programs or _values(entity, "datasets"))),
        countries=unique(country_code(value) for prop in _COUNTRIES for value in _values(props, prop)),
        addresses=unique(map(clean, _values(props, "address"))),
        identifiers=_identifiers(props),
        birth_dates=unique(iso_date(value) for value in _values(props, "birthDate")),
        # OpenSanctions' createdAt is when the source first listed the entity.
        listed_on=created[0] if created else None,
        remarks=join(unique(map(clean, _values(props, "notes"))), "\n"),
    )


@lru_cache(maxsize=256)
def _party(name: str) -> TargetSchema | None:
    """The target schema for an FtM schema name, or None when it is not a party (or not FtM's)."""
    schema = model.get(name) if len(name) < 100 else None
    if schema is None:
        return None
    # PublicBody and other Organization kinds load as Organization; the model has no finer type.
    return next((party for party in _PARTIES if schema.is_a(party)), None)


def _identifiers(props: dict[str, Any]) -> list[Identifier]:
    return unique(identifier(prop, value) for prop in _IDENTIFIERS for value in _values(props, prop))


def _values(data: dict[str, Any], key: str) -> list[str]:
    """A property's string values; FtM stores lists, but a lone string is read as one value."""
    value = data.get(key)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
