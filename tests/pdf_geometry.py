"""Geometric checks of generated PDFs with pdfplumber: where each word and each table cell lies.

Used by the PDF layout tests of 附件1/2/3, the 评分表 and the booklet: a signature label must lie
inside the cell of its own row, no two glyphs may overlap (a running header over the body, a
stamp label over a text), rows are not split across pages. render_pngs() turns each page into a
PNG with pdftoppm, so a person can look at exactly what the test measured."""

import io
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber

A4 = (595.28, 841.89)
SIGN_WORDS = ("签字", "盖章", "年月日")


@dataclass
class Cell:
    x0: float
    top: float
    x1: float
    bottom: float
    text: str = ""

    def contains(self, box, tol=0.5):
        return (box["x0"] >= self.x0 - tol and box["x1"] <= self.x1 + tol
                and box["top"] >= self.top - tol and box["bottom"] <= self.bottom + tol)


@dataclass
class Page:
    number: int
    width: float
    height: float
    chars: list
    words: list
    cells: list = field(default_factory=list)
    text: str = ""


def _flat(text):
    return "".join((text or "").split())


def read(data):
    """Pages of a PDF (bytes) with their chars, words and table cells (each cell with its text)."""
    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for n, p in enumerate(pdf.pages, start=1):
            cells = []
            for table in p.find_tables():
                for bbox in table.cells:
                    if bbox is None:
                        continue
                    cell = Cell(*bbox)
                    cell.text = _flat(p.within_bbox(bbox).extract_text())
                    cells.append(cell)
            words = p.extract_words(use_text_flow=True)
            pages.append(Page(n, p.width, p.height, list(p.chars), words, cells, _flat(p.extract_text())))
    return pages


def is_a4(page, landscape=False):
    w, h = (A4[1], A4[0]) if landscape else A4
    return abs(page.width - w) < 1 and abs(page.height - h) < 1


def overlapping_chars(page, shrink=0.9):
    """Pairs of glyphs whose boxes (each shrunk by `shrink` pt on every side) intersect."""
    boxes = [(c["x0"] + shrink, c["top"] + shrink, c["x1"] - shrink, c["bottom"] - shrink, c["text"])
             for c in page.chars if c["text"].strip()]
    boxes = [b for b in boxes if b[2] > b[0] and b[3] > b[1]]
    boxes.sort()
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if b[0] >= a[2]:
                break
            if b[1] < a[3] and a[1] < b[3]:
                found.append((a[4], b[4], round(a[0]), round(a[1])))
    return found


def cell_with_text(page, label):
    """The cell whose whole text is `label` (spaces and line breaks ignored)."""
    label = _flat(label)
    return next((c for c in page.cells if c.text == label), None)


def right_neighbour(page, cell):
    """The cell right of `cell` in the same row (same top and bottom)."""
    row = [c for c in page.cells if abs(c.top - cell.top) < 1 and abs(c.bottom - cell.bottom) < 1 and c.x0 >= cell.x1 - 1]
    return min(row, key=lambda c: c.x0) if row else None


def words_containing(page, fragment):
    return [w for w in page.words if fragment in w["text"]]


def sign_words(page):
    """Labels of a signature block: （签字）, （盖章） and the 年/月/日 of a blank date line."""
    return [w for w in page.words if "（签字）" in w["text"] or "（盖章）" in w["text"] or w["text"] in ("年", "月", "日")]


def render_pngs(data, out_dir, stem="page", resolution=50):
    """Every page to a PNG (pdftoppm); also copied to $PDF_PREVIEW_DIR when set, for a person to look at."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf_path = out_dir / f"{stem}.pdf"
    pdf_path.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", str(resolution), "-png", str(pdf_path), str(out_dir / stem)], check=True)
    pngs = sorted(out_dir.glob(f"{stem}-*.png"))
    preview = os.environ.get("PDF_PREVIEW_DIR")
    if preview:
        Path(preview).mkdir(parents=True, exist_ok=True)
        for png in pngs:
            shutil.copy(png, Path(preview) / png.name)
    return pngs


def images(data):
    """The raster images of a PDF (bytes), in reading order: (page number, x0, top, x1, bottom) in points."""
    out = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for n, p in enumerate(pdf.pages, start=1):
            for im in sorted(p.images, key=lambda im: (round(im["top"]), im["x0"])):
                out.append((n, im["x0"], im["top"], im["x1"], im["bottom"]))
    return out
