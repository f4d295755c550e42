"""The fonts a PDF or an Office file names: a font made in or for the DPRK says where a file was made.

PDF fonts are read from the text objects of each page through PDFium (``FPDFFont_GetBaseFontName``), since
font dictionaries in modern PDFs sit in compressed object streams that a look at the bytes would miss. Office
fonts come from the XML parts the package reads: Word's font table and run fonts, the workbook's styles and
rich-text runs, and the DrawingML fonts of themes and slides.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

import pypdfium2.raw as pdfium_c

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"

#: Distinct names kept from one file: enough for any real document, bounded for a hostile one.
MAX_NAMES = 500
#: Characters of one name kept; font names are short, and a longer one is noise.
MAX_NAME_CHARS = 128
#: Page objects (over all pages) looked at for their font: a drawing's page holds thousands of paths,
#: each a call into PDFium, and fonts repeat from page to page.
MAX_PDF_OBJECTS = 200_000
#: Nesting of form XObjects followed, as PDFium's own object walk allows.
MAX_FORM_DEPTH = 4

#: An embedded subset font's name starts with six capitals and "+" (ISO 32000-1, 9.6.4).
_SUBSET = re.compile(r"^[A-Z]{6}\+")
#: Office attributes that name a font, by the element that carries them (namespaced tag → attributes).
_OOXML_FONTS: dict[str, tuple[str, ...]] = {
    f"{{{W}}}font": (f"{{{W}}}name",),
    f"{{{W}}}altName": (f"{{{W}}}val",),
    f"{{{W}}}rFonts": (f"{{{W}}}ascii", f"{{{W}}}hAnsi", f"{{{W}}}eastAsia", f"{{{W}}}cs"),
    f"{{{S}}}name": ("val",),  # <font><name val="Calibri"/> in styles.xml
    f"{{{S}}}rFont": ("val",),  # a rich-text run's font in sharedStrings.xml
    f"{{{A}}}latin": ("typeface",),
    f"{{{A}}}ea": ("typeface",),
    f"{{{A}}}cs": ("typeface",),
    f"{{{A}}}sym": ("typeface",),
}


class FontNames:
    """The distinct font names found in one file, cleaned and bounded."""

    def __init__(self) -> None:
        self._names: set[str] = set()
        self._objects_left = MAX_PDF_OBJECTS
        self._pdf_fonts_seen: set[int] = set()

    def add(self, name: str) -> None:
        """Keep ``name`` without a subset prefix; theme references (``+mn-lt``) and blanks are not fonts."""
        name = _SUBSET.sub("", name.strip())[:MAX_NAME_CHARS].strip()
        if name and not name.startswith("+") and name.isprintable() and len(self._names) < MAX_NAMES:
            self._names.add(name)

    def names(self) -> list[str]:
        """The names found, sorted without regard to case."""
        return sorted(self._names, key=str.casefold)

    def add_ooxml(self, root: Element) -> None:
        """The fonts an Office XML part names (font table, run fonts, styles, DrawingML text)."""
        for element in root.iter():
            attributes = _OOXML_FONTS.get(element.tag) if isinstance(element.tag, str) else None
            for attribute in attributes or ():
                value = element.get(attribute)
                if value:
                    self.add(value)

    def add_pdf_page(self, page: Any) -> None:
        """The base fonts of the text objects of one PDFium page (a ``pypdfium2.PdfPage``), form XObjects
        included; the caller holds PDFium's lock."""
        raw = page.raw
        count = pdfium_c.FPDFPage_CountObjects(raw)
        self._pdf_objects(count, lambda index: pdfium_c.FPDFPage_GetObject(raw, index), 0)

    def _pdf_objects(self, count: int, get: Callable[[int], Any], depth: int) -> None:
        for index in range(max(0, count)):
            if self._objects_left <= 0:
                return
            self._objects_left -= 1
            item = get(index)
            if not item:
                continue
            kind = pdfium_c.FPDFPageObj_GetType(item)
            if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
                self._pdf_font(pdfium_c.FPDFTextObj_GetFont(item))
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
                self._pdf_objects(pdfium_c.FPDFFormObj_CountObjects(item), _form_getter(item), depth + 1)

    def _pdf_font(self, font: Any) -> None:
        if not font:
            return
        # Text objects share their font: ask PDFium for each font's name once.
        address = ctypes.cast(font, ctypes.c_void_p).value or 0
        if address in self._pdf_fonts_seen:
            return
        self._pdf_fonts_seen.add(address)
        size = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
        if not 1 < size <= 4 * MAX_NAME_CHARS:
            return
        buffer = ctypes.create_string_buffer(size)
        pdfium_c.FPDFFont_GetBaseFontName(font, buffer, size)
        self.add(decode_name(buffer.raw[:size].rstrip(b"\x00")))


def _form_getter(form: Any) -> Callable[[int], Any]:
    return lambda index: pdfium_c.FPDFFormObj_GetObject(form, index)


def decode_name(raw: bytes) -> str:
    """A PDF name's bytes as text.

    Names are bytes; producers on Korean and Chinese Windows write a localised font name in the system code
    page (맑은고딕 as CP949), so UTF-8 is tried first, then CP949 when it gives only Hangul and ASCII (Chinese
    GBK bytes often decode as CP949 Hanja, so Hanja are not trusted), then GB18030.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp949")
        if all(char.isascii() or "\uac00" <= char <= "\ud7a3" for char in text):
            return text
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
