"""Write the demo's sanctions-list excerpt: the DPRK-program entries of the OFAC SDN and UN samples.

    .venv/bin/python scripts/demo-lists-excerpt.py ../shared/data/sanctions src/celtrace/demo/lists

The excerpt keeps each file's own format, byte for byte where it keeps a line, so that the demo loads
it through the same readers as a user's full list.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from xml.etree.ElementTree import ElementTree

from defusedxml.ElementTree import parse

OFAC = "ofac_sdn_2021-07-07"
UN = "un_sc/consolidated_2026-02-27.xml"


def ofac(source: Path, out: Path) -> None:
    # Latin-1 maps every byte to one character and back, so kept lines are written unchanged.
    sdn = (source / OFAC / "sdn.csv").read_text("latin-1")
    keep: set[str] = set()
    lines = []
    for line in sdn.splitlines(keepends=True):
        row = next(csv.reader(io.StringIO(line)), [])
        if len(row) > 3 and "DPRK" in row[3]:
            keep.add(row[0])
            lines.append(line)
    (out / "sdn.csv").write_text("".join(lines), "latin-1")
    for name in ("alt.csv", "add.csv", "sdn_comments.csv"):
        text = (source / OFAC / name).read_text("latin-1")
        kept = [line for line in text.splitlines(keepends=True) if line.split(",", 1)[0] in keep]
        (out / name).write_text("".join(kept), "latin-1")


def un(source: Path, out: Path) -> None:
    tree = parse(source / UN)
    root = tree.getroot()
    for group in root:
        for entry in list(group):
            if (entry.findtext("UN_LIST_TYPE") or "").strip() != "DPRK":
                group.remove(entry)
    ElementTree(root).write(out / "un-consolidated-dprk.xml", encoding="UTF-8", xml_declaration=True)


if __name__ == "__main__":
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    ofac(source, out)
    un(source, out)
