"""OFAC's legacy CSV files: sdn.csv (or cons_prim.csv) with alt, add and comments files beside it.

The files have no header row and write ``-0-`` for an empty field. One list is several files joined on
``ent_num``; the user passes them in any order and :func:`read` tells them apart by name (else by width).
Much of an entry lives in its Remarks, which :mod:`celtrace.lists.ofac_remarks` turns into the target model.
The entry number pattern and list names here also serve the two OFAC XML readers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from celtrace.errors import InputError
from celtrace.lists.model import Identifier, ListInfo, LoadedList, NameKind, Target, TargetName, TargetSchema
from celtrace.lists.ofac_remarks import parse_remarks
from celtrace.lists.values import country_code, detect_script, unique

FORMAT = "ofac-csv"
SDN_LIST = "OFAC SDN"
CONS_LIST = "OFAC Consolidated (non-SDN)"
#: A line longer than this is not OFAC's (the longest real one is ~4 KiB); refusing it bounds memory.
MAX_LINE = 1 << 20

# Longer names first: "sdn_comments" must not be taken for "sdn".
_ROLES = (
    ("sdn_comments", "comments"), ("cons_comments", "comments"), ("cons_prim", "primary"),
    ("cons_alt", "alt"), ("cons_add", "add"), ("alt", "alt"), ("add", "add"), ("sdn", "primary"),
)  # fmt: skip
_WIDTHS = {"primary": 12, "alt": 5, "add": 6, "comments": 2}
_SCHEMAS: dict[str, TargetSchema] = {
    "individual": "Person", "vessel": "Vessel", "aircraft": "Airplane", "": "Organization",
}  # fmt: skip
# The model has no "now known as": an n.k.a. is another current name, so it screens like an a.k.a.
ALIAS_KINDS: dict[str, NameKind] = {"aka": "aka", "fka": "fka", "nka": "aka"}
#: An OFAC entry number (ent_num, uid, FixedRef); bounded, because int() refuses very long digit strings.
ENT_NUM = re.compile(r"[0-9]{1,18}")
_PRIMARY_ROW = re.compile(r'[0-9]+,"[^"\n]*",')


def sniff(path: Path, head: bytes) -> bool:
    """An OFAC CSV file: a ``.csv`` named like OFAC's files with ent_num rows, or an sdn.csv-shaped row."""
    if path.suffix.lower() != ".csv":
        return False
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    if _role_by_name(path):
        return not text.strip() or bool(ENT_NUM.match(text))
    return bool(_PRIMARY_ROW.match(text)) and "-0-" in text


def read(paths: list[Path], published: str | None = None) -> LoadedList:
    """One OFAC list from its CSV files, given in any order; alt, add and comments files are optional."""
    roles: dict[str, Path] = {}
    for path in paths:
        role = _role_by_name(path) or _role_by_width(path)
        if role in roles:
            raise InputError(f"two {role} files for one list ({roles[role].name} and {path.name})", file=str(path))
        roles[role] = path
    if "primary" not in roles:
        raise InputError("no sdn.csv or cons_prim.csv among the OFAC CSV files", file=str(paths[0]))
    info = ListInfo(list_name(paths), FORMAT, published, tuple(str(path) for path in paths))
    return LoadedList(info, _targets(roles))


def list_name(paths: Iterable[Path]) -> str:
    """OFAC publishes two lists in each format; the consolidated (non-SDN) one's files say so in their names."""
    names = [path.name.lower() for path in paths]
    return CONS_LIST if any(n.startswith("cons") or "consolidated" in n for n in names) else SDN_LIST


def _role_by_name(path: Path) -> str | None:
    stem = path.stem.lower()
    return next((role for prefix, role in _ROLES if stem.startswith(prefix)), None)


def _role_by_width(path: Path) -> str:
    for _, _, row in _rows(path, 1):
        for role, width in _WIDTHS.items():
            if len(row) == width:
                return role
        break
    raise InputError("cannot tell which OFAC CSV file this is: name it sdn, alt, add or sdn_comments", file=str(path))


def _targets(roles: dict[str, Path]) -> Iterator[Target]:
    # alt, add and comments are a fraction of the list; indexing them lets the primary file stream,
    # whatever order OFAC (or the user's tooling) left the rows in.
    comments: dict[str, str] = {}
    for _, ent, row in _rows(roles["comments"], 2) if "comments" in roles else ():
        comments[ent] = comments.get(ent, "") + row[1]  # a continuation, split mid-word: no separator
    aliases: dict[str, list[TargetName]] = {}
    for _, ent, row in _rows(roles["alt"], 5) if "alt" in roles else ():
        if row[3]:
            kind = ALIAS_KINDS.get(row[2].lower(), "aka")
            aliases.setdefault(ent, []).append(TargetName(row[3], kind, detect_script(row[3])))
    addresses: dict[str, list[tuple[str, str | None]]] = {}
    for _, ent, row in _rows(roles["add"], 6) if "add" in roles else ():
        if text := ", ".join(part for part in row[2:5] if part):
            addresses.setdefault(ent, []).append((text, country_code(row[4])))
    path = roles["primary"]
    for line, ent, row in _rows(path, 12):
        if not row[1]:
            raise InputError("the entry has no name", file=str(path), row=line, field="SDN_Name")
        yield _target(ent, row, comments.get(ent, ""), aliases.get(ent, []), addresses.get(ent, []))


def _target(
    ent: str, row: list[str], more: str, aliases: list[TargetName], places: list[tuple[str, str | None]]
) -> Target:
    remarks = row[11] + more
    facts = parse_remarks(remarks)
    names = [TargetName(row[1], "primary", detect_script(row[1])), *aliases, *facts.names]
    identifiers = unique([Identifier("callSign", row[5]) if row[5] else None, *facts.identifiers])
    countries = [*facts.countries, *(code for _, code in places), country_code(row[9])]
    countries += [item.country for item in identifiers]
    return Target(
        id=f"ofac-{int(ent)}",
        schema=_SCHEMAS.get(row[2].lower(), "LegalEntity"),
        names=unique(names),
        programs=unique(program.strip(" []") for program in row[3].split("] [")),
        countries=unique(countries),
        addresses=unique(text for text, _ in places),
        identifiers=identifiers,
        birth_dates=unique(facts.birth_dates),
        remarks=remarks or None,
    )


def _rows(path: Path, width: int) -> Iterator[tuple[int, str, list[str]]]:
    """(line, ent_num, fields with ``-0-`` blanked) for each row; bad rows raise InputError naming the line."""
    with _opened(path) as handle:
        reader = csv.reader(_lines(handle, path))
        try:
            for row in reader:
                # OFAC's files end with a DOS end-of-file mark (Ctrl-Z) on a line of its own.
                if not row or (len(row) == 1 and not row[0].strip(" \t\x1a")):
                    continue
                if len(row) < width:
                    message = f"expected {width} columns, found {len(row)}"
                    raise InputError(message, file=str(path), row=reader.line_num)
                ent = row[0].strip()
                if not ENT_NUM.fullmatch(ent):
                    message = f"ent_num {ent[:40]!r} is not an entry number"
                    raise InputError(message, file=str(path), row=reader.line_num, field="ent_num")
                yield reader.line_num, ent, ["" if value.strip() == "-0-" else value.strip() for value in row]
        except csv.Error as error:
            raise InputError(f"unreadable CSV: {error}", file=str(path), row=reader.line_num) from error


@contextmanager
def _opened(path: Path) -> Iterator[BinaryIO]:
    try:
        handle = path.open("rb")
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", file=str(path)) from error
    with handle:
        yield handle


def _lines(handle: BinaryIO, path: Path) -> Iterator[str]:
    # Current files are UTF-8; older dumps are Windows-1252. Deciding per line keeps the file streaming
    # and survives a file that mixes both; bytes cp1252 leaves undefined become U+FFFD, never an error.
    number = 0
    while line := handle.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise InputError(f"line longer than {MAX_LINE} bytes: not an OFAC CSV file", file=str(path), row=number)
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            text = line.decode("cp1252", errors="replace")
        yield text.removeprefix("\ufeff") if number == 1 else text
