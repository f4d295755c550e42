"""The demo trove's instruction documents: an editing sheet in Chinese with a North Korean translation beside
it, dated in the Juche calendar, a scanned note that only OCR can read, and a South Korean studio memo for
contrast."""

from __future__ import annotations

import io
from pathlib import Path

#: (Chinese note, its Korean translation in North Korean spelling), one row of the editing sheet each.
NOTES: tuple[tuple[str, str], ...] = (
    ("头部缩小10%，线条要干净", "머리를 10% 작게 하고 선을 깨끗하게 그리시오."),
    ("眼睛再大一点，表情要明显", "눈을 좀 더 크게 그릴수 있는것이 좋다. 표정이 뚜렷하게 되여야 한다."),
    ("背景颜色太暗了，请调亮一些", "배경색이 너무 어둡다. 래일까지 밝게 고쳐야 한다."),
    ("第104集的原画今天必须交", "104회 원화는 오늘 바쳐야 한다. 로동시간을 지키시오."),
)


def editing_sheet() -> bytes:
    """The XLSX editing sheet of 14 February 2024, as the found server held it."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "修改意见"
    sheet["A1"] = "주체113(2024)년 2월 14일 편집지시 / 2024年2月14日 修改意见"
    for row, (chinese, korean) in enumerate(NOTES, start=3):
        sheet[f"A{row}"] = f"sc{row + 7:03d}"
        sheet[f"B{row}"], sheet[f"C{row}"] = chinese, korean
    book.properties.creator = "user"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def seoul_memo() -> bytes:
    """A South Korean studio's memo in EUC-KR (CP949), written the South's way."""
    text = (
        "2024년 2월 13일 작업 메모\n"
        "노동 시간을 지켜 주시기 바랍니다. 내일까지 배경 색을 밝게 수정할 수 있는 것이 좋겠습니다.\n"
        "눈을 조금 더 크게 그려 주세요. 이유는 표정이 잘 보이지 않기 때문입니다.\n"
    )
    return text.encode("cp949")


#: Where Debian's fonts-noto-cjk puts the CJK faces (in the collection, index 1 is Korean, 2 simplified Chinese).
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SCANNED_NOTE = (
    "주체113(2024)년 2월 15일",
    "로동자들은 래일까지 104회 원화를 바쳐야 한다.",
    "颜色要亮一些，头部缩小10%",
)


def scanned_note() -> bytes | None:
    """A handwritten-looking note scanned to a PDF without a text layer, or None without the CJK font."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    if not CJK_FONT.exists():
        return None
    korean, chinese = (ImageFont.truetype(str(CJK_FONT), 44, index=face) for face in (1, 2))
    page = Image.new("L", (1240, 520), 250)
    draw = ImageDraw.Draw(page)
    for row, line in enumerate(SCANNED_NOTE):
        face = chinese if row == len(SCANNED_NOTE) - 1 else korean
        draw.text((70, 70 + 130 * row), line, font=face, fill=20)
    out = io.BytesIO()
    # A scanner's slight blur; the page stays an image, so only OCR can read it.
    page.filter(ImageFilter.GaussianBlur(0.6)).convert("RGB").save(out, "PDF", resolution=150)
    return out.getvalue()
