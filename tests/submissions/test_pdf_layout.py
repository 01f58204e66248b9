"""Where things land on the printed 附件1/附件2/附件3: measured with pdfplumber, not guessed.

Each form is rendered with texts of several lengths, so that page breaks fall at different rows,
and every page is checked: A4, no two glyphs overlap (running header, stamp labels, body), every
签字/盖章/日期 word inside a table cell, each opinion row's signature block inside that row's own
cell, no row split over two pages, the opinion rows never alone on a page."""

import shutil
from urllib.parse import unquote

import pytest
from django.urls import reverse

from submissions import pdf, services
from submissions.models import Entry, EntryState, Form2, Track
from tests import pdf_geometry as geo

from .helpers import FORM1_COMPLETE, ROW_COMPLETE

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed")

SENTENCE = "学院党委坚持以党建引领事业发展，把支部建在学科上，推动党建工作与教学科研深度融合。"
FORM1_OPINIONS = ["党组织意见", "组织部审核意见"]
ENTRY_OPINIONS = ["院(处)级党组织推荐意见", "组织部审核意见"]


@pytest.fixture
def phase1(at):
    at(2026, 5, 8, 10, 0)


def check_pages(pages, opinions, landscape=False, long_rows=False):
    """The invariants every official form keeps, page by page (a row longer than half a page may flow on)."""
    assert pages
    seen = set()
    for page in pages:
        assert geo.is_a4(page, landscape), (page.number, page.width, page.height)
        assert geo.overlapping_chars(page) == [], f"page {page.number}: overlapping text"
        for word in geo.sign_words(page):
            assert any(c.contains(word) for c in page.cells), f"page {page.number}: {word['text']} outside every cell"
        left = min((c.x0 for c in page.cells), default=0)
        first_column = [c for c in page.cells if abs(c.x0 - left) < 1]
        if not long_rows:
            assert all(c.text for c in first_column), f"page {page.number}: a row continues from the previous page"
        for label in opinions:
            cell = geo.cell_with_text(page, label)
            if cell is None:
                continue
            seen.add(label)
            sign = geo.right_neighbour(page, cell)
            assert sign is not None, label
            assert "（盖章）" in sign.text and sign.text.endswith("年月日"), (label, sign.text)
            words = [w for w in geo.sign_words(page) if cell.top - 1 <= w["top"] <= cell.bottom + 1 and w["x0"] >= cell.x1]
            assert words and all(sign.contains(w) for w in words), label
        labels_here = [c for c in first_column if c.text not in {geo._flat(o) for o in opinions}]
        if any(geo.cell_with_text(page, o) for o in opinions):
            assert labels_here, f"page {page.number}: the opinion rows are alone on the page"
    assert seen == set(opinions)
    text = "".join(p.text for p in pages)
    assert "一式两份" in text
    assert '"' not in text, "straight quotes in a Chinese document"
    return text


def form1_with(world, length):
    data = dict(FORM1_COMPLETE, foundation=(SENTENCE * 40)[:length], connotation='以"匠心铸魂"为品牌理念。' + SENTENCE * 3,
                goals=SENTENCE * (length // 400 + 1), measures="1. 建立“党员先锋岗”制度\n2. 开展主题党日\n（三）结对共建",
                honours="全国党建工作样板支部")
    return services.save_form1(world.campaign, world.college_a, data, by=world.users.college, expected_version=0)


@pytest.mark.parametrize("length", [60, 300, 500, 590, 1500])
def test_form1_signature_blocks_stay_in_their_rows_at_every_page_break(world, phase1, tmp_path, length):
    form = form1_with(world, length)
    data = pdf.form_pdf("form1", form, use_cache=False)
    text = check_pages(geo.read(data), FORM1_OPINIONS, long_rows=length > 600)
    for line in ["1.建立“党员先锋岗”制度", "2.开展主题党日", "（三）结对共建"]:  # numbering kept as typed
        assert line in text
    assert "1.1." not in text and "2.2." not in text and "“匠心铸魂”" in text
    assert len(geo.render_pngs(data, tmp_path, f"form1-{length}")) == len(geo.read(data))


def test_form1_running_header_stays_in_the_margin_above_the_table(world, phase1):
    form = form1_with(world, 1500)
    for page in geo.read(pdf.form_pdf("form1", form, use_cache=False)):
        header = [w for w in page.words if w["bottom"] < min((c.top for c in page.cells), default=page.height)]
        head = "".join(w["text"] for w in header if w["top"] < 60)
        assert head.endswith("2026年度·甲学院党委"), head
        assert all(w["bottom"] < 60 for w in header if "甲学院党委" in w["text"] and w["x0"] > 300)


@pytest.mark.parametrize("n_rows", [2, 9])
def test_form2_signature_block_stays_with_the_last_branch_row(world, phase1, tmp_path, n_rows):
    from tests.factories import BranchFactory

    services.save_row(world.campaign, world.branch_a1, ROW_COMPLETE, by=world.users.branch, expected_version=0)
    services.skip_row(world.campaign, world.branch_a2, "撤并中", by=world.users.college)
    for i in range(n_rows - 2):
        branch = BranchFactory(name=f"甲{i + 3}支部", code=f"A-X{i}", parent=world.college_a)
        services.save_row(world.campaign, branch, dict(ROW_COMPLETE, feature_intro=SENTENCE * 2), by=world.users.college,
                          expected_version=0)
    form2 = Form2.objects.get(campaign=world.campaign, organization=world.college_a)
    data = pdf.form_pdf("form2", form2, use_cache=False)
    pages = geo.read(data)
    text = check_pages(pages, ["院(处)级党组织意见"], landscape=True)
    head = geo.cell_with_text(pages[0], "日期")
    assert head and geo.right_neighbour(pages[0], head).text == "年月日"
    assert geo.render_pngs(data, tmp_path, f"form2-{n_rows}")


@pytest.mark.parametrize("length", [100, 500, 3000])
def test_entry_signature_blocks_stay_in_their_rows(world, phase1, tmp_path, length):
    entry = Entry.objects.create(campaign=world.campaign, track=Track.BRAND, organization=world.college_a,
                                 college=world.college_a, state=EntryState.PASSED, title='"匠心"工程', leader="王书记",
                                 overview=(SENTENCE * 60)[:length], college_opinion="同意推荐。", check_comment="材料齐全")
    data = pdf.entry_pdf(entry, use_cache=False)
    text = check_pages(geo.read(data), ENTRY_OPINIONS, long_rows=length > 600)
    assert "形式审查通过。材料齐全" in text and "“匠心”工程" in text and "同意推荐。" in text
    assert geo.render_pngs(data, tmp_path, f"entry-{length}")


@pytest.mark.parametrize("kind, label", [("form1", "附件1"), ("form2", "附件2")])
def test_form_pdf_downloads_under_a_chinese_name(world, client_for, phase1, kind, label):
    services.save_form1(world.campaign, world.college_a, FORM1_COMPLETE, by=world.users.college, expected_version=0)
    services.save_row(world.campaign, world.branch_a1, ROW_COMPLETE, by=world.users.branch, expected_version=0)
    response = client_for(world.users.college).get(reverse("submissions:pdf", args=[world.campaign.pk, kind, world.college_a.pk]))
    header = response["Content-Disposition"]
    assert header.startswith('inline; filename="') and "filename*=UTF-8''" in header
    assert unquote(header.split("filename*=UTF-8''")[1]) == f"2026年度-甲学院党委-{label}.pdf"


def test_entry_pdf_downloads_under_a_chinese_name(world, client_for, phase1):
    entry = Entry.objects.create(campaign=world.campaign, track=Track.BRAND, organization=world.college_a,
                                 college=world.college_a, title="匠心工程")
    response = client_for(world.users.college).get(reverse("submissions:entry_pdf", args=[entry.pk]))
    assert response.status_code == 200
    name = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name == "2026年度-甲学院党委-附件3-十佳党建品牌.pdf"

