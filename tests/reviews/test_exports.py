"""XLSX score matrix and ranking; the judge's 评分表 PDF."""

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reviews import services
from reviews.models import Assignment

from ..factories import CollegeFactory
from ..xlsx_checks import needs_unchecked_lengths
from .helpers import SCORING_DAY, brand_track, make_entry, make_judge, open_track, score

needs_poppler = pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")


@pytest.fixture
def scored(world, at):
    w = world
    at(*SCORING_DAY)
    w.e1 = make_entry(w.campaign, CollegeFactory(parent=w.school, name="丙学院党委"), title="丙品牌")
    w.e2 = make_entry(w.campaign, w.college_b, title="乙品牌")
    w.j1, w.j2 = make_judge("xj1"), make_judge("xj2")
    w.track = open_track(brand_track(w, [w.j1, w.j2]), w.users.admin)
    score(w.track, w.j1, w.e1, 15, 25, 30, 20, 10)
    score(w.track, w.j1, w.e2, 10, 20, 20, 15, 5)
    score(w.track, w.j2, w.e1, 12, 22, 26, 18, 9)
    a = Assignment.objects.get(track=w.track, judge=w.j2, entry=w.e2)
    services.save_score(a, {}, by=w.j2, expected_version=a.version, abstain=True, abstain_reason="材料打不开")
    return w


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def test_score_matrix_xlsx_has_every_judge_criterion_and_abstention(scored, client_for):
    w = scored
    ws = workbook(client_for(w.users.admin).get(reverse("reviews:matrix_xlsx", args=[w.track.pk])))
    assert ws["A1"].value.startswith("2026 年度 · 十佳党建品牌") and "（北京时间）" in ws["A1"].value
    assert not ws.merged_cells.ranges
    headers = [c.value for c in ws[2]]
    assert headers[:6] == ["轮次", "编号", "申报单位", "推荐单位", "评委", "评委账号"]
    assert "举措与机制创新（25分）" in headers and headers[-4:] == ["总分", "状态", "弃权原因", "录入方式"]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref.startswith("A2:")
    assert ws.column_dimensions["C"].width >= 20
    rows = {(r[2], r[5]): r for r in ws.iter_rows(min_row=3, values_only=True)}
    assert len(rows) == 4
    assert rows[("丙学院党委", "xj1")][6:12] == (15, 25, 30, 20, 10, 100)
    assert rows[("乙学院党委", "xj2")][-3:] == ("弃权", "材料打不开", None)  # the judge's own, not 代录


def test_ranking_xlsx_lists_places_scores_and_stability(scored, client_for):
    w = scored
    ws = workbook(client_for(w.users.admin).get(reverse("reviews:ranking_xlsx", args=[w.track.pk])))
    headers = [c.value for c in ws[2]]
    assert headers[:6] == ["名次", "编号", "申报单位", "推荐单位", "品牌/特色名称", "最终得分"]
    assert "名次（标准化后去高去低）" in headers
    data = list(ws.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[2], r[5]) for r in data] == [(1, "丙学院党委", 93.5), (2, "乙学院党委", 70)]
    assert data[1][headers.index("有效评分人数")] == 1


def test_ranking_page_shows_final_scores_and_flags(scored, client_for):
    w = scored
    body = client_for(w.users.admin).get(reverse("reviews:ranking", args=[w.track.pk])).content.decode()
    assert "93.50" in body and "70.00" in body and "弃权 1" in body


def pdf_text(tmp_path, data):
    path = tmp_path / "s.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return text, fonts


@needs_poppler
def test_judge_sheet_pdf_lists_own_scores_with_signature_line_and_embedded_cjk_font(scored, client_for, tmp_path):
    w = scored
    response = client_for(w.j2).get(reverse("reviews:sheet_pdf", args=[w.track.pk, w.j2.pk, 1]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, fonts = pdf_text(tmp_path, response.content)
    flat = "".join(text.split())
    for expected in ["十佳党建品牌", "材料评审评分表", "评委xj2", "丙学院党委", "评审专家签字", "弃权：材料打不开", "第1页/共1页"]:
        assert expected in flat, expected
    assert "12222618987" in flat  # judge 2's own row for 丙: criteria and total 87
    assert "1525302010100" not in flat  # judge 1's row is not on judge 2's sheet
    font_lines = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert font_lines and all("WenQuanYi" in line and " yes " in line for line in font_lines), fonts


@needs_poppler
def test_blind_sheet_pdf_prints_codes_not_org_names(world, at, client_for, tmp_path):
    w = world
    at(*SCORING_DAY)
    e = make_entry(w.campaign, w.college_b, title="红色引擎")
    j = make_judge("blindj")
    track = open_track(brand_track(w, [j], blind=True), w.users.admin)
    response = client_for(j).get(reverse("reviews:sheet_pdf", args=[track.pk, j.pk, 1]))
    text, _ = pdf_text(tmp_path, response.content)
    assert f"P-{e.pk:04d}" in text and "乙学院党委" not in text


MUST_HOLD = {"reviews:matrix_xlsx": ["申报单位", "推荐单位", "评委", "弃权原因"],
             "reviews:ranking_xlsx": ["申报单位", "推荐单位", "品牌/特色名称"]}


@pytest.mark.parametrize("url", list(MUST_HOLD))
@needs_unchecked_lengths
def test_score_exports_survive_hostile_text_in_every_text_column(scored, client_for, url):
    from ..xlsx_checks import HOSTILE, KINDS, check_hostile, store_hostile, surrogate_on_load

    w = scored
    c = client_for(w.users.admin)
    reference = None
    for hostile in ["quote"] + [k for k in KINDS if k != "quote"]:
        store_hostile(HOSTILE[hostile])
        response = c.get(reverse(url, args=[w.track.pk]))
        holding = check_hostile(response.content, hostile)
        if reference is None:
            reference = holding
            ws = workbook(response)
            names = {ws.cell(row=2, column=col).value for _p, where, col in holding if where == "data"}
            assert set(MUST_HOLD[url]) <= names, set(MUST_HOLD[url]) - names
            if url == "reviews:matrix_xlsx":
                assert any(where == "header" for _p, where, _c in holding)  # the criteria's names
        else:
            assert holding == reference, (hostile, reference ^ holding)
    disconnect = surrogate_on_load()
    try:
        response = c.get(reverse(url, args=[w.track.pk]))
    finally:
        disconnect()
    assert check_hostile(response.content, "surrogate")
