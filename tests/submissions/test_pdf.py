import shutil
import subprocess

import pytest
from django.urls import reverse

from submissions import services
from submissions.models import Form2

from .helpers import FORM1_COMPLETE, ROW_COMPLETE

needs_poppler = pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts/pdftotext) not installed")


@pytest.fixture
def phase1(at):
    at(2026, 5, 8, 10, 0)


def pdf_text(tmp_path, data):
    path = tmp_path / "f.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    pages = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return text, fonts, pages


@needs_poppler
def test_form1_pdf_has_layout_text_and_embedded_cjk_font(world, client_for, phase1, tmp_path):
    services.save_form1(world.campaign, world.college_a, FORM1_COMPLETE, by=world.users.college, expected_version=0)
    url = reverse("submissions:pdf", args=[world.campaign.pk, "form1", world.college_a.pk])
    response = client_for(world.users.college).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, fonts, info = pdf_text(tmp_path, response.content)
    for expected in ["附件1", "一院一品牌", "申报表", "甲学院党委", "匠心铸魂", "书记（签字）", "盖章", "一式两份", "政治引领到位"]:
        assert expected in text, expected
    assert "A4" in info or "595" in info
    font_lines = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert any("WenQuanYi" in line and " yes " in line for line in font_lines), fonts


@needs_poppler
def test_form2_pdf_lists_every_row(world, client_for, phase1, tmp_path):
    services.save_row(world.campaign, world.branch_a1, ROW_COMPLETE, by=world.users.branch, expected_version=0)
    services.skip_row(world.campaign, world.branch_a2, "撤并中", by=world.users.college)
    Form2.objects.update(filler_name="李老师")
    url = reverse("submissions:pdf", args=[world.campaign.pk, "form2", world.college_a.pk])
    text, fonts, _ = pdf_text(tmp_path, client_for(world.users.admin).get(url).content)
    for expected in ["附件2", "汇总表", "甲一支部", "红色工匠", "甲二支部", "撤并中", "李老师", "联系电话", "备注"]:
        assert expected in text.replace(" ", ""), expected
    assert "WenQuanYi" in fonts


def test_pdf_cache_follows_changes(world, phase1):
    from submissions import pdf

    form = services.save_form1(world.campaign, world.college_a, FORM1_COMPLETE, by=world.users.college, expected_version=0)
    first = pdf.form_pdf("form1", form)
    assert pdf.form_pdf("form1", form) == first
    form = services.save_form1(world.campaign, world.college_a, {"brand_name": "薪火相传品牌"}, by=world.users.college,
                               expected_version=form.version)
    assert pdf.form_pdf("form1", form) != first


def test_pdf_permission(world, client_for, phase1):
    services.save_form1(world.campaign, world.college_a, FORM1_COMPLETE, by=world.users.college, expected_version=0)
    url = reverse("submissions:pdf", args=[world.campaign.pk, "form1", world.college_a.pk])
    assert client_for(world.users.college_b).get(url).status_code == 403
    assert client_for(world.users.branch).get(url).status_code == 403


def test_scan_upload_checks_content_not_name(world, client_for, phase1):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = services.save_form1(world.campaign, world.college_a, FORM1_COMPLETE, by=world.users.college, expected_version=0)
    services.submit_form1(form, by=world.users.college)
    c = client_for(world.users.college)
    url = reverse("submissions:scan_upload", args=[world.campaign.pk, "form1", world.college_a.pk])
    exe = SimpleUploadedFile("扫描件.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    body = c.post(url, {"file": exe}, follow=True).content.decode()
    assert "文件类型不符合要求" in body
    form.refresh_from_db()
    assert not form.scan
    good = SimpleUploadedFile("../../etc/盖章版.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/octet-stream")
    body = c.post(url, {"file": good}, follow=True).content.decode()
    assert "已上传" in body
    form.refresh_from_db()
    assert form.scan_name == "盖章版.pdf" and form.scan.name.startswith("scans/") and ".." not in form.scan.name
    download = reverse("submissions:scan_file", args=[world.campaign.pk, "form1", world.college_a.pk])
    assert client_for(world.users.college_b).get(download).status_code == 403
    response = c.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
