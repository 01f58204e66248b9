"""Fingerprinting, comparison and the incremental bulk run, on planted copies in real models."""

import pytest
from django.core.management import call_command

from showcase.models import ItemOutcome, ShowcaseItem
from similarity import services
from similarity.models import Match, Run, RunStatus, SourceKind, Text
from submissions.models import Entry

from .helpers import (TEXT_A, TEXT_B, TEXT_C, attachment, docx_bytes, earlier_campaign, entry, form1, paragraph, pdf_bytes,
                      plant)


def _match(a_obj, b_obj, kind_a=SourceKind.ENTRY, kind_b=SourceKind.ENTRY):
    return Match.objects.filter(text__kind=kind_a, text__object_id=a_obj.pk, other__kind=kind_b,
                                other__object_id=b_obj.pk).first()


def test_a_paragraph_copied_from_another_college_is_found_both_ways_with_its_passage(world):
    para = paragraph(TEXT_A)
    original = entry(world.campaign, world.college_a, TEXT_A)
    copy = entry(world.campaign, world.college_b, plant(TEXT_B, para))
    stats = services.check_campaign(world.campaign)
    assert stats["texts"] == 2 and stats["hashed"] == 2 and stats["pairs"] == 1
    m = _match(copy, original)
    assert m is not None and 3 < m.percent < 15
    body = Text.objects.get(kind="entry", object_id=copy.pk).body
    assert "".join(body[a:b] for a, b, *_ in sorted(m.passages)) == para
    back = _match(original, copy)
    assert back.percent == pytest.approx(m.percent, abs=1.0)


def test_unrelated_submissions_get_no_match(world):
    entry(world.campaign, world.college_a, TEXT_A)
    entry(world.campaign, world.college_b, TEXT_B)
    entry(world.campaign, world.branch_b1, TEXT_C)
    services.check_campaign(world.campaign)
    assert Match.objects.count() == 0
    assert Text.objects.filter(checked_hash="").count() == 0


def test_the_same_colleges_materials_of_one_year_are_not_compared_but_its_last_year_text_is(world):
    last_year = earlier_campaign(2025)
    entry(last_year, world.college_a, TEXT_A)
    this_year = entry(world.campaign, world.college_a, TEXT_A)
    form1(world.campaign, world.college_a, TEXT_A)  # its own 附件1: reused in its 附件3 by design
    branch_row_like = entry(world.campaign, world.branch_a1, TEXT_A)  # its branch, same year
    services.check_campaign(last_year)
    services.check_campaign(world.campaign)
    others = {(m.other.kind, m.other.year) for m in Match.objects.filter(text__object_id=this_year.pk,
                                                                         text__kind="entry").select_related("other")}
    assert others == {("entry", 2025)}
    assert Match.objects.get(text__kind="entry", text__object_id=this_year.pk).percent == 100.0
    assert not Match.objects.filter(text__object_id=branch_row_like.pk, other__year=2026).exists()


def test_earlier_years_and_the_case_library_are_compared(world):
    last_year = earlier_campaign(2025)
    item = ShowcaseItem.objects.create(campaign=last_year, year=2025, organization=world.college_b,
                                       college=world.college_b, kind="brand", org_name=world.college_b.name,
                                       org_type=world.college_b.org_type, title="乙品牌", connotation=TEXT_C)
    case = ItemOutcome.objects.create(item=item, outcome_type="case", title="乙案例", body=TEXT_B)
    sents = paragraph(TEXT_B, 1).split("。")[:-1]
    suspect = entry(world.campaign, world.college_a, plant(TEXT_A, "。".join(reversed(sents)) + "。"))
    services.check_campaign(last_year)
    services.check_campaign(world.campaign)
    m = _match(suspect, case, kind_b=SourceKind.CASE)
    assert m is not None and len(m.passages) == len(sents)
    assert _match(suspect, item, kind_b=SourceKind.SHOWCASE) is None


def test_bulk_run_is_incremental_only_changed_texts_are_rehashed_and_compared(world):
    para = paragraph(TEXT_A)
    entry(world.campaign, world.college_a, TEXT_A)
    copy = entry(world.campaign, world.college_b, TEXT_B)
    first = services.check_campaign(world.campaign)
    assert (first["hashed"], first["checked"]) == (2, 2)
    again = services.check_campaign(world.campaign)
    assert (again["hashed"], again["checked"], again["pairs"]) == (0, 0, 0)
    # only a whitespace/punctuation change: same content hash, nothing to do
    Entry.objects.filter(pk=copy.pk).update(overview=TEXT_B.replace("，", ", "))
    assert services.check_campaign(world.campaign)["hashed"] == 0
    Entry.objects.filter(pk=copy.pk).update(overview=plant(TEXT_B, para))
    changed = services.check_campaign(world.campaign)
    assert (changed["hashed"], changed["checked"], changed["pairs"]) == (1, 1, 1)
    assert Match.objects.filter(text__object_id=copy.pk).count() == 1
    full = services.check_campaign(world.campaign, full=True)
    assert (full["hashed"], full["checked"]) == (0, 2)
    assert Match.objects.count() == 2


def test_a_withdrawn_entry_loses_its_text_and_matches(world):
    entry(world.campaign, world.college_a, TEXT_A)
    copy = entry(world.campaign, world.college_b, TEXT_A)
    services.check_campaign(world.campaign)
    assert Match.objects.count() == 2
    copy.delete()
    services.check_campaign(world.campaign)
    assert Match.objects.count() == 0 and Text.objects.count() == 1


def test_the_text_of_uploaded_pdf_and_docx_documents_is_checked(world):
    pdf = attachment(world.college_a, pdf_bytes(TEXT_A), "pdf", "典型经验.pdf")
    docx = attachment(world.college_b, docx_bytes(plant(TEXT_B, paragraph(TEXT_A, 4))), "docx", "案例.docx")
    entry(world.campaign, world.college_a, "", experience_doc=pdf)
    entry(world.campaign, world.college_b, "", case_doc=docx)
    services.check_campaign(world.campaign)
    t_pdf = Text.objects.get(kind="document", object_id=pdf.pk)
    t_docx = Text.objects.get(kind="document", object_id=docx.pk)
    assert t_pdf.length > 2000 and t_docx.length > 2000 and t_pdf.entry_id is not None
    m = Match.objects.get(text=t_docx, other=t_pdf)
    assert len(m.passages) == len(paragraph(TEXT_A, 4).split("。")) - 1
    # the same file is not read again on the next run
    assert services.check_campaign(world.campaign)["hashed"] == 0


def test_a_broken_document_is_noted_not_an_error(world):
    broken = attachment(world.college_a, b"%PDF-1.4 not really", "pdf")
    entry(world.campaign, world.college_a, TEXT_A, summary_report=broken)
    services.check_campaign(world.campaign)
    t = Text.objects.get(kind="document", object_id=broken.pk)
    assert t.length == 0 and "无法提取" in t.note


def test_submitting_a_row_checks_it_after_commit(world, at, django_capture_on_commit_callbacks):
    from submissions import services as submissions

    at(2026, 5, 8, 10, 0)
    intro = paragraph(TEXT_A)[:190]
    form1(world.campaign, world.college_b, TEXT_A)
    services.check_campaign(world.campaign)
    row = submissions.save_row(world.campaign, world.branch_a1, {
        "feature_name": "红色工匠", "feature_intro": intro, "carriers": "党员先锋岗", "expected_results": "培养骨干",
        "phone": "13800000000"}, by=world.users.branch, expected_version=0)
    with django_capture_on_commit_callbacks(execute=True):
        submissions.submit_row(row, by=world.users.branch)
    t = Text.objects.get(kind="form2row", object_id=row.pk)
    assert t.is_checked
    assert Match.objects.get(text=t).other.kind == "form1"


def test_saving_a_draft_queues_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        entry(world.campaign, world.college_a, TEXT_A, state="draft")
    assert callbacks == [] and not Text.objects.exists()


def test_management_command_checks_a_year_and_reports(world, capsys):
    entry(world.campaign, world.college_a, TEXT_A)
    entry(world.campaign, world.college_b, TEXT_A)
    call_command("check_similarity", "--year", "2026")
    out = capsys.readouterr().out
    assert "2 份材料" in out and "精确比对 1 对" in out
    run = Run.objects.get()
    assert run.status == RunStatus.DONE and run.pairs == 1
