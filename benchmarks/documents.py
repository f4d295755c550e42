"""Korean-variant benchmark: celtrace's DPRK/ROK classifier against a plain n-gram baseline, on held-out text.

Run ``.venv/bin/python benchmarks/documents.py`` (the baseline needs the ``dev`` extra: scikit-learn). The
corpus is ``../shared/data/korean/kpc-dev.tsv`` (Handong AI Lab's Korean parallel corpus, GNU FDL 1.3: see
``LICENSE-KPC.txt`` beside it): aligned DPRK and ROK renderings of 5,624 sentences. The held-out 20% of pairs
(:func:`celtrace.documents.korean.is_held_out`) was never seen in training; each side of a pair is a sample.
Texts are stripped first: in the corpus DPRK sentences often end with a space, an artefact no real document
shares, and one that a character model would otherwise learn.

- celtrace: :func:`celtrace.documents.korean.classify`, which may answer ``unknown``.
- baseline: character 1-3-gram TF-IDF and a logistic regression trained on the same training part, answering
  everything, and answering only its surest samples at celtrace's answer rate.

Scores are for samples of 30+ characters: accuracy where it answers, and the share answered.
Target (issue 6): at least 0.99 accuracy where it answers, answering at least 80%.

Then throughput, each against its anchor in the same run:

- extraction: an XLSX of 20,000 cells of corpus sentences, read and examined by ``docs inspect``'s path
  (extract, languages, Korean variant, dates), against openpyxl merely reading the cells (read-only mode);
- OCR: a three-page PDF without a text layer (CJK text drawn with Debian's Noto CJK font), pages a second
  through ``extract``, against Tesseract alone on the same rendered pages (skipped without Tesseract).
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from celtrace.documents.korean import classify, is_held_out

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "korean" / "kpc-dev.tsv"
LONG = 30
TARGET_ACCURACY = 0.99
TARGET_ANSWERED = 0.80


def read_samples(held_out: bool) -> tuple[list[str], np.ndarray]:
    """Both sides of the pairs on one side of the split, stripped; label 1 for DPRK, 0 for ROK."""
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    texts = [text.strip() for row in rows if is_held_out(row["nk"]) == held_out for text in (row["nk"], row["sk"])]
    return texts, np.array([1 - index % 2 for index in range(len(texts))])


def line(name: str, right: np.ndarray, answered: np.ndarray) -> str:
    """One result line: accuracy where answered, share answered."""
    accuracy = right[answered].mean() if answered.any() else float("nan")
    return f"{name:<40} accuracy {accuracy:.4f}  answered {answered.mean():.3f}  (n={answered.size})"


def main() -> int:
    if not CORPUS.exists():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 1
    train, train_y = read_samples(held_out=False)
    test, test_y = read_samples(held_out=True)
    long = np.array([len(text) >= LONG for text in test])

    verdicts = [classify(text) for text in test]
    ours_answered = np.array([verdict.label != "unknown" for verdict in verdicts])[long]
    ours_right = np.array(
        [verdict.label == ("dprk" if y else "rok") for verdict, y in zip(verdicts, test_y, strict=True)]
    )
    ours_right = ours_right[long]
    ours_all = np.array([(verdict.score > 0.5) == (y == 1) for verdict, y in zip(verdicts, test_y, strict=True)])[long]

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    model = LogisticRegression(max_iter=2000).fit(vectorizer.fit_transform(train), train_y)
    probability = model.predict_proba(vectorizer.transform(test))[:, 1][long]
    base_right = (probability > 0.5) == (test_y[long] == 1)
    margin = np.abs(probability - 0.5)
    rate = ours_answered.mean()
    cut = np.quantile(margin, 1 - rate) if rate > 0 else np.inf
    base_same_rate = margin >= cut

    print(f"held-out samples of {LONG}+ characters: {long.sum()} (of {len(test)}); training samples: {len(train)}")
    print(line("celtrace", ours_right, ours_answered))
    print(line("celtrace, answering all (score > 0.5)", ours_all, np.ones_like(ours_all)))
    print(line("baseline, answering all", base_right, np.ones_like(base_right)))
    print(line("baseline, at celtrace's answer rate", base_right, base_same_rate))
    accuracy = ours_right[ours_answered].mean() if ours_answered.any() else 0.0
    print(
        f"accuracy where answered {accuracy:.4f} (target >= {TARGET_ACCURACY}): "
        f"{'MET' if accuracy >= TARGET_ACCURACY else 'NOT MET'}"
    )
    print(f"share answered {rate:.3f} (target >= {TARGET_ANSWERED}): {'MET' if rate >= TARGET_ANSWERED else 'NOT MET'}")
    base_accuracy = base_right[base_same_rate].mean() if base_same_rate.any() else 0.0
    print(
        f"error ratio at the same answer rate, celtrace / baseline: {(1 - accuracy) / max(1 - base_accuracy, 1e-9):.2f}"
    )
    throughput([text for text in test])
    return 0


def throughput(sentences: list[str]) -> None:
    """Print extraction and OCR speed against their anchors."""
    import openpyxl

    from celtrace.documents.extract import extract
    from celtrace.documents.inspect import examine

    with tempfile.TemporaryDirectory() as folder:
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        for number in range(20_000):
            sheet.cell(row=number // 4 + 1, column=number % 4 + 1, value=sentences[number % len(sentences)])
        sheet_path = Path(folder) / "sheet.xlsx"
        book.save(sheet_path)
        start = time.perf_counter()
        result = examine(extract(sheet_path))
        ours = time.perf_counter() - start
        start = time.perf_counter()
        anchor_book = openpyxl.load_workbook(sheet_path, read_only=True)
        cells = sum(1 for row in anchor_book.active.iter_rows(values_only=True) for value in row if value)  # type: ignore[union-attr]
        anchor = time.perf_counter() - start
        print(
            f"extraction: {result.segments} cells examined in {ours:.2f} s ({result.segments / ours:,.0f} cells/s); "
            f"openpyxl reading {cells} cells: {anchor:.2f} s; ratio {ours / anchor:.1f}x the bare read"
        )
        _ocr(Path(folder))


def _ocr(folder: Path) -> None:
    font_path = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if shutil.which("tesseract") is None or not font_path.exists():
        print("OCR: skipped (needs tesseract-ocr and fonts-noto-cjk)")
        return
    import pytesseract  # type: ignore[import-untyped]
    from PIL import Image, ImageDraw, ImageFont

    from celtrace.documents.extract import extract
    from celtrace.documents.ocr import LANGUAGES

    font = ImageFont.truetype(str(font_path), 36, index=1)
    pages = []
    for number in range(3):
        page = Image.new("L", (1654, 2339), 255)  # A4 at 200 dpi
        draw = ImageDraw.Draw(page)
        for row in range(24):
            draw.text(
                (120, 120 + 88 * row),
                f"{number + 1}-{row + 1} 로동자들이 래일까지 완성하게 되였다. 头部缩小",
                font=font,
                fill=0,
            )
        pages.append(page)
    pdf = folder / "scan.pdf"
    buffer = io.BytesIO()
    pages[0].convert("RGB").save(
        buffer, "PDF", resolution=200, save_all=True, append_images=[p.convert("RGB") for p in pages[1:]]
    )
    pdf.write_bytes(buffer.getvalue())
    start = time.perf_counter()
    extracted = extract(pdf)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    for page in pages:
        pytesseract.image_to_string(page, lang=LANGUAGES)
    anchor = time.perf_counter() - start
    print(
        f"OCR: {extracted.metadata.get('ocr_pages', 0)} pages in {ours:.2f} s ({3 / ours:.2f} pages/s); "
        f"Tesseract alone on the same pages: {anchor:.2f} s; ratio {ours / anchor:.2f}x"
    )


if __name__ == "__main__":
    sys.exit(main())
