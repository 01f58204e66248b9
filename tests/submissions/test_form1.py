import datetime as dt

import pytest
from django.urls import reverse

from campaigns.models import SHANGHAI, DeadlineKind
from campaigns.services import grant_extension
from core.concurrency import StaleEdit
from audit.log import history_for
from submissions import services
from submissions.models import Form1, FormState

from .helpers import FORM1_COMPLETE, form1_post


@pytest.fixture
def phase1(at):
    at(2026, 5, 8, 10, 0)


def save(world, data=None, version=0, user=None):
    return services.save_form1(world.campaign, world.college_a, data or FORM1_COMPLETE,
                               by=user or world.users.college, expected_version=version)


def test_draft_may_be_incomplete_and_lists_what_is_missing(world, phase1):
    form = save(world, {"brand_name": "匠心"})
    assert form.state == FormState.DRAFT
    missing = services.form1_missing(form)
    assert "书记姓名" in missing and "品牌名称（需 4–12 个字）" in missing
    assert any("五个到位" in m for m in missing)
    with pytest.raises(services.WorkflowError):
        services.submit_form1(form, by=world.users.college)
    assert Form1.objects.get().state == FormState.DRAFT


def test_full_state_machine_submit_return_resubmit_accept(world, phase1):
    form = save(world)
    form = services.submit_form1(form, by=world.users.college)
    assert form.state == FormState.SUBMITTED
    with pytest.raises(services.WorkflowError):
        save(world, {"brand_name": "改一改名"}, version=form.version)
    with pytest.raises(services.WorkflowError):
        services.return_form(form, "  ", by=world.users.admin)
    form = services.return_form(form, "请补充工作基础", by=world.users.admin)
    assert form.state == FormState.RETURNED and form.review_comment == "请补充工作基础"
    form = save(world, {"foundation": "补充后的工作基础"}, version=form.version)
    form = services.submit_form1(form, by=world.users.college)
    form = services.accept_form(form, by=world.users.admin)
    assert form.state == FormState.ACCEPTED
    actions = list(history_for(form).reverse().values_list("action", flat=True))
    assert actions == ["create", "submit", "return", "update", "submit", "accept"]


def test_deadline_is_enforced_on_the_server(world, at):
    at(2026, 5, 15, 23, 59)
    form = save(world)
    at(2026, 5, 16, 0, 0, 1)
    with pytest.raises(services.WorkflowError, match="已超过截止时间"):
        save(world, {"brand_name": "迟到的修改"}, version=form.version)
    with pytest.raises(services.WorkflowError, match="已超过截止时间"):
        services.submit_form1(form, by=world.users.college)
    assert Form1.objects.get().state == FormState.DRAFT


def test_not_open_before_phase1_starts(world, at):
    at(2026, 3, 20, 9, 0)
    with pytest.raises(services.WorkflowError, match="开始"):
        save(world)


def test_extension_lets_that_org_submit_late(world, at):
    deadline = world.campaign.deadlines.get(kind=DeadlineKind.DESIGN)
    grant_extension(deadline, world.college_a, dt.datetime(2026, 5, 20, 18, 0, tzinfo=SHANGHAI), "换届", by=world.users.admin)
    at(2026, 5, 18, 9, 0)
    form = save(world)
    assert services.submit_form1(form, by=world.users.college).state == FormState.SUBMITTED
    with pytest.raises(services.WorkflowError):
        services.save_form1(world.campaign, world.college_b, FORM1_COMPLETE, by=world.users.college_b, expected_version=0)


def test_returned_form_can_be_fixed_after_the_deadline(world, at):
    at(2026, 5, 10, 9, 0)
    form = services.submit_form1(save(world), by=world.users.college)
    at(2026, 5, 20, 9, 0)
    form = services.return_form(form, "印章不清晰", by=world.users.admin)
    form = save(world, {"slogan": "新口号"}, version=form.version)
    assert services.submit_form1(form, by=world.users.college).state == FormState.SUBMITTED


def test_second_editor_with_stale_version_is_refused(world, phase1):
    form = save(world)
    save(world, {"slogan": "甲先保存"}, version=form.version)
    with pytest.raises(StaleEdit):
        save(world, {"slogan": "乙的旧页面"}, version=form.version)
    assert Form1.objects.get().slogan == "甲先保存"


def test_two_people_creating_the_same_form_is_detected(world, phase1):
    save(world, {"slogan": "甲"}, version=0)
    with pytest.raises(StaleEdit):
        save(world, {"slogan": "乙"}, version=0)


def test_brand_name_length_is_checked_at_submit(world, phase1):
    data = dict(FORM1_COMPLETE, brand_name="品牌")
    form = save(world, data)
    with pytest.raises(services.WorkflowError, match="4–12"):
        services.submit_form1(form, by=world.users.college)


# ---------------------------------------------------------------- through the views


def form1_url(world, org=None):
    return reverse("submissions:form1", args=[world.campaign.pk, (org or world.college_a).pk])


def test_secretary_saves_and_submits_in_the_browser_flow(world, client_for, phase1):
    c = client_for(world.users.college)
    assert c.get(form1_url(world)).status_code == 200
    response = c.post(form1_url(world), form1_post(action="save"))
    assert response.status_code == 302
    form = Form1.objects.get()
    response = c.post(form1_url(world), form1_post(version=form.version, action="submit"), follow=True)
    assert "已提交" in response.content.decode()
    assert Form1.objects.get().state == FormState.SUBMITTED


def test_submit_with_missing_fields_keeps_the_draft(world, client_for, phase1):
    c = client_for(world.users.college)
    response = c.post(form1_url(world), form1_post({"brand_name": "半成品品牌"}, action="submit"), follow=True)
    body = response.content.decode()
    assert "草稿已保存，但还不能提交" in body
    form = Form1.objects.get()
    assert form.brand_name == "半成品品牌" and form.state == FormState.DRAFT


def test_too_long_text_is_refused_and_input_kept(world, client_for, phase1):
    c = client_for(world.users.college)
    response = c.post(form1_url(world), form1_post(dict(FORM1_COMPLETE, brand_name="这个品牌名称实在是太长太长了")))
    assert response.status_code == 200
    body = response.content.decode()
    assert "这个品牌名称实在是太长太长了" in body and "您填写的内容没有丢失" in body
    assert not Form1.objects.exists()


def test_stale_post_is_refused_with_message_and_input_kept(world, client_for, phase1):
    c = client_for(world.users.college)
    c.post(form1_url(world), form1_post())
    c.post(form1_url(world), form1_post(dict(FORM1_COMPLETE, slogan="第一人保存"), version=1))
    response = c.post(form1_url(world), form1_post(dict(FORM1_COMPLETE, slogan="第二人的输入"), version=1))
    assert response.status_code == 409
    body = response.content.decode()
    assert "其他人已修改" in body and "第二人的输入" in body
    assert Form1.objects.get().slogan == "第一人保存"


def test_script_in_text_is_shown_as_text(world, client_for, phase1):
    c = client_for(world.users.college)
    evil = "<script>alert(1)</script>"
    c.post(form1_url(world), form1_post(dict(FORM1_COMPLETE, foundation=evil)))
    body = c.get(form1_url(world) + "?preview=1").content.decode()
    assert evil not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_other_college_cannot_read_or_write(world, client_for, phase1):
    save(world)
    c = client_for(world.users.college_b)
    assert c.get(form1_url(world)).status_code == 403
    assert c.post(form1_url(world), form1_post(dict(FORM1_COMPLETE, slogan="入侵"), version=1)).status_code == 403
    assert Form1.objects.get().slogan == FORM1_COMPLETE["slogan"]


def test_admin_returns_and_org_sees_comment_on_home(world, client_for, phase1):
    form = services.submit_form1(save(world), by=world.users.college)
    admin = client_for(world.users.admin)
    url = reverse("submissions:review", args=[world.campaign.pk, "form1", world.college_a.pk])
    admin.post(url, {"decision": "return", "comment": "请补充进度安排"})
    form.refresh_from_db()
    assert form.state == FormState.RETURNED
    home = client_for(world.users.college).get(reverse("home")).content.decode()
    assert "请补充进度安排" in home


def test_secretary_cannot_review_own_form(world, client_for, phase1):
    services.submit_form1(save(world), by=world.users.college)
    url = reverse("submissions:review", args=[world.campaign.pk, "form1", world.college_a.pk])
    assert client_for(world.users.college).post(url, {"decision": "accept"}).status_code == 403
    assert Form1.objects.get().state == FormState.SUBMITTED


def test_history_lists_who_changed_which_fields(world, client_for, phase1):
    form = save(world)
    save(world, {"slogan": "改过的口号"}, version=form.version)
    url = reverse("submissions:history", args=[world.campaign.pk, "form1", world.college_a.pk])
    body = client_for(world.users.admin).get(url).content.decode()
    assert "口号/标语" in body and "改过的口号" in body and world.users.college.display_name in body


def test_a_broker_failure_after_commit_does_not_break_the_submit(world, client_for, phase1, monkeypatch):
    """The PDF pre-render is queued after commit; if the queue is down the submit still succeeds."""
    from submissions import tasks

    def broken(*args, **kwargs):
        raise RuntimeError("broker down")

    monkeypatch.setattr(tasks.prerender_pdf, "delay", broken)
    c = client_for(world.users.college)
    c.post(form1_url(world), form1_post())
    response = c.post(form1_url(world), form1_post(version=1, action="submit"), follow=True)
    assert response.status_code == 200 and "附件1 已提交" in response.content.decode()
    assert Form1.objects.get().state == FormState.SUBMITTED
