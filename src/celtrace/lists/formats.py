"""Which reader reads which list file: by ``--format``, else by sniffing the file's first bytes."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from types import ModuleType

from celtrace.errors import InputError
from celtrace.lists.model import LoadedList

#: Reader modules in sniffing order; each has FORMAT, sniff(path, head) and read(paths, published).
READER_MODULES = ("ofac_csv", "ofac_xml", "ofac_advanced", "un_xml", "eu_xml", "uk", "ftm")
SNIFF_BYTES = 4096


def readers() -> list[ModuleType]:
    """The reader modules, imported on first use."""
    return [import_module(f"celtrace.lists.{name}") for name in READER_MODULES]


def format_names() -> list[str]:
    """The values ``--format`` accepts besides ``auto``."""
    return [module.FORMAT for module in readers()]


def read_lists(paths: list[Path], fmt: str = "auto", published: str | None = None) -> list[LoadedList]:
    """The lists in ``paths``: OFAC's CSV files of one list are read together, other formats one by one."""
    groups: dict[tuple[str, str], list[Path]] = {}
    modules = {module.FORMAT: module for module in readers()}
    if fmt != "auto" and fmt not in modules:
        raise InputError(f"unknown list format {fmt!r}: use auto or one of {', '.join(modules)}")
    for path in paths:
        if not path.is_file():
            raise InputError("no such file", file=str(path))
        module = modules[fmt] if fmt != "auto" else _sniff(path)
        # OFAC's CSV list is several files (sdn, alt, add, comments); SDN and non-SDN are two lists.
        key = (module.FORMAT, _ofac_list(path) if module.FORMAT == "ofac-csv" else str(path))
        groups.setdefault(key, []).append(path)
    return [modules[key[0]].read(group, published) for key, group in groups.items()]


def _sniff(path: Path) -> ModuleType:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    for module in readers():
        if module.sniff(path, head):
            return module
    known = ", ".join(format_names())
    raise InputError(f"not a sanctions list format celtrace knows; pass --format ({known})", file=str(path))


def _ofac_list(path: Path) -> str:
    return "cons" if path.name.lower().startswith("cons") else "sdn"
