"""The workflow's rules, enumerated: every POST endpoint × role × state × time window.

1. `test_every_post_endpoint_is_in_the_policy_table` walks the URL conf: a view with a `post`
   method that has no row in POST_ENDPOINTS fails the suite.
2. For the workflow endpoints, each case seeds the object in every state (directly, through the
   ORM), travels to each time window and posts as every role. The expected answer is written here
   from the campaign's rules (independently of `policy.py`): allowed → the database changed and an
   audit entry was written; refused → nothing changed at all, and never a 5xx.

Windows: before the phase opens, open, after the deadline, after the deadline with an extension
for 甲学院党委 (it covers its branches). States include "not started" (no row yet) and the
submitted-and-locked states. Each request runs in a savepoint that is rolled back afterwards.
"""

import datetime as dt
from dataclasses import dataclass, field

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from audit.models import AuditEntry
from campaigns.models import SHANGHAI, DeadlineKind
from campaigns.services import grant_extension
from organizations.models import Role
from reviews.models import Assignment, Criterion, DeclaredConflict, DefenceRoom, JudgingTrack, Objection, ScoreSheet
from submissions.models import Attachment, Entry, Form1, Form2, Form2Row, Outcome

from .factories import UserFactory, give_role
from .submissions.helpers import FORM1_COMPLETE, ROW_COMPLETE, form1_post

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# ---------------------------------------------------------------- the table of POST endpoints
# url name → the cases below that enumerate it, or why it is not a workflow endpoint (and where it is tested).
NOT_WORKFLOW = "no state machine: role only (tests/test_permission_matrix.py)"
POST_ENDPOINTS = {
    "login": "authentication (tests/core/test_auth.py)",
    "logout": "authentication (tests/core/test_auth.py)",
    "password_change": "own account (tests/core/test_auth.py)",
    "activate": "one-time token (tests/organizations/test_import.py)",
    "cas_login": "authentication (tests/organizations/test_cas.py)",
    "organizations:edit": NOT_WORKFLOW,
    "organizations:set_employee_id": NOT_WORKFLOW,
    "notify:robot_new": NOT_WORKFLOW,
    "notify:robot_edit": NOT_WORKFLOW,
    "notify:robot_test": NOT_WORKFLOW,
    "notify:app_test": NOT_WORKFLOW,
    "notify:delivery_retry": "delivery outbox (tests/notify/)",
    "organizations:import": NOT_WORKFLOW,
    "organizations:import_apply": NOT_WORKFLOW,
    "organizations:account_create": "accounts, 组织部 only (tests/organizations/test_accounts.py)",
    "organizations:account": "accounts, 组织部 only (tests/organizations/test_accounts.py)",
    "organizations:account_action": "accounts, 组织部 only (tests/organizations/test_accounts.py)",
    "campaigns:list": NOT_WORKFLOW,
    "campaigns:detail": NOT_WORKFLOW,
    "campaigns:edit": NOT_WORKFLOW,
    "campaigns:revoke_extension": NOT_WORKFLOW,
    "campaigns:reminder_settings": NOT_WORKFLOW,
    "campaigns:reminder_manual": NOT_WORKFLOW,
    "campaigns:notification_read": "own notifications (tests/campaigns/test_reminder_views.py)",
    "campaigns:notifications_read_all": "own notifications (tests/campaigns/test_reminder_views.py)",
    "campaigns:notice_settings": "own notice settings, no state machine (tests/campaigns/test_notices.py)",
    "submissions:standards": NOT_WORKFLOW,
    "submissions:form1": ["form1_save", "form1_submit"],
    "submissions:form2": ["form2_save", "form2_submit"],
    "submissions:row": ["row_save", "row_submit", "row_in_locked_summary"],
    "submissions:row_return": ["row_return"],
    "submissions:row_skip": ["row_skip"],
    "submissions:review": ["review_accept", "review_return", "review_reopen", "review_form2_return"],
    "submissions:scan_upload": ["scan_upload"],
    "submissions:brand_choice": ["brand_continue", "brand_new"],
    "submissions:entries": ["entry_start_brand", "entry_recommend", "entry_withdraw"],
    "submissions:entry": ["entry_save", "entry_submit"],
    "submissions:entry_file": ["entry_file"],
    "submissions:entry_evidence": ["entry_evidence"],
    "submissions:entry_check": ["entry_pass", "entry_return"],
    "submissions:outcomes": ["outcome_add"],
    "submissions:outcome": ["outcome_edit"],
    "submissions:outcome_file": ["outcome_file"],
    "reviews:index": "judging (tests/reviews/)",
    "reviews:score": ["judge_score"],
    "reviews:declare_conflict": ["judge_declare_conflict"],
    "reviews:settings": "judging (tests/reviews/)",
    "reviews:rubric": "judging (tests/reviews/)",
    "reviews:judges": "judging (tests/reviews/)",
    "reviews:action": ["track_open", "track_close", "track_override_scores", "track_approve", "track_publicity",
                       "track_objection", "track_publish", "track_unlock", "objection_handle", "objection_withdraw_entry"],
    "reviews:objection": ["objection_file"],
    "reviews:receipt": "receipt lookup: read-only, throttled (tests/reviews/test_publicity.py)",
    "reviews:submit_sheet": ["judge_submit_sheet"],
    "reviews:approval_decide": ["track_approve_online", "track_send_back"],
    "reviews:room_action": ["room_open", "room_timer", "room_absent", "room_present", "room_unlock", "room_next"],
    "reviews:room_judge": ["room_judge_score"],
    "reviews:paper_score": ["room_paper_score"],
    "showcase:pick": NOT_WORKFLOW,
    "showcase:booklet_retry": "job retry: 组织部, failed jobs only (tests/showcase/test_booklet_jobs.py)",
    "dashboard:job_retry": "job retry: 组织部, failed jobs only (tests/dashboard/test_export_jobs.py)",
    "showcase:publish": "showcase (tests/showcase/test_publish.py)",
    "showcase:unpublish": "showcase (tests/showcase/test_publish.py)",
    "showcase:refresh": "showcase (tests/showcase/test_publish.py)",
    "showcase:booklets": "showcase (tests/showcase/)",
    "showcase:bundle": "job start: 组织部, published items only (tests/showcase/test_bundle.py)",
    "showcase:bundle_retry": "job retry: 组织部, failed jobs only (tests/showcase/test_bundle.py)",
    "similarity:threshold": "材料查重, 组织部 only (tests/similarity/test_pages.py)",
    "similarity:run": "材料查重, 组织部 only (tests/similarity/test_pages.py)",
}


def _post_endpoints():
    def walk(patterns, ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                yield from walk(p.url_patterns, f"{ns}{p.namespace}:" if p.namespace else ns)
            else:
                view = getattr(p.callback, "view_class", None)
                if view is not None and hasattr(view, "post") and p.name:
                    yield f"{ns}{p.name}"

    return sorted(set(walk(get_resolver().url_patterns)))


def test_every_post_endpoint_is_in_the_policy_table():
    missing = [name for name in _post_endpoints() if name not in POST_ENDPOINTS]
    assert not missing, f"POST endpoints without a row in POST_ENDPOINTS: {missing}"


def test_every_case_named_in_the_table_exists():
    named = {c for v in POST_ENDPOINTS.values() if isinstance(v, list) for c in v}
    assert named == set(CASES)


# ---------------------------------------------------------------- windows

DESIGN = {"before": (2026, 3, 20, 10), "open": (2026, 5, 8, 10), "after": (2026, 5, 20, 10), "extended": (2026, 5, 20, 10)}
REVIEW = {"before": (2026, 5, 1, 10), "open": (2026, 9, 1, 10), "after": (2026, 11, 15, 10), "extended": (2026, 11, 15, 10)}
# The default judging window: after the 附件3 deadline (Nov 10) until the judging deadline (Dec 10).
JUDGING = {"before": (2026, 11, 5, 10), "open": (2026, 11, 20, 10), "after": (2026, 12, 15, 10),
           "extended": (2026, 12, 15, 10)}
WINDOWS = ["before", "open", "after", "extended"]


def window_ok(window, returned=False):
    """The phase has started and (the org's extended) deadline has not passed; a returned object is exempt
    from the deadline (组织部's return is a decision for that org)."""
    if window == "before":
        return False
    return window in {"open", "extended"} or returned


ROLES = ["admin", "approver", "college", "college_b", "branch", "branch_b", "judge", "norole", "anonymous"]


# ---------------------------------------------------------------- cases


@dataclass
class Case:
    url: str  # url name
    phase: dict  # DESIGN or REVIEW
    states: list
    seed: object  # (w, state) -> ctx dict
    request: object  # (w, ctx) -> (url args, post data)
    expected: object  # (role, state, window) -> bool
    files: object = None  # () -> {name: upload}
    marks: list = field(default_factory=list)


def _form1(w, state, **extra):
    if state is None:
        return {}
    data = {k: v for k, v in FORM1_COMPLETE.items()}
    return {"obj": Form1.objects.create(campaign=w.campaign, organization=w.college_a, state=state, **data, **extra)}


def _form2(w, state, rows="submitted"):
    if state is None:
        return {}
    form2 = Form2.objects.create(campaign=w.campaign, organization=w.college_a, state=state, filler_name="李老师")
    for b in (w.branch_a1, w.branch_a2):
        Form2Row.objects.create(form=form2, branch=b, state=rows, **ROW_COMPLETE)
    return {"obj": form2}


def _row(w, state, form2_state="draft"):
    form2 = Form2.objects.create(campaign=w.campaign, organization=w.college_a, state=form2_state)
    if state is None:
        return {"form2": form2}
    return {"obj": Form2Row.objects.create(form=form2, branch=w.branch_a1, state=state, **ROW_COMPLETE)}


def _attachment(w, org):
    return Attachment.objects.create(organization=org, file=SimpleUploadedFile("x.pdf", PDF_BYTES), kind="pdf",
                                     original_name="材料.pdf", size=len(PDF_BYTES))


def _entry(w, state, track="brand", complete=False):
    org = w.college_a if track == "brand" else w.branch_a1
    extra = {}
    if complete:
        extra = dict(title="匠心铸魂", leader="王书记", members=120, started_on=dt.date(2025, 9, 1),
                     overview="背景做法成效经验" * 20, negative_list_declared=True, college_opinion="同意推荐",
                     **{slot: _attachment(w, org) for slot in ("summary_report", "experience_doc", "case_doc", "video")})
    return {"obj": Entry.objects.create(campaign=w.campaign, track=track, organization=org, college=w.college_a,
                                        rank=1 if track == "branch" else None, state=state, **extra)}


def _outcome(w, state=None):
    return {"obj": Outcome.objects.create(campaign=w.campaign, organization=w.college_a, outcome_type="activity",
                                          title="主题党日", date=dt.date(2026, 6, 1))}


def _form1_with_last_year(w, state):
    """Last year's submitted 附件1 of 甲学院 (a brand to continue), and this year's in `state`."""
    from campaigns.services import create_campaign

    last = create_campaign(w.campaign.year - 1)
    Form1.objects.create(campaign=last, organization=w.college_a, state="accepted", **FORM1_COMPLETE)
    return _form1(w, state)


def brand_choice(role, state, window):
    """Only the org's secretary, while its 附件1 is not started or a draft, in the 设计 window."""
    return role == "college" and state in {None, "draft"} and window_ok(window)


def version(ctx):
    return ctx["obj"].version if "obj" in ctx else 0


def pdf():
    return {"file": SimpleUploadedFile("扫描件.pdf", PDF_BYTES, content_type="application/pdf")}


EDIT = {None, "draft", "returned"}
FORM_STATES = [None, "draft", "submitted", "returned", "accepted"]
ENTRY_STATES = ["draft", "submitted", "returned", "passed"]


def form_edit(role, state, window):
    return role == "college" and state in EDIT and window_ok(window, returned=state == "returned")


def row_edit(role, state, window, form2_state="draft"):
    if form2_state not in {"draft", "returned"} or not window_ok(window, returned=form2_state == "returned"):
        return False
    return role == "college" or (role == "branch" and state in EDIT)


def entry_edit(role, state, window):
    return role == "college" and state in {"draft", "returned"} and window_ok(window, returned=state == "returned")


def outcome_edit(role, state, window):
    return role == "college" and window_ok(window)


CASES = {
    "form1_save": Case("submissions:form1", DESIGN, FORM_STATES, _form1,
                       lambda w, c: ([w.campaign.pk, w.college_a.pk], form1_post(version=version(c))), form_edit),
    "form1_submit": Case("submissions:form1", DESIGN, FORM_STATES, _form1,
                         lambda w, c: ([w.campaign.pk, w.college_a.pk], form1_post(version=version(c), action="submit")),
                         form_edit),
    "form2_save": Case("submissions:form2", DESIGN, FORM_STATES[1:], _form2,
                       lambda w, c: ([w.campaign.pk, w.college_a.pk],
                                     {"filler_name": "张老师", "filler_phone": "123", "version": version(c), "action": "save"}),
                       form_edit),
    "form2_submit": Case("submissions:form2", DESIGN, FORM_STATES[1:], _form2,
                         lambda w, c: ([w.campaign.pk, w.college_a.pk],
                                       {"filler_name": "张老师", "filler_phone": "1", "version": version(c), "action": "submit"}),
                         form_edit),
    "row_save": Case("submissions:row", DESIGN, [None, "draft", "submitted", "returned", "skipped"], _row,
                     lambda w, c: ([w.campaign.pk, w.branch_a1.pk],
                                   {**ROW_COMPLETE, "feature_name": "新名称", "version": version(c), "action": "save"}),
                     row_edit),
    "row_submit": Case("submissions:row", DESIGN, [None, "draft", "submitted", "returned", "skipped"], _row,
                       lambda w, c: ([w.campaign.pk, w.branch_a1.pk],
                                     {**ROW_COMPLETE, "version": version(c), "action": "submit"}),
                       row_edit),
    "row_in_locked_summary": Case("submissions:row", DESIGN, ["submitted", "accepted"],
                                  lambda w, s: _row(w, "draft", form2_state=s),
                                  lambda w, c: ([w.campaign.pk, w.branch_a1.pk],
                                                {**ROW_COMPLETE, "version": version(c), "action": "save"}),
                                  lambda role, s, window: False),
    "row_return": Case("submissions:row_return", DESIGN, [None, "draft", "submitted", "returned", "skipped"], _row,
                       lambda w, c: ([w.campaign.pk, w.branch_a1.pk], {"comment": "请补充"}),
                       lambda role, s, window: role == "college" and s == "submitted" and window_ok(window)),
    "row_skip": Case("submissions:row_skip", DESIGN, [None, "draft", "submitted", "returned"], _row,
                     lambda w, c: ([w.campaign.pk, w.branch_a1.pk], {"comment": "支部撤并中"}),
                     lambda role, s, window: role == "college" and window_ok(window)),
    "review_accept": Case("submissions:review", DESIGN, FORM_STATES[1:], _form1,
                          lambda w, c: ([w.campaign.pk, "form1", w.college_a.pk], {"decision": "accept", "comment": ""}),
                          lambda role, s, window: role == "admin" and s == "submitted"),
    "review_return": Case("submissions:review", DESIGN, FORM_STATES[1:], _form1,
                          lambda w, c: ([w.campaign.pk, "form1", w.college_a.pk], {"decision": "return", "comment": "请修改"}),
                          lambda role, s, window: role == "admin" and s in {"submitted", "accepted"}),
    "review_reopen": Case("submissions:review", DESIGN, FORM_STATES[1:], _form1,
                          lambda w, c: ([w.campaign.pk, "form1", w.college_a.pk], {"decision": "reopen", "comment": ""}),
                          lambda role, s, window: role == "admin" and s in {"submitted", "accepted"}),
    "review_form2_return": Case("submissions:review", DESIGN, FORM_STATES[1:], _form2,
                                lambda w, c: ([w.campaign.pk, "form2", w.college_a.pk],
                                              {"decision": "return", "comment": "请修改"}),
                                lambda role, s, window: role == "admin" and s in {"submitted", "accepted"}),
    "brand_continue": Case("submissions:brand_choice", DESIGN, FORM_STATES, _form1_with_last_year,
                           lambda w, c: ([w.campaign.pk, w.college_a.pk], {"choice": "continue", "version": version(c)}),
                           brand_choice),
    "brand_new": Case("submissions:brand_choice", DESIGN, FORM_STATES, _form1_with_last_year,
                      lambda w, c: ([w.campaign.pk, w.college_a.pk], {"choice": "new", "version": version(c)}),
                      brand_choice),
    "scan_upload": Case("submissions:scan_upload", DESIGN, FORM_STATES[1:], _form1,
                        lambda w, c: ([w.campaign.pk, "form1", w.college_a.pk], {}),
                        lambda role, s, window: role == "college" and s in {"submitted", "accepted"}, files=pdf),
    "entry_start_brand": Case("submissions:entries", REVIEW, [None], lambda w, s: {},
                              lambda w, c: ([w.campaign.pk, w.college_a.pk], {"action": "start_brand"}),
                              lambda role, s, window: role == "college" and window_ok(window)),
    "entry_recommend": Case("submissions:entries", REVIEW, [None], lambda w, s: {},
                            lambda w, c: ([w.campaign.pk, w.college_a.pk],
                                          {"action": "recommend", "branch": w.branch_a1.pk, "rank": 1}),
                            lambda role, s, window: role == "college" and window_ok(window)),
    "entry_withdraw": Case("submissions:entries", REVIEW, ENTRY_STATES, lambda w, s: _entry(w, s, track="branch"),
                           lambda w, c: ([w.campaign.pk, w.college_a.pk], {"action": "withdraw", "entry": c["obj"].pk}),
                           lambda role, s, window: role == "college" and s == "draft" and window_ok(window)),
    "entry_save": Case("submissions:entry", REVIEW, ENTRY_STATES, _entry,
                       lambda w, c: ([c["obj"].pk], {"title": "新标题", "version": version(c), "action": "save"}),
                       entry_edit),
    "entry_submit": Case("submissions:entry", REVIEW, ENTRY_STATES, lambda w, s: _entry(w, s, complete=True),
                         lambda w, c: ([c["obj"].pk], {"title": "匠心铸魂", "leader": "王书记", "members": 120,
                                                       "started_on": "2025-09-01", "overview": "背景做法成效经验" * 20,
                                                       "negative_list_declared": "on", "college_opinion": "同意",
                                                       "version": version(c), "action": "submit"}),
                         entry_edit),
    "entry_file": Case("submissions:entry_file", REVIEW, ENTRY_STATES, _entry,
                       lambda w, c: ([c["obj"].pk, "summary_report"], {}), entry_edit, files=pdf),
    "entry_evidence": Case("submissions:entry_evidence", REVIEW, ENTRY_STATES, _entry,
                           lambda w, c: ([c["obj"].pk], {"caption": "照片"}), entry_edit, files=pdf),
    "entry_pass": Case("submissions:entry_check", REVIEW, ENTRY_STATES, lambda w, s: _entry(w, s, complete=True),
                       lambda w, c: ([c["obj"].pk], {"decision": "pass", "comment": ""}),
                       lambda role, s, window: role == "admin" and s == "submitted"),
    "entry_return": Case("submissions:entry_check", REVIEW, ENTRY_STATES, _entry,
                         lambda w, c: ([c["obj"].pk], {"decision": "return", "comment": "请补充"}),
                         lambda role, s, window: role == "admin" and s in {"submitted", "passed"}),
    "outcome_add": Case("submissions:outcomes", REVIEW, [None], lambda w, s: {},
                        lambda w, c: ([w.campaign.pk, w.college_a.pk],
                                      {"outcome_type": "activity", "title": "主题党日", "date": "2026-06-01", "version": 0}),
                        outcome_edit),
    "outcome_edit": Case("submissions:outcome", REVIEW, [None], _outcome,
                         lambda w, c: ([c["obj"].pk], {"outcome_type": "activity", "title": "改名", "date": "2026-06-01",
                                                       "version": version(c)}),
                         outcome_edit),
    "outcome_file": Case("submissions:outcome_file", REVIEW, [None], _outcome,
                         lambda w, c: ([c["obj"].pk], {"caption": "照片"}), outcome_edit, files=pdf),
}


# ---------------------------------------------------------------- judging

STAGES = ["setup", "scoring", "round2", "closed", "proposed", "approved", "publicity", "published"]


def _track(w, stage, *, scored=False, sheet=None, objection=False, listed=False, upheld=None):
    """A 十佳党建品牌 track at `stage` with one criterion, the judge (home 甲学院) assigned to 乙学院's entry."""
    close = dt.datetime(2026, 12, 10, 23, 59, 59, tzinfo=SHANGHAI)
    t = JudgingTrack.objects.create(
        campaign=w.campaign, track="brand", stage=stage, opens_at=dt.datetime(2026, 11, 10, 23, 59, 59, tzinfo=SHANGHAI),
        closes_at=close, tie_break=["top_scores"], publicity_start=dt.date(2026, 12, 1),
        publicity_end=dt.date(2026, 12, 7), rubric_frozen_at=None if stage == "setup" else close)
    c = Criterion.objects.create(track=t, code="c1", name="特色", max_points=30)
    t.judges.set([w.users.judge])
    entry = Entry.objects.create(campaign=w.campaign, track="brand", organization=w.college_b, college=w.college_b,
                                 state="passed", title="乙品牌")
    a = Assignment.objects.create(track=t, judge=w.users.judge, entry=entry, round=2 if stage == "round2" else 1,
                                  points={str(c.pk): 20} if scored else {}, total=20 if scored else None,
                                  complete=scored, scored_at=dt.datetime(2026, 11, 20, tzinfo=SHANGHAI) if scored else None)
    ctx = {"obj": a, "track": t, "criterion": c, "entry": entry}
    if sheet:
        ctx["sheet"] = ScoreSheet.objects.create(track=t, judge=w.users.judge, round=1,
                                                 submitted_at=dt.datetime(2026, 11, 21, tzinfo=SHANGHAI))
    if objection:
        Objection.objects.create(track=t, entry=entry, content="有异议", received_on=dt.date(2026, 12, 2),
                                 handling="已核实", handled_at=dt.datetime(2026, 12, 3, tzinfo=SHANGHAI))
    if listed:  # 乙品牌 is on the proposed list (the 公示), with 丙品牌 next
        nxt = Entry.objects.create(campaign=w.campaign, track="brand", organization=w.college_a, college=w.college_a,
                                   state="passed", title="丙品牌")
        Assignment.objects.create(track=t, judge=w.users.judge, entry=nxt, points={str(c.pk): 10}, total=10,
                                  complete=True, scored_at=dt.datetime(2026, 11, 20, tzinfo=SHANGHAI))
        t.award_count = 1
        t.proposal = [{"entry": entry.pk, "place": 1, "final": 20.0, "name": str(entry.organization)}]
        t.save(update_fields=["award_count", "proposal"])
    if upheld is not None:
        ctx["objection"] = Objection.objects.create(
            track=t, entry=entry, content="材料不实", received_on=dt.date(2026, 12, 2), outcome=upheld,
            handling="属实" if upheld else "", handled_at=dt.datetime(2026, 12, 3, tzinfo=SHANGHAI) if upheld else None)
    return ctx


# The 公示 of _track runs Dec 1–7: before it, during it, after it (no extension applies to the 公示).
PUBLICITY = {"before": (2026, 11, 30, 10), "open": (2026, 12, 3, 10), "after": (2026, 12, 10, 10),
             "extended": (2026, 12, 10, 10)}


def _public_track(w, stage):
    """A track whose proposed list names 乙品牌; the per-address filing counter starts afresh for each post."""
    from django.core.cache import cache

    cache.clear()
    return _track(w, stage, listed=True)


def judge_scores(role, stage, window):
    return role == "judge" and stage in {"scoring", "round2"} and (stage == "round2" or window == "open") \
        and window != "before"


def track_action(name, data=None, **seed):
    return lambda w, c: ([c["track"].pk, name], data(c) if callable(data) else (data or {}))


def admin_at(*stages):
    return lambda role, stage, window: role == "admin" and stage in stages


CASES.update({
    "judge_score": Case("reviews:score", JUDGING, STAGES, _track,
                        lambda w, c: ([c["obj"].pk], {f"c_{c['criterion'].pk}": "25", "version": version(c),
                                                      "action": "save"}),
                        judge_scores),
    "judge_submit_sheet": Case("reviews:submit_sheet", JUDGING, STAGES, lambda w, s: _track(w, s, scored=True),
                               lambda w, c: ([c["track"].pk, 1], {}),
                               lambda role, s, window: role == "judge" and s == "scoring" and window == "open"),
    "judge_declare_conflict": Case("reviews:declare_conflict", JUDGING, STAGES, _track,
                                   lambda w, c: ([c["obj"].pk], {"reason": "曾指导该项目"}),
                                   lambda role, s, window: role == "judge" and s in {"setup", "scoring", "round2",
                                                                                     "closed"}),
    "track_open": Case("reviews:action", JUDGING, STAGES, _track, track_action("open"), admin_at("setup")),
    "track_close": Case("reviews:action", JUDGING, STAGES, lambda w, s: _track(w, s, scored=True), track_action("close"),
                        admin_at("scoring", "round2")),
    # the entry has 0 of its 1 required valid score in round 1 (round 2 has no shortlist: nothing missing)
    "track_override_scores": Case("reviews:action", JUDGING, STAGES, _track,
                                  track_action("override", {"reason": "评委均需回避，经委员会同意"}),
                                  admin_at("scoring", "closed")),
    "track_approve": Case("reviews:action", JUDGING, STAGES, _track, track_action("approve", {"note": "党委会第12次"}),
                          admin_at("proposed"),
                          files=lambda: {"minutes": SimpleUploadedFile("纪要.pdf", PDF_BYTES, content_type="application/pdf")}),
    "track_approve_online": Case("reviews:approval_decide", JUDGING, STAGES, _track,
                                 lambda w, c: ([c["track"].pk, "approve"], {"comment": "同意"}),
                                 lambda role, s, window: role == "approver" and s == "proposed"),
    "track_send_back": Case("reviews:approval_decide", JUDGING, STAGES, _track,
                            lambda w, c: ([c["track"].pk, "send_back"], {"comment": "请复核第3名"}),
                            lambda role, s, window: role == "approver" and s == "proposed"),
    "track_publicity": Case("reviews:action", JUDGING, STAGES, _track,
                            track_action("publicity", {"start": "2026-12-01"}), admin_at("approved")),
    "track_objection": Case("reviews:action", JUDGING, STAGES, _track,
                            track_action("objection", lambda c: {"entry": c["entry"].pk, "content": "有异议",
                                                                 "received_on": "2026-12-02"}),
                            admin_at("publicity")),
    "track_publish": Case("reviews:action", JUDGING, STAGES, lambda w, s: _track(w, s, objection=True),
                          track_action("publish"),
                          lambda role, s, window: role == "admin" and s == "publicity" and window in {"after", "extended"}),
    "track_unlock": Case("reviews:action", JUDGING, STAGES, lambda w, s: _track(w, s, sheet=True),
                         track_action("unlock", lambda c: {"sheet": c["sheet"].pk, "reason": "误提交"}),
                         admin_at("setup", "scoring", "round2")),
    # 公示 (Dec 1–7 in _track): anyone files online, signed in or not, only within the period
    "objection_file": Case("reviews:objection", PUBLICITY, STAGES, _public_track,
                           lambda w, c: ([c["track"].pk], {"name": "王老师", "unit": "机械学院", "contact": "13800000000",
                                                           "content": "材料不实", "entry": c["entry"].pk}),
                           lambda role, s, window: s == "publicity" and window == "open"),
    "objection_handle": Case("reviews:action", PUBLICITY, STAGES, lambda w, s: _track(w, s, upheld=""),
                             track_action("handle", lambda c: {"objection": c["objection"].pk, "outcome": "rejected",
                                                               "handling": "经核实不属实", "version": c["objection"].version}),
                             admin_at("publicity")),
    "objection_withdraw_entry": Case("reviews:action", PUBLICITY, STAGES,
                                     lambda w, s: _track(w, s, scored=True, listed=True, upheld="upheld"),
                                     track_action("withdraw", lambda c: {"objection": c["objection"].pk, "reason": "属实"}),
                                     admin_at("publicity")),
})


# ---------------------------------------------------------------- the 现场答辩 room
# States: "none" (round 2, no room yet), the room's states with the track in round 2, and "closed"
# (round 2 ended while the room was still on an entry: the room refuses everything).
ROOM_STATES = ["none", "scoring", "revealed", "finished", "closed"]


def _room(w, state, other_absent=False):
    """_track at round 2 with a second judge (so one can be marked absent); the room on the entry in `state`."""
    ctx = _track(w, "closed" if state == "closed" else "round2")
    t, entry = ctx["track"], ctx["entry"]
    other = give_role(UserFactory(username="judge_two"), Role.JUDGE)
    t.judges.add(other)
    Assignment.objects.create(track=t, judge=other, entry=entry, round=2)
    if state == "closed":
        Assignment.objects.filter(pk=ctx["obj"].pk).update(round=2)
    ctx["other"] = other
    if state != "none":
        room_state = "scoring" if state == "closed" else state
        ctx["room"] = DefenceRoom.objects.create(
            track=t, order=[entry.pk], state=room_state, entry=None if state == "finished" else entry,
            position=1 if state == "finished" else 0, absent=[other.pk] if other_absent else [])
    return ctx


def room_action(name, data=None):
    return lambda w, c: ([c["track"].pk, name], data(c) if callable(data) else (data or {}))


def admin_in(*states):
    return lambda role, state, window: role == "admin" and state in states


CASES.update({
    "room_open": Case("reviews:room_action", JUDGING, ROOM_STATES, _room, room_action("open"), admin_in("none")),
    "room_timer": Case("reviews:room_action", JUDGING, ROOM_STATES, _room, room_action("timer"), admin_in("scoring")),
    "room_absent": Case("reviews:room_action", JUDGING, ROOM_STATES, _room,
                        room_action("absent", lambda c: {"judge": c["other"].pk}), admin_in("scoring")),
    "room_present": Case("reviews:room_action", JUDGING, ROOM_STATES, lambda w, s: _room(w, s, other_absent=True),
                         room_action("present", lambda c: {"judge": c["other"].pk}), admin_in("scoring")),
    "room_unlock": Case("reviews:room_action", JUDGING, ROOM_STATES, _room,
                        room_action("unlock", {"reason": "评委补交"}), admin_in("revealed")),
    "room_next": Case("reviews:room_action", JUDGING, ROOM_STATES, _room, room_action("next"), admin_in("revealed")),
    "room_judge_score": Case("reviews:room_judge", JUDGING, ROOM_STATES, _room,
                             lambda w, c: ([c["track"].pk], {f"c_{c['criterion'].pk}": "25"}),
                             lambda role, state, window: role == "judge" and state == "scoring"),
    "room_paper_score": Case("reviews:paper_score", JUDGING, ROOM_STATES, _room,
                             lambda w, c: ([c["track"].pk, c["obj"].pk], {f"c_{c['criterion'].pk}": "25",
                                                                          "version": version(c)}),
                             lambda role, state, window: role == "admin" and state in {"none", "scoring"}),
})


# ---------------------------------------------------------------- the run


def fingerprint():
    """Everything a workflow POST may change, as comparable values."""
    return (
        AuditEntry.objects.count(),
        list(Form1.objects.order_by("pk").values_list("pk", "state", "version", "brand_name", "scan", "brand_choice")),
        list(Form2.objects.order_by("pk").values_list("pk", "state", "version", "filler_name", "scan")),
        list(Form2Row.objects.order_by("pk").values_list("pk", "state", "version", "feature_name", "skip_reason")),
        list(Entry.objects.order_by("pk").values_list("pk", "state", "version", "title", "summary_report")),
        list(Outcome.objects.order_by("pk").values_list("pk", "version", "title")),
        Attachment.objects.count(),
        list(JudgingTrack.objects.order_by("pk").values_list("pk", "stage", "version")),
        list(Assignment.objects.order_by("pk").values_list("pk", "version", "total")),
        list(ScoreSheet.objects.order_by("pk").values_list("pk", "submitted_at")),
        DeclaredConflict.objects.count(), Objection.objects.count(),
        list(Objection.objects.order_by("pk").values_list("pk", "version", "outcome", "entry_withdrawn_at")),
        list(JudgingTrack.objects.order_by("pk").values_list("pk", "proposal", "withdrawn")),
        list(DefenceRoom.objects.order_by("pk").values_list("pk", "state", "version", "absent", "timer_started_at")),
    )


class _Rollback(Exception):
    pass


@pytest.fixture
def actors(world):
    u = world.users
    return {"admin": u.admin, "approver": give_role(UserFactory(username="leader"), Role.APPROVER),
            "college": u.college, "college_b": u.college_b, "branch": u.branch, "branch_b": u.branch_b,
            "judge": u.judge, "norole": u.norole, "anonymous": None}


@pytest.fixture
def extension(world):
    """The "extended" window: 甲学院党委 has until 5 days after each deadline (covers its branches)."""
    def grant():
        for d in world.campaign.deadlines.filter(kind__in=[DeadlineKind.DESIGN, DeadlineKind.REVIEW]):
            grant_extension(d, world.college_a, d.due_at + dt.timedelta(days=7), "因故延期", by=world.users.admin)
    return grant


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("case_name", sorted(CASES))
def test_policy(case_name, window, world, actors, extension):
    case = CASES[case_name]
    if window == "extended":
        extension()
    wrong = []
    with time_machine.travel(dt.datetime(*case.phase[window], tzinfo=SHANGHAI), tick=False):
        clients = {role: Client() for role in ROLES}  # signed in at the travelled-to time (sessions expire)
        for role, user in actors.items():
            if user is not None:
                clients[role].force_login(user)
        for state in case.states:
            for role in ROLES:
                try:
                    with transaction.atomic():
                        ctx = case.seed(world, state)
                        args, data = case.request(world, ctx)
                        if case.files:
                            data = {**data, **case.files()}
                        before = fingerprint()
                        response = clients[role].post(reverse(case.url, args=args), data)
                        changed = fingerprint() != before
                        expected = case.expected(role, state, window)
                        if response.status_code >= 500:
                            wrong.append(f"{role} / {state}: HTTP {response.status_code}")
                        elif changed != expected:
                            wrong.append(f"{role} / {state}: {'changed' if changed else 'refused'} (HTTP "
                                         f"{response.status_code}), expected {'allowed' if expected else 'refused'}")
                        raise _Rollback
                except _Rollback:
                    pass
    assert not wrong, f"{case_name} @ {window}:\n" + "\n".join(wrong)
