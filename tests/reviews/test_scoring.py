"""Scoring: ranges, whole numbers, windows, lock/unlock, privacy, blind mode, conflicts on every path."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from audit.models import AuditEntry
from reviews import services
from reviews.models import Assignment, ScoreSheet
from submissions.models import Attachment

from .helpers import SCORING_DAY, brand_track, make_entry, make_judge, open_track, points_for, score


@pytest.fixture
def scoring(world, at):
    w = world
    at(*SCORING_DAY)
    w.e_a = make_entry(w.campaign, w.college_a, title="甲品牌", leader="甲负责人")
    w.e_b = make_entry(w.campaign, w.college_b, title="乙品牌", leader="乙负责人王五")
    w.j2 = make_judge("j2")
    w.track = open_track(brand_track(w, [w.users.judge, w.j2]), w.users.admin)
    return w


def mine(w, judge, entry):
    return Assignment.objects.get(track=w.track, judge=judge, entry=entry)


def test_whole_numbers_within_range_are_saved_with_the_total(scoring):
    w = scoring
    a = score(w.track, w.j2, w.e_b, 15, 20, 25, 18, 10)
    assert a.total == 88 and a.complete


@pytest.mark.parametrize("bad", ["16", "-1", "7.5", "abc", "1e1", "²"])
def test_out_of_range_or_fractional_scores_are_refused(scoring, bad):
    w = scoring
    a = mine(w, w.j2, w.e_b)
    with pytest.raises(services.JudgingError):
        services.save_score(a, points_for(w.track, bad, 20, 25, 18, 10), by=w.j2, expected_version=a.version)
    a.refresh_from_db()
    assert a.total is None and a.points == {}


def test_scores_posted_to_the_view_are_checked_on_the_server(scoring, client_for):
    w = scoring
    a = mine(w, w.j2, w.e_b)
    crit = list(w.track.criteria.filter(round=1).order_by("sort_order"))
    post = {f"c_{c.pk}": c.max_points + 1 for c in crit} | {"version": a.version, "action": "save"}
    response = client_for(w.j2).post(reverse("reviews:score", args=[a.pk]), post)
    assert response.status_code == 200
    assert "须在 0–15 分之间" in response.content.decode()
    a.refresh_from_db()
    assert a.total is None


def test_partial_save_is_not_complete_and_blocks_submission(scoring):
    w = scoring
    a = mine(w, w.j2, w.e_b)
    a = services.save_score(a, points_for(w.track, 10, 20), by=w.j2, expected_version=a.version)
    assert a.total == 30 and not a.complete
    with pytest.raises(services.JudgingError):
        services.submit_sheet(w.track, w.j2, by=w.j2)


def test_abstaining_needs_a_reason_and_counts_as_done(scoring):
    w = scoring
    a = mine(w, w.j2, w.e_a)
    with pytest.raises(services.JudgingError):
        services.save_score(a, {}, by=w.j2, expected_version=a.version, abstain=True, abstain_reason="")
    a = services.save_score(a, {}, by=w.j2, expected_version=a.version, abstain=True, abstain_reason="材料无法打开")
    assert a.abstained and a.done and a.total is None


def test_stale_version_is_refused(scoring):
    from core.concurrency import StaleEdit

    w = scoring
    a = mine(w, w.j2, w.e_b)
    score(w.track, w.j2, w.e_b, 1, 1, 1, 1, 1)
    with pytest.raises(StaleEdit):
        services.save_score(a, points_for(w.track, 2, 2, 2, 2, 2), by=w.j2, expected_version=a.version)


def test_submit_locks_scores_and_admin_unlock_needs_a_reason_and_is_audited(scoring):
    w = scoring
    score(w.track, w.j2, w.e_a, 10, 10, 10, 10, 10)
    score(w.track, w.j2, w.e_b, 11, 11, 11, 11, 9)
    sheet = services.submit_sheet(w.track, w.j2, by=w.j2)
    with pytest.raises(services.JudgingError, match="锁定"):
        score(w.track, w.j2, w.e_a, 12, 12, 12, 12, 10)
    with pytest.raises(services.JudgingError):
        services.unlock_sheet(sheet, by=w.users.admin, reason="")
    with pytest.raises(services.JudgingError):
        services.unlock_sheet(sheet, by=w.j2, reason="想改")
    services.unlock_sheet(sheet, by=w.users.admin, reason="评委误填第二项")
    assert score(w.track, w.j2, w.e_a, 12, 12, 12, 12, 10).total == 58
    entry = AuditEntry.objects.filter(action="unlock_sheet").get()
    assert entry.note == "评委误填第二项" and entry.actor == w.users.admin


def test_every_score_change_is_audited_with_old_and_new_points(scoring):
    w = scoring
    score(w.track, w.j2, w.e_b, 10, 10, 10, 10, 10)
    score(w.track, w.j2, w.e_b, 10, 10, 10, 10, 9)
    entries = list(AuditEntry.objects.filter(action="score").order_by("id"))
    assert len(entries) == 2
    assert entries[1].changes["total"] == [50, 49]


def test_no_scoring_before_the_window_or_after_the_deadline(scoring, at):
    w = scoring
    at(2026, 12, 11, 9, 0)
    with pytest.raises(services.JudgingError, match="截止"):
        score(w.track, w.j2, w.e_b, 10, 10, 10, 10, 10)
    at(2026, 11, 10, 9, 0)
    with pytest.raises(services.JudgingError, match="开始"):
        score(w.track, w.j2, w.e_b, 10, 10, 10, 10, 10)


def test_no_scoring_before_admin_opens_scoring(world, at):
    w = world
    at(*SCORING_DAY)
    e = make_entry(w.campaign, w.college_b)
    track = brand_track(w, [w.users.judge])
    services.assign(track, by=w.users.admin)
    with pytest.raises(services.JudgingError):
        score(track, w.users.judge, e, 1, 1, 1, 1, 1)


def test_judge_cannot_score_another_judges_assignment(scoring, client_for):
    w = scoring
    a = mine(w, w.j2, w.e_b)
    with pytest.raises(services.JudgingError):
        services.save_score(a, points_for(w.track, 1, 1, 1, 1, 1), by=w.users.judge, expected_version=a.version)
    response = client_for(w.users.judge).post(reverse("reviews:score", args=[a.pk]), {"version": a.version})
    assert response.status_code == 403


def test_judges_never_see_other_judges_scores(scoring, client_for):
    w = scoring
    score(w.track, w.j2, w.e_b, 14, 23, 27, 19, 9)  # total 92, distinctive
    c = client_for(w.users.judge)
    mine_b = mine(w, w.users.judge, w.e_b)
    for url in (reverse("reviews:queue"), reverse("reviews:score", args=[mine_b.pk])):
        body = c.get(url).content.decode()
        assert "92 分" not in body and 'value="27"' not in body and 'value="23"' not in body
    assert c.get(reverse("reviews:score", args=[mine(w, w.j2, w.e_b).pk])).status_code == 403
    assert c.get(reverse("reviews:ranking", args=[w.track.pk])).status_code == 403
    assert c.get(reverse("reviews:matrix_xlsx", args=[w.track.pk])).status_code == 403
    assert c.get(reverse("reviews:sheet_pdf", args=[w.track.pk, w.j2.pk, 1])).status_code == 404


def test_blind_mode_hides_org_names_and_people_from_the_judge(world, at, client_for):
    w = world
    at(*SCORING_DAY)
    e = make_entry(w.campaign, w.college_b, leader="乙负责人王五", title="红色引擎")  # the brand name is content: shown
    track = open_track(brand_track(w, [w.users.judge], blind=True), w.users.admin)
    a = Assignment.objects.get(track=track, judge=w.users.judge, entry=e)
    c = client_for(w.users.judge)
    for url in (reverse("reviews:queue"), reverse("reviews:score", args=[a.pk])):
        body = c.get(url).content.decode()
        assert "乙学院党委" not in body and "乙负责人王五" not in body
        assert f"P-{e.pk:04d}" in body and "红色引擎" in body


def test_without_blind_mode_the_judge_sees_the_entrant(scoring, client_for):
    w = scoring
    body = client_for(w.users.judge).get(reverse("reviews:score", args=[mine(w, w.users.judge, w.e_b).pk])).content.decode()
    assert "乙学院党委" in body and "乙负责人王五" in body


def test_conflicted_entry_is_absent_from_queue_and_refused_on_every_path(scoring, client_for):
    """judge's home org is college A: the A entry is never assigned, shown or scorable, even if forced in."""
    w = scoring
    c = client_for(w.users.judge)
    assert "乙品牌" in c.get(reverse("reviews:queue")).content.decode()
    assert "甲品牌" not in c.get(reverse("reviews:queue")).content.decode()
    # force an assignment past the services (e.g. the home org changed after assignment)
    forced = Assignment.objects.create(track=w.track, judge=w.users.judge, entry=w.e_a)
    assert "甲品牌" not in c.get(reverse("reviews:queue")).content.decode()
    assert c.get(reverse("reviews:score", args=[forced.pk])).status_code == 404
    crit = w.track.criteria.filter(round=1)
    assert c.post(reverse("reviews:score", args=[forced.pk]), {f"c_{x.pk}": 1 for x in crit}).status_code == 404
    with pytest.raises(services.JudgingError, match="回避"):
        services.save_score(forced, points_for(w.track, 1, 1, 1, 1, 1), by=w.users.judge, expected_version=forced.version)
    pdf_html = __import__("reviews.pdf", fromlist=["x"]).sheet_html(w.track, w.users.judge)
    assert "甲品牌" not in pdf_html and "乙品牌" in pdf_html


def test_assigned_judge_may_open_the_entry_files_and_a_conflicted_one_may_not(scoring, client_for):
    w = scoring
    files = {}
    for e in (w.e_a, w.e_b):
        att = Attachment(organization=e.organization, kind="mp4", original_name="v.mp4", size=8)
        att.file.save("attachments/v.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"), save=False)
        att.save()
        e.video = att
        e.save()
        files[e.organization.code] = att
    c = client_for(w.users.judge)
    assert c.get(reverse("submissions:attachment", args=[files["B"].uuid])).status_code == 200
    assert c.get(reverse("submissions:attachment", args=[files["A"].uuid])).status_code == 404
    Assignment.objects.create(track=w.track, judge=w.users.judge, entry=w.e_a)  # forced: still refused
    assert c.get(reverse("submissions:attachment", args=[files["A"].uuid])).status_code == 404
    other = make_judge("j3")  # a judge not assigned to the entry
    assert client_for(other).get(reverse("submissions:attachment", args=[files["B"].uuid])).status_code == 404


def test_scoring_screen_shows_materials_and_inline_video(scoring, client_for):
    w = scoring
    att = Attachment(organization=w.college_b, kind="mp4", original_name="v.mp4", size=8, duration_seconds=200)
    att.file.save("attachments/v.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"), save=False)
    att.save()
    w.e_b.video = att
    w.e_b.overview = "我们的做法是……"
    w.e_b.save()
    body = client_for(w.users.judge).get(reverse("reviews:score", args=[mine(w, w.users.judge, w.e_b).pk])).content.decode()
    assert f'<video class="w-100" controls preload="metadata" src="{reverse("submissions:attachment", args=[att.uuid])}"' in body
    assert "我们的做法是……" in body and "3分20秒" in body


def test_save_and_next_goes_to_the_next_unscored_entry(world, at, client_for):
    w = world
    at(*SCORING_DAY)
    from ..factories import CollegeFactory

    e1, e2 = make_entry(w.campaign, CollegeFactory(parent=w.school)), make_entry(w.campaign, CollegeFactory(parent=w.school))
    j = make_judge("solo")
    track = open_track(brand_track(w, [j]), w.users.admin)
    a1 = Assignment.objects.get(track=track, entry=e1)
    a2 = Assignment.objects.get(track=track, entry=e2)
    crit = track.criteria.filter(round=1).order_by("sort_order")
    post = {f"c_{c.pk}": 5 for c in crit} | {"version": a1.version, "action": "save_next"}
    response = client_for(j).post(reverse("reviews:score", args=[a1.pk]), post)
    assert response.status_code == 302 and response["Location"] == reverse("reviews:score", args=[a2.pk])
    a1.refresh_from_db()
    assert a1.total == 25


def test_judge_obligation_lists_unscored_assignments_until_submitted(scoring):
    from campaigns import obligations

    w = scoring
    items = [o for o in obligations.for_user(w.campaign, w.j2) if o.key.startswith("judging_")]
    assert len(items) == 1 and not items[0].done and items[0].extra["unscored"] == 2
    assert items[0].deadline_kind == "judging" and items[0].due_at == w.track.closes_at
    score(w.track, w.j2, w.e_a, 1, 1, 1, 1, 1)
    score(w.track, w.j2, w.e_b, 1, 1, 1, 1, 1)
    services.submit_sheet(w.track, w.j2, by=w.j2)
    items = [o for o in obligations.for_user(w.campaign, w.j2) if o.key.startswith("judging_")]
    assert items[0].done
    assert ScoreSheet.objects.get(judge=w.j2).locked


def test_judge_declares_a_conflict_from_the_scoring_screen(scoring, client_for):
    w = scoring
    a = mine(w, w.users.judge, w.e_b)
    c = client_for(w.users.judge)
    assert c.post(reverse("reviews:declare_conflict", args=[a.pk]), {"reason": "配偶在该学院工作"}).status_code == 302
    assert not Assignment.objects.filter(pk=a.pk).exists()
    assert "乙品牌" not in c.get(reverse("reviews:queue")).content.decode()
    assert AuditEntry.objects.filter(action="declare_conflict", actor=w.users.judge).exists()


def test_judges_cannot_open_materials_before_scoring_opens(world, at, client_for):
    w = world
    at(*SCORING_DAY)
    e = make_entry(w.campaign, w.college_b)
    att = Attachment(organization=w.college_b, kind="pdf", original_name="x.pdf", size=8)
    att.file.save("attachments/x.pdf", ContentFile(b"%PDF-1.4"), save=False)
    att.save()
    e.case_doc = att
    e.save()
    track = brand_track(w, [w.users.judge])
    services.assign(track, by=w.users.admin)
    url = reverse("submissions:attachment", args=[att.uuid])
    assert client_for(w.users.judge).get(url).status_code == 404
    services.open_scoring(track, by=w.users.admin)
    assert client_for(w.users.judge).get(url).status_code == 200


def test_sheet_pdf_task_renders_one_pdf_per_judge_and_is_idempotent(scoring):
    from django.core.files.storage import default_storage

    from reviews.tasks import render_sheet_pdfs

    w = scoring
    names = render_sheet_pdfs(w.track.pk)
    assert render_sheet_pdfs(w.track.pk) == names and len(names) == 2
    for name in names:
        with default_storage.open(name, "rb") as fh:
            assert fh.read(5) == b"%PDF-"


def test_scores_can_be_rebuilt_from_the_audit_history(scoring):
    from reviews import queries

    w = scoring
    j3 = make_judge("j3")
    services.set_judges(w.track, [w.users.judge.pk, w.j2.pk, j3.pk], by=w.users.admin)
    services.assign(w.track, by=w.users.admin)
    score(w.track, w.j2, w.e_a, 10, 10, 10, 10, 10)
    score(w.track, w.j2, w.e_a, 10, 12, 10, 10, 10)  # changed
    a = mine(w, w.j2, w.e_b)
    services.save_score(a, {}, by=w.j2, expected_version=a.version, abstain=True, abstain_reason="暂不评")
    score(w.track, w.j2, w.e_b, 9, 9, 9, 9, 9)  # abstention withdrawn
    score(w.track, w.users.judge, w.e_b, 15, 25, 30, 20, 10)
    sheet = services.submit_sheet(w.track, w.users.judge, by=w.users.judge)
    services.unlock_sheet(sheet, by=w.users.admin, reason="复核")
    score(w.track, w.users.judge, w.e_b, 14, 25, 30, 20, 10)
    score(w.track, j3, w.e_a, 5, 5, 5, 5, 5)
    a3 = mine(w, j3, w.e_b)
    services.save_score(a3, {}, by=j3, expected_version=a3.version, abstain=True, abstain_reason="不熟悉")
    services.declare_conflict(w.track, j3, w.e_a, "曾任该院兼职", by=j3)  # withdraws a scored assignment

    replayed = queries.scores_from_history(w.track)
    actual = {a.pk: (a.points, a.abstained) for a in Assignment.objects.filter(track=w.track) if a.scored_at}
    assert replayed == actual
    assert len(actual) == 4


def test_scoring_screen_is_not_shown_before_scoring_opens(world, at, client_for):
    w = world
    at(*SCORING_DAY)
    make_entry(w.campaign, w.college_b, overview="保密的概述内容")
    track = brand_track(w, [w.users.judge])
    services.assign(track, by=w.users.admin)
    a = Assignment.objects.get(track=track)
    response = client_for(w.users.judge).get(reverse("reviews:score", args=[a.pk]))
    assert response.status_code == 404
    assert "保密的概述内容" not in client_for(w.users.judge).get(reverse("reviews:queue")).content.decode()


def test_the_scoring_page_follows_the_score_sheet_through_submit_and_unlock(scoring, client_for):
    """The page reads the sheet's state with the assignment (one query): open, submitted (form disabled, the lock
    named), unlocked again by 组织部 (open)."""
    w = scoring
    score(w.track, w.j2, w.e_a, 10, 10, 10, 10, 10)
    score(w.track, w.j2, w.e_b, 11, 11, 11, 11, 9)
    c = client_for(w.j2)
    url = reverse("reviews:score", args=[mine(w, w.j2, w.e_a).pk])
    page = c.get(url).content.decode()
    assert "已提交并锁定" not in page and "保存并评下一项" in page
    sheet = services.submit_sheet(w.track, w.j2, by=w.j2)
    page = c.get(url).content.decode()
    assert "您的评分表已提交并锁定" in page and "保存并评下一项" not in page and " disabled>" in page
    services.unlock_sheet(sheet, by=w.users.admin, reason="评委误填")
    page = c.get(url).content.decode()
    assert "已提交并锁定" not in page and "保存并评下一项" in page


def test_a_judge_taken_off_the_track_can_no_longer_score_its_assignments(scoring, client_for):
    """The page reads "is this judge still on the track" with the assignment: taken off (their assignment left
    behind), the page says why and offers no form, and a POST saves nothing."""
    w = scoring
    a = mine(w, w.j2, w.e_a)
    c = client_for(w.j2)
    url = reverse("reviews:score", args=[a.pk])
    assert "保存并评下一项" in c.get(url).content.decode()
    w.track.judges.remove(w.j2)
    page = c.get(url).content.decode()
    assert "只能为分配给您本人、且无需回避的项目打分。" in page and "保存并评下一项" not in page
    post = {f"c_{crit.pk}": 5 for crit in w.track.criteria.filter(round=1)} | {"version": a.version, "action": "save"}
    c.post(url, post)
    a.refresh_from_db()
    assert a.total is None and a.points == {}
