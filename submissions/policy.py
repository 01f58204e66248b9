"""The rules of the submissions workflow: one table per state machine. Read this file first.

| machine  | object     | actions                                                            |
|----------|------------|--------------------------------------------------------------------|
| FORM1    | Form1      | view, save, submit, accept, return, reopen, upload_scan, choose_brand |
| FORM2    | Form2      | view, save, submit, accept, return, reopen, upload_scan            |
| ROW      | Form2Row   | view, save, submit, return, skip                                   |
| ENTRY    | Entry      | view, start, recommend, withdraw, save, upload, submit, pass, return |
| OUTCOME  | Outcome    | view, add, edit, upload                                            |

Objects may be unsaved (a form not yet started is `Form1(campaign=…, organization=…)`, state
draft): the answer for "start it" is the answer for its first save. Services call
`POLICY.require(action, user, obj)` under the row lock; rules.py registers
`POLICY.permission(action)`; views pass `POLICY.actions(user, obj)` to their templates.
"""

from campaigns.models import DeadlineKind
from campaigns.policy import window
from core.policy import Action, Policy
from organizations.models import Level
from organizations.rules import (
    college_of_branch,
    is_approver,
    is_zzb_admin,
    leads_org,
    secretary_of_branch,
    secretary_of_college,
)

from .completeness import entry_missing
from .models import EDITABLE_STATES, EntryState, FormState, RowState, Track

REVIEWED = frozenset({FormState.SUBMITTED, FormState.ACCEPTED})
ENTRY_EDITABLE = frozenset({EntryState.DRAFT, EntryState.RETURNED})
MAX_BRANCH_RECOMMENDATIONS = 2


# ---------------------------------------------------------------- who (on the policy's objects)


def _form_secretary(user, form):
    return secretary_of_college(user, form.organization)


def _form_viewer(user, form):
    return is_zzb_admin(user) or is_approver(user) or _form_secretary(user, form)


def _row_editor(user, row):
    return secretary_of_branch(user, row.branch) or college_of_branch(user, row.branch)


def _row_college(user, row):
    return college_of_branch(user, row.branch)


def _row_viewer(user, row):
    return is_zzb_admin(user) or is_approver(user) or _row_editor(user, row)


def _entry_editor(user, entry):
    if entry.college_id is not None and secretary_of_college(user, entry.college):
        return True
    return entry.track == Track.BRANCH and secretary_of_branch(user, entry.organization)


def _entry_college(user, entry):
    return entry.college_id is not None and secretary_of_college(user, entry.college)


def _entry_viewer(user, entry):
    return is_zzb_admin(user) or is_approver(user) or _entry_editor(user, entry)


def _outcome_owner(user, outcome):
    return leads_org(user, outcome.organization)


def _outcome_viewer(user, outcome):
    return is_zzb_admin(user) or is_approver(user) or _outcome_owner(user, outcome)


def _admin(user, obj):
    return is_zzb_admin(user)


# ---------------------------------------------------------------- windows

design_window = window(DeadlineKind.DESIGN, campaign_of=lambda f: f.campaign, org_of=lambda f: f.organization,
                       returned_if=lambda f: f.state == FormState.RETURNED)
row_window = window(DeadlineKind.DESIGN, campaign_of=lambda r: r.form.campaign, org_of=lambda r: r.branch,
                    returned_if=lambda r: r.form.state == FormState.RETURNED)
entry_window = window(DeadlineKind.REVIEW, campaign_of=lambda e: e.campaign, org_of=lambda e: e.organization,
                      returned_if=lambda e: e.state == EntryState.RETURNED)
college_entry_window = window(DeadlineKind.REVIEW, campaign_of=lambda e: e.campaign, org_of=lambda e: e.college)
outcome_window = window(DeadlineKind.REVIEW, campaign_of=lambda o: o.campaign, org_of=lambda o: o.organization)


# ---------------------------------------------------------------- extra conditions: (user, obj, now) -> reason


def _college_level(user, form, now):
    if form.organization.level != Level.COLLEGE:
        return "附件1、附件2 只能由院(处)级党组织填报。"
    return None


def _branch_level(user, row, now):
    if row.branch.level != Level.BRANCH or row.branch.parent_id is None:
        return "只有党支部可以填写“一支部一特色”信息。"
    return None


def _summary_open(user, row, now):
    """The 院级 summary table must still be open (draft or returned) for any row change."""
    form2 = row.form
    if form2.state not in EDITABLE_STATES:
        return f"本院汇总表已{form2.get_state_display()}，不能再修改。如需修改请联系组织部退回。"
    return None


def _row_open_for(user, row, now):
    """A branch may change its row while draft or returned; the 院级 secretary at any state."""
    if college_of_branch(user, row.branch):
        return None
    if row.state not in {RowState.DRAFT, RowState.RETURNED}:
        return f"本支部信息当前状态为“{row.get_state_display()}”，不能修改。如需修改请联系院级党组织退回。"
    return None


def _outcome_org_level(user, outcome, now):
    if outcome.organization.level not in (Level.COLLEGE, Level.BRANCH):
        return "只有院(处)级党组织和党支部可以记录创建成果。"
    return None


def _entry_is_branch_draft(user, entry, now):
    if entry.track != Track.BRANCH or entry.state != EntryState.DRAFT:
        return "只能撤回尚未提交的支部推荐。"
    return None


def _entry_branch_active(user, entry, now):
    branch = entry.organization
    if entry.track != Track.BRANCH or branch.level != Level.BRANCH or not branch.is_active \
            or branch.parent_id != entry.college_id:
        return "只能推荐本单位的有效党支部。"
    return None


def _entry_brand_college(user, entry, now):
    if entry.track != Track.BRAND or entry.organization.level != Level.COLLEGE:
        return "十佳党建品牌由院(处)级党组织申报。"
    return None


def _entry_complete(user, entry, now):
    if entry_missing(entry):
        return "材料不齐全，不能通过形式审查。"
    return None


# ---------------------------------------------------------------- the tables

EDIT_STATE_MSG = "{label}失败：当前状态为“{state}”。提交后内容为只读，如需修改请联系组织部退回。"
LEADERS_ONLY = "只有本院(处)级党组织书记/联系人可以填写附件1、附件2。"


BRAND_CHOICE_STATE = ("品牌方向（继续培育/新创品牌）只能在附件1 为草稿时选择或更改，当前状态为“{state}”。"
                      "如需更改请联系组织部退回。")


def _form_policy(name, title, **extra):
    return Policy(name, {
        "view": Action("查看", _form_viewer),
        "save": Action("保存", _form_secretary, EDITABLE_STATES, design_window, (_college_level,),
                       denied=LEADERS_ONLY, wrong_state=title + EDIT_STATE_MSG),
        "submit": Action("提交", _form_secretary, EDITABLE_STATES, design_window, (_college_level,),
                         denied=LEADERS_ONLY, wrong_state=title + EDIT_STATE_MSG),
        "accept": Action("审核通过", _admin, {FormState.SUBMITTED},
                         denied="只有党委组织部可以审核。", wrong_state="只有已提交的材料可以审核通过。"),
        "return": Action("退回", _admin, REVIEWED,
                         denied="只有党委组织部可以审核。", wrong_state="只有已提交或已通过的材料可以退回。"),
        "reopen": Action("重新开放", _admin, REVIEWED,
                         denied="只有党委组织部可以重新开放。", wrong_state="该材料当前可以编辑，无需重新开放。"),
        "upload_scan": Action("上传盖章扫描件", _form_secretary, REVIEWED,
                              denied=LEADERS_ONLY, wrong_state="请先在线提交，再上传盖章扫描件。"),
        **extra,
    })


FORM1 = _form_policy("form1", "附件1 ", choose_brand=Action(
    "选择品牌方向", _form_secretary, {FormState.DRAFT}, design_window, (_college_level,),
    denied=LEADERS_ONLY, wrong_state=BRAND_CHOICE_STATE))
FORM2 = _form_policy("form2", "附件2 汇总表")

ROW_DENIED = "您只能填写本支部的信息。"
ROW = Policy("row", {
    "view": Action("查看", _row_viewer),
    "save": Action("保存", _row_editor, None, row_window, (_branch_level, _summary_open, _row_open_for),
                   denied=ROW_DENIED),
    "submit": Action("报送", _row_editor, None, row_window, (_branch_level, _summary_open, _row_open_for),
                     denied=ROW_DENIED),
    "return": Action("退回", _row_college, {RowState.SUBMITTED}, row_window, (_summary_open,),
                     denied="只有本院(处)级党组织书记/联系人可以退回支部信息。",
                     wrong_state="只有已报院级的支部信息可以退回。"),
    "skip": Action("登记不参加", _row_college, None, row_window, (_branch_level, _summary_open),
                   denied="只有本院(处)级党组织书记/联系人可以登记不参加的原因。"),
})

ENTRY_DENIED = "只有申报单位的书记/联系人可以填写申报材料。"
ENTRY_EDIT_STATE = "申报表当前状态为“{state}”，不能修改。如需修改请联系组织部退回。"
ENTRY = Policy("entry", {
    "view": Action("查看", _entry_viewer),
    "start": Action("申报", _entry_college, {EntryState.DRAFT}, college_entry_window, (_entry_brand_college,),
                    denied=ENTRY_DENIED),
    "recommend": Action("推荐", _entry_college, {EntryState.DRAFT}, college_entry_window, (_entry_branch_active,),
                        denied="只有本院(处)级党组织书记/联系人可以推荐支部。"),
    "withdraw": Action("撤回推荐", _entry_college, None, college_entry_window, (_entry_is_branch_draft,),
                       denied="只有本院(处)级党组织书记/联系人可以撤回推荐。"),
    "save": Action("保存", _entry_editor, ENTRY_EDITABLE, entry_window, denied=ENTRY_DENIED,
                   wrong_state=ENTRY_EDIT_STATE),
    "upload": Action("上传材料", _entry_editor, ENTRY_EDITABLE, entry_window, denied=ENTRY_DENIED,
                     wrong_state=ENTRY_EDIT_STATE),
    "submit": Action("提交", _entry_editor, ENTRY_EDITABLE, entry_window, denied=ENTRY_DENIED,
                     wrong_state=ENTRY_EDIT_STATE),
    "pass": Action("通过形式审查", _admin, {EntryState.SUBMITTED}, None, (_entry_complete,),
                   denied="只有党委组织部可以进行形式审查。", wrong_state="只有已提交的申报可以通过形式审查。"),
    "return": Action("退回", _admin, {EntryState.SUBMITTED, EntryState.PASSED},
                     denied="只有党委组织部可以进行形式审查。", wrong_state="只有已提交或已通过形式审查的申报可以退回。"),
})

OUTCOME_DENIED = "只有本单位（或上级院级党组织）的书记/联系人可以记录创建成果。"
OUTCOME = Policy("outcome", {
    "view": Action("查看", _outcome_viewer),
    "add": Action("记录成果", _outcome_owner, None, outcome_window, (_outcome_org_level,), denied=OUTCOME_DENIED),
    "edit": Action("修改成果", _outcome_owner, None, outcome_window, denied=OUTCOME_DENIED),
    "upload": Action("上传附件", _outcome_owner, None, outcome_window, denied=OUTCOME_DENIED),
})

POLICIES = {p.name: p for p in (FORM1, FORM2, ROW, ENTRY, OUTCOME)}


def check_buttons(user, now):
    """(entry, its missing list) -> (may return, may pass): ENTRY's "return" and "pass" for the 形式审查
    list, asked once per (state, complete) instead of once per row (300 rows, 2 questions each).

    Valid while both actions are decided by the user's role (`_admin`, which does not look at the entry),
    the entry's state and, for "pass", `_entry_complete` only: no time window, no other condition. That is
    checked here; with any other rule the answer is asked per entry, as before."""
    by_state = all(ENTRY[a].who is _admin and ENTRY[a].window is None for a in ("return", "pass")) \
        and ENTRY["return"].when == () and ENTRY["pass"].when == (_entry_complete,)
    memo = {}

    def ask(entry, missing):
        key = (entry.state, not missing)
        if not by_state or key not in memo:
            can_return = ENTRY.allows("return", user, entry, now)
            memo[key] = (can_return, can_return and ENTRY.allows("pass", user, entry, now))
        return memo[key]

    return ask
