"""Text of DOCX, XLSX and PPTX files, each piece with its place: ``paragraph 14``, ``sheet Notes!B7``,
``slide 3``.

Parts are found through the package's relationships, as Office does, not by guessing member names, so a
workbook whose sheets are renamed or reordered still reads in the order its tabs show.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

from celtrace.documents.package import REL, Package, local
from celtrace.documents.segments import Collector

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"

#: Word parts besides the body that carry instructions, by the last word of their relationship type.
_WORD_PARTS = {"comments": "comment", "footnotes": "footnote", "endnotes": "endnote"}


def read_docx(package: Package, out: Collector) -> None:
    """Body paragraphs (table cells included) numbered from 1 as Word counts them, then headers, footers,
    comments and notes."""
    main = "word/document.xml"
    body = package.xml(main)
    for number, paragraph in enumerate(body.iter(f"{{{W}}}p"), start=1):
        out.add(_word_text(paragraph), f"paragraph {number}")
    counts: dict[str, int] = {}
    for kind, member in sorted(package.relationships(main).values(), key=lambda rel: rel[1]):
        label = kind.rpartition("/")[2]
        if label in ("header", "footer"):
            counts[label] = counts.get(label, 0) + 1
            for number, paragraph in enumerate(package.xml(member).iter(f"{{{W}}}p"), start=1):
                out.add(_word_text(paragraph), f"{label} {counts[label]} paragraph {number}")
        elif label in _WORD_PARTS and package.has(member):
            # A comment or note is one segment however many paragraphs it holds; its id is what Word shows.
            for item in package.xml(member):
                name = _WORD_PARTS[label]
                text = "\n".join(_word_text(p) for p in item.iter(f"{{{W}}}p"))
                out.add(text, f"{name} {item.get(f'{{{W}}}id', '?')}")


def _word_text(paragraph: Element) -> str:
    parts: list[str] = []
    for element in paragraph.iter():
        tag = local(element.tag)
        if tag in ("t", "delText") and element.text:
            parts.append(element.text)
        elif tag == "tab":
            parts.append("\t")
        elif tag in ("br", "cr"):
            parts.append("\n")
    return "".join(parts)


def read_xlsx(package: Package, out: Collector) -> None:
    """Every non-empty cell at ``sheet Name!B7``, sheets in tab order, shared and inline strings resolved."""
    main = "xl/workbook.xml"
    workbook = package.xml(main)
    rels = package.relationships(main)
    shared: list[str] = []
    for kind, member in rels.values():
        if kind.endswith("/sharedStrings") and package.has(member):
            shared = [_rich_text(item) for item in package.xml(member).iter(f"{{{S}}}si")]
    for sheet in workbook.iter(f"{{{S}}}sheet"):
        target = rels.get(sheet.get(f"{{{REL}}}id", ""))
        if target is None or not target[0].endswith("/worksheet") or not package.has(target[1]):
            continue  # chart sheets and dialog sheets hold no cells
        name = sheet.get("name", "?")
        for ref, text in _cells(package.xml(target[1]), shared):
            out.add(text, f"sheet {name}!{ref}")


def _cells(sheet: Element, shared: list[str]) -> Iterator[tuple[str, str]]:
    for row_index, row in enumerate(sheet.iter(f"{{{S}}}row"), start=1):
        row_attribute = row.get("r") or ""
        row_number = int(row_attribute) if row_attribute.isascii() and row_attribute.isdigit() else row_index
        for column_index, cell in enumerate(row.iter(f"{{{S}}}c"), start=1):
            # "r" may be left out (it is optional); then the cell is where its position says.
            ref = cell.get("r") or f"{column_letters(column_index)}{row_number}"
            yield ref, _cell_text(cell, shared)


def _cell_text(cell: Element, shared: list[str]) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(f"{{{S}}}is")
        return "" if inline is None else _rich_text(inline)
    value = cell.findtext(f"{{{S}}}v") or ""
    if kind == "s":
        index = int(value) if value.isascii() and value.strip().isdigit() else -1
        return shared[index] if 0 <= index < len(shared) else ""
    return value


def _rich_text(item: Element) -> str:
    """A shared or inline string: its ``t`` runs, without the phonetic (furigana) runs."""
    parts: list[str] = []
    for child in item:
        tag = local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child.iter(f"{{{S}}}t"))
    return "".join(parts)


def column_letters(number: int) -> str:
    """The spreadsheet column name of a 1-based column number: 1 → A, 27 → AA."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def read_pptx(package: Package, out: Collector) -> None:
    """Each text box, placeholder or table cell of each slide as one segment at ``slide N``, slides in show
    order, then the slide's speaker notes at ``slide N notes``."""
    main = "ppt/presentation.xml"
    rels = package.relationships(main)
    for number, slide_id in enumerate(package.xml(main).iter(f"{{{P}}}sldId"), start=1):
        target = rels.get(slide_id.get(f"{{{REL}}}id", ""))
        if target is None or not package.has(target[1]):
            continue
        for text in _text_bodies(package.xml(target[1])):
            out.add(text, f"slide {number}")
        for kind, member in package.relationships(target[1]).values():
            if kind.endswith("/notesSlide") and package.has(member):
                out.add("\n".join(_text_bodies(package.xml(member))), f"slide {number} notes")


def _text_bodies(root: Element) -> Iterator[str]:
    for body in root.iter():
        if local(body.tag) != "txBody":
            continue
        lines = ("".join(t.text or "" for t in paragraph.iter(f"{{{A}}}t")) for paragraph in body.iter(f"{{{A}}}p"))
        yield "\n".join(line for line in lines if line.strip())
