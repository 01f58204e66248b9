"""Who is told about which change of 附件1/附件2, a branch's row and a 十佳 entry (campaigns.notices).

Registered from SubmissionsConfig.ready(); the services are unchanged: each transition writes an audit
entry, and the registry turns the entries below into notices (in the portal and by e-mail)."""

from django.urls import reverse

from campaigns import notices
from organizations.models import Role, User
from organizations.queries import secretaries_of

from .models import RowState, Track

C, B, A = Role.COLLEGE_SECRETARY, Role.BRANCH_SECRETARY, Role.ADMIN

notices.kind("form_review", "附件1、附件2 的审核结果（退回、通过、重新开放）", roles=[C])
notices.kind("row_review", "本支部信息的审核结果（院级退回、登记不参加、随汇总表通过组织部审核）", roles=[B])
notices.kind("row_submitted", "支部报送了“一支部一特色”信息（待院级审核）", roles=[C])
notices.kind("to_review", "院级党组织提交了附件1、附件2、十佳申报（待组织部审核）", roles=[A])
notices.kind("entry_check", "十佳申报的形式审查结果（通过、退回）", roles=[C, B])
notices.kind("recommendation", "本支部被推荐参加或撤回“十佳特色支部”评比", roles=[B])

FORM_TITLES = {"form1": "“一院一品牌”申报表（附件1）", "form2": "“一支部一特色”汇总表（附件2）"}
FORM_DONE = {"return": "已被党委组织部退回修改", "accept": "已通过党委组织部审核", "reopen": "已由党委组织部重新开放编辑"}


def admins():
    return list(User.objects.filter(role_assignments__role=Role.ADMIN, role_assignments__is_active=True,
                                    is_active=True).distinct())


def _form_url(form):
    kind = form._meta.model_name
    return reverse(f"submissions:{kind}", args=[form.campaign_id, form.organization_id])


def _form_review(event):
    form = event.obj
    kind = form._meta.model_name
    lines = []
    if event.entry.action == "return":
        lines.append("请根据意见修改后重新提交。")
    elif event.entry.action == "reopen":
        lines.append("材料已恢复为草稿，可以修改后重新提交。")
    return notices.Notice(to=list(secretaries_of(form.organization)), url=_form_url(form), lines=lines,
                          title=f"{form.organization.name}的{FORM_TITLES[kind]}{FORM_DONE[event.entry.action]}")


def _form_submitted(event):
    form = event.obj
    kind = form._meta.model_name
    return notices.Notice(to=admins(), url=_form_url(form), title=f"{form.organization.name}提交了{FORM_TITLES[kind]}",
                          lines=["请在“进度总览”中审核。"])


for _kind in ("form1", "form2"):
    for _action in ("return", "accept", "reopen"):
        notices.on(f"submissions.{_kind}", _action, kind="form_review", policy=f"{_kind}.{_action}")(_form_review)
    notices.on(f"submissions.{_kind}", "submit", kind="to_review", policy=f"{_kind}.submit")(_form_submitted)


def _row_url(row):
    return reverse("submissions:row", args=[row.form.campaign_id, row.branch_id])


@notices.on("submissions.form2row", "return", kind="row_review", policy="row.return")
def row_returned(event):
    row = event.obj
    return notices.Notice(to=list(secretaries_of(row.branch)), url=_row_url(row),
                          title=f"{row.branch.name}的“一支部一特色”信息已被院级党组织退回修改",
                          lines=["请根据意见修改后重新报送院级党组织。"])


@notices.on("submissions.form2", "accept", kind="row_review", policy="form2.accept")
def rows_accepted(event):
    """The branches whose rows are in the accepted 附件2 learn that their row is accepted too."""
    form2 = event.obj
    return [notices.Notice(to=list(secretaries_of(row.branch)), url=_row_url(row),
                           title=f"{row.branch.name}的“一支部一特色”信息已随本院汇总表通过党委组织部审核")
            for row in form2.rows.filter(state=RowState.SUBMITTED).select_related("branch", "form")]


def _became(state):
    return lambda event: event.changed_to("state") == state


@notices.on("submissions.form2row", "update", kind="row_review", policy="row.skip", when=_became(RowState.SKIPPED))
def row_skipped(event):
    row = event.obj
    return notices.Notice(to=list(secretaries_of(row.branch)), url=_row_url(row),
                          title=f"院级党组织已登记{row.branch.name}本年度不参加“一支部一特色”",
                          comment=row.skip_reason, lines=["如需参加，可重新填写并报送本支部信息。"])


@notices.on("submissions.form2row", "submit", kind="row_submitted", policy="row.submit")
def row_submitted(event):
    row = event.obj
    college = row.branch.parent
    return notices.Notice(to=list(secretaries_of(college)) if college else [],
                          url=reverse("submissions:form2", args=[row.form.campaign_id, college.pk]) if college else "",
                          title=f"{row.branch.name}报送了“一支部一特色”信息，待院级党组织审核")


def entry_people(entry):
    """The 院级 secretaries of the entry's college, and for a branch entry the branch's secretaries."""
    people = list(secretaries_of(entry.college)) if entry.college_id else []
    if entry.track == Track.BRANCH:
        people += list(secretaries_of(entry.organization))
    return people


def _entry_name(entry):
    return f"{entry.organization.name}的{entry.get_track_display()}申报"


@notices.on("submissions.entry", "accept", kind="entry_check", policy="entry.pass")
def entry_passed(event):
    entry = event.obj
    return notices.Notice(to=entry_people(entry), url=reverse("submissions:entry", args=[entry.pk]),
                          title=f"{_entry_name(entry)}已通过形式审查", lines=["申报将进入十佳评审。"])


@notices.on("submissions.entry", "return", kind="entry_check", policy="entry.return")
def entry_returned(event):
    entry = event.obj
    return notices.Notice(to=entry_people(entry), url=reverse("submissions:entry", args=[entry.pk]),
                          title=f"{_entry_name(entry)}在形式审查中被退回修改", lines=["请根据意见补充材料后重新提交。"])


@notices.on("submissions.entry", "submit", kind="to_review", policy="entry.submit")
def entry_submitted(event):
    entry = event.obj
    return notices.Notice(to=admins(), url=reverse("submissions:formal_check", args=[entry.campaign_id]),
                          title=f"{_entry_name(entry)}已提交，待形式审查")


@notices.on("submissions.entry", "create", kind="recommendation", policy="entry.recommend",
            when=lambda event: event.obj.track == Track.BRANCH)
def branch_recommended(event):
    entry = event.obj
    return notices.Notice(to=list(secretaries_of(entry.organization)), url=reverse("submissions:entry", args=[entry.pk]),
                          title=f"{entry.organization.name}已被院级党组织推荐参加“十佳特色支部”评比"
                                + (f"（推荐排序 {entry.rank}）" if entry.rank else ""),
                          lines=["请与院级党组织一起填写申报材料（附件3）并在截止时间前提交。"], comment="")


@notices.on("submissions.entry", "delete", kind="recommendation", policy="entry.withdraw",
            when=lambda event: "state" in event.changes and event.changed_to("state") is None)
def branch_withdrawn(event):
    entry = event.obj
    if entry.track != Track.BRANCH:
        return None
    return notices.Notice(to=list(secretaries_of(entry.organization)), url=reverse("home"),
                          title=f"院级党组织已撤回对{entry.organization.name}参加“十佳特色支部”评比的推荐", comment="")


notices.quiet(
    "form1.view", "form1.save", "form1.upload_scan", "form1.choose_brand", "form2.view", "form2.save", "form2.upload_scan",
    "row.view", "row.save", "entry.view", "entry.start", "entry.save", "entry.upload",
    "outcome.view", "outcome.add", "outcome.edit", "outcome.upload",
    reason="自己的草稿、上传与查看：只涉及操作人本人（提交与审核另有通知）",
)
