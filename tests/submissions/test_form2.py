import pytest
from django.urls import reverse

from audit.log import history_for
from submissions import services
from submissions.models import Form2, Form2Row, FormState, RowState

from .helpers import ROW_COMPLETE, row_post


@pytest.fixture
def phase1(at):
    at(2026, 5, 8, 10, 0)


def row_url(world, branch):
    return reverse("submissions:row", args=[world.campaign.pk, branch.pk])


def form2_url(world, college=None):
    return reverse("submissions:form2", args=[world.campaign.pk, (college or world.college_a).pk])


def fill_row(world, branch, user, submit=True):
    row = services.save_row(world.campaign, branch, ROW_COMPLETE, by=user, expected_version=0)
    if submit:
        row = services.submit_row(row, by=user)
    return row


def test_branch_secretary_fills_and_submits_own_row(world, client_for, phase1):
    c = client_for(world.users.branch)
    assert c.post(row_url(world, world.branch_a1), row_post()).status_code == 302
    row = Form2Row.objects.get()
    assert row.state == RowState.DRAFT and row.feature_name == "红色工匠"
    c.post(row_url(world, world.branch_a1), row_post(version=row.version, action="submit"))
    assert Form2Row.objects.get().state == RowState.SUBMITTED
    # after reporting to the college the branch can no longer change it
    version = Form2Row.objects.get().version
    response = c.post(row_url(world, world.branch_a1), row_post(dict(ROW_COMPLETE, feature_name="偷偷修改"), version=version))
    assert Form2Row.objects.get().feature_name == "红色工匠"
    assert response.status_code == 200 and "不能修改" in response.content.decode()


def test_branch_cannot_see_or_change_another_branch(world, client_for, phase1):
    c = client_for(world.users.branch)
    assert c.get(row_url(world, world.branch_a2)).status_code == 403
    assert c.post(row_url(world, world.branch_a2), row_post()).status_code == 403
    assert c.get(row_url(world, world.branch_b1)).status_code == 403
    assert c.get(form2_url(world)).status_code == 403
    assert not Form2Row.objects.exists()


def test_feature_intro_is_limited_to_200_characters(world, client_for, phase1):
    c = client_for(world.users.branch)
    response = c.post(row_url(world, world.branch_a1), row_post(dict(ROW_COMPLETE, feature_intro="字" * 201)))
    assert response.status_code == 200
    assert "200" in response.content.decode()
    assert not Form2Row.objects.exists()
    assert c.post(row_url(world, world.branch_a1), row_post(dict(ROW_COMPLETE, feature_intro="字" * 200))).status_code == 302


def test_college_returns_a_row_and_branch_sees_comment(world, client_for, phase1):
    fill_row(world, world.branch_a1, world.users.branch)
    college = client_for(world.users.college)
    college.post(reverse("submissions:row_return", args=[world.campaign.pk, world.branch_a1.pk]), {"comment": "简介再具体些"})
    row = Form2Row.objects.get()
    assert row.state == RowState.RETURNED and row.college_comment == "简介再具体些"
    home = client_for(world.users.branch).get(reverse("home")).content.decode()
    assert "简介再具体些" in home
    # and the branch can edit again
    services.save_row(world.campaign, world.branch_a1, {"feature_intro": "更具体的简介"}, by=world.users.branch,
                      expected_version=row.version)


def test_other_college_cannot_return_rows(world, client_for, phase1):
    fill_row(world, world.branch_a1, world.users.branch)
    c = client_for(world.users.college_b)
    response = c.post(reverse("submissions:row_return", args=[world.campaign.pk, world.branch_a1.pk]), {"comment": "x"})
    assert response.status_code == 403
    assert Form2Row.objects.get().state == RowState.SUBMITTED


def test_college_fills_a_row_for_a_branch_without_account(world, client_for, phase1):
    c = client_for(world.users.college)
    assert c.post(row_url(world, world.branch_a2), row_post(action="submit")).status_code == 302
    row = Form2Row.objects.get(branch=world.branch_a2)
    assert row.state == RowState.SUBMITTED and row.updated_by == world.users.college


def test_form2_submits_only_when_every_branch_is_done_or_explained(world, phase1):
    fill_row(world, world.branch_a1, world.users.branch)
    form2 = Form2.objects.get()
    form2 = services.save_form2_header(form2, {"filler_name": "李老师"}, by=world.users.college, expected_version=form2.version)
    with pytest.raises(services.WorkflowError, match="甲二支部"):
        services.submit_form2(form2, by=world.users.college)
    services.skip_row(world.campaign, world.branch_a2, "支部正在撤并", by=world.users.college)
    form2 = services.submit_form2(form2, by=world.users.college)
    assert form2.state == FormState.SUBMITTED
    # rows are frozen once the table is submitted
    with pytest.raises(services.WorkflowError):
        services.save_row(world.campaign, world.branch_a1, {"remarks": "x"}, by=world.users.branch,
                          expected_version=Form2Row.objects.get(branch=world.branch_a1).version)


def test_admin_returns_form2_then_accepts_after_resubmit(world, client_for, phase1):
    fill_row(world, world.branch_a1, world.users.branch)
    fill_row(world, world.branch_a2, world.users.college)
    form2 = Form2.objects.get()
    form2 = services.save_form2_header(form2, {"filler_name": "李老师"}, by=world.users.college, expected_version=form2.version)
    services.submit_form2(form2, by=world.users.college)
    admin = client_for(world.users.admin)
    review = reverse("submissions:review", args=[world.campaign.pk, "form2", world.college_a.pk])
    admin.post(review, {"decision": "return", "comment": "请核对党员数"})
    assert Form2.objects.get().state == FormState.RETURNED
    college = client_for(world.users.college)
    college.post(form2_url(world), {"filler_name": "李老师", "filler_phone": "", "version": Form2.objects.get().version,
                                    "action": "submit"})
    assert Form2.objects.get().state == FormState.SUBMITTED
    admin.post(review, {"decision": "accept", "comment": ""})
    form2 = Form2.objects.get()
    assert form2.state == FormState.ACCEPTED
    assert [e.action for e in history_for(form2)][:2] == ["accept", "submit"]


def test_deadline_blocks_row_edits_but_extension_for_college_covers_its_branches(world, at):
    import datetime as dt

    from campaigns.models import SHANGHAI, DeadlineKind
    from campaigns.services import grant_extension

    at(2026, 5, 16, 8, 0)
    with pytest.raises(services.WorkflowError):
        fill_row(world, world.branch_b1, world.users.branch_b)
    deadline = world.campaign.deadlines.get(kind=DeadlineKind.DESIGN)
    grant_extension(deadline, world.college_b, dt.datetime(2026, 5, 19, 18, 0, tzinfo=SHANGHAI), "原因", by=world.users.admin)
    assert fill_row(world, world.branch_b1, world.users.branch_b).state == RowState.SUBMITTED


def test_summary_page_shows_states_for_college_and_admin(world, client_for, phase1):
    fill_row(world, world.branch_a1, world.users.branch)
    for user in (world.users.college, world.users.admin):
        body = client_for(user).get(form2_url(world)).content.decode()
        assert "甲一支部" in body and "甲二支部" in body and "已报院级" in body
        assert "乙一支部" not in body


def test_branch_home_shows_todo_with_deadline_and_days_left(world, client_for, phase1):
    body = client_for(world.users.branch).get(reverse("home")).content.decode()
    assert "填写本支部“一支部一特色”信息" in body
    assert "截止 5月15日" in body and "剩余 <strong>7</strong> 天" in body
