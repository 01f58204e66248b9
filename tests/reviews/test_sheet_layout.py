"""The judge's 评分表 as printed: the signature row on every page, inside its cells; nothing overlaps."""

import shutil
from urllib.parse import unquote

import pytest
from django.urls import reverse

from tests import pdf_geometry as geo

from ..factories import CollegeFactory
from .helpers import SCORING_DAY, brand_track, make_entry, make_judge, open_track, score

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed")


@pytest.fixture
def long_sheet(world, at):
    """One judge with 28 scored entries: the sheet runs over two landscape pages."""
    at(*SCORING_DAY)
    entries = [make_entry(world.campaign, CollegeFactory(parent=world.school, name=f"第{i}学院党委"), title=f'"先锋{i}"工程')
               for i in range(28)]
    judge = make_judge("longj")
    track = open_track(brand_track(world, [judge]), world.users.admin)
    for entry in entries:
        score(track, judge, entry, 12, 20, 25, 15, 8)
    return track, judge


def test_sheet_signature_row_repeats_inside_its_cells_on_every_page(long_sheet, client_for, tmp_path):
    track, judge = long_sheet
    response = client_for(judge).get(reverse("reviews:sheet_pdf", args=[track.pk, judge.pk, 1]))
    assert response.status_code == 200
    pages = geo.read(response.content)
    assert len(pages) >= 2
    for page in pages:
        assert geo.is_a4(page, landscape=True)
        assert geo.overlapping_chars(page) == [], page.number
        label = geo.cell_with_text(page, "评审专家签字")
        assert label is not None, f"page {page.number}: no signature row"
        blank = geo.right_neighbour(page, label)
        assert blank is not None and blank.text == ""  # room to sign, inside the row
        date = geo.cell_with_text(page, "日期")
        assert date is not None and abs(date.top - label.top) < 1
        assert geo.right_neighbour(page, date).text == "年月日"
        for word in geo.sign_words(page):
            assert any(c.contains(word) for c in page.cells), word["text"]
        assert label.bottom == max(c.bottom for c in page.cells)  # the last row of the page's table
    text = "".join(p.text for p in pages)
    assert "“先锋0”工程" in text and '"' not in text and "一式两份" in text
    assert len(geo.render_pngs(response.content, tmp_path, "sheet")) == len(pages)
    name = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name == "2026年度-十佳党建品牌-材料评审评分表-评委longj.pdf"
