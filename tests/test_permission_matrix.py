"""Every URL × every role → expected HTTP status (GET).

A new URL gets a new row. 302 for anonymous users means "sent to the login page"."""

import pytest
from django.urls import reverse

from .dashboard.helpers import export_job as dashboard_job

ROLES = ["anon", "norole", "branch", "college", "judge", "admin", "approver"]


def row(name, expected, kwargs=None):
    """expected: dict role → status, or a single status for all signed-in roles.

    The 校领导 (approver) column: 200 for the read-only pages in APPROVER_READS, otherwise what an
    account without a role gets; a row can say otherwise with an "approver" key."""
    if "approver" not in expected:
        expected = {**expected, "approver": 200 if name in APPROVER_READS else expected["norole"]}
    return pytest.param(name, kwargs or (lambda w: {}), expected, id=name)


LOGIN = 302
# The 校领导 (approver) read everything of the campaign (school-wide, read-only) and decide 审定.
APPROVER_READS = {
    "submissions:progress", "submissions:form1", "submissions:form2", "submissions:row", "submissions:pdf",
    "submissions:history", "submissions:scan_file", "submissions:logo", "submissions:entries", "submissions:entry",
    "submissions:entry_pdf", "submissions:outcomes_overview", "submissions:outcomes", "submissions:outcome",
    "reviews:index", "reviews:ranking", "reviews:ranking_xlsx", "reviews:approval", "showcase:brand",
}
ADMIN_ONLY = {"anon": LOGIN, "norole": 403, "branch": 403, "college": 403, "judge": 403, "admin": 200}
COLLEGE_A = {"anon": LOGIN, "norole": 403, "branch": 403, "college": 200, "judge": 403, "admin": 200}
COLLEGE_A_AND_BRANCH = {"anon": LOGIN, "norole": 403, "branch": 200, "college": 200, "judge": 403, "admin": 200}
POST_ONLY_ADMIN = {"anon": LOGIN, "norole": 403, "branch": 403, "college": 403, "judge": 403, "admin": 405}
UNPUBLISHED_A = {"anon": 404, "norole": 404, "branch": 404, "college": 200, "judge": 404, "admin": 200}
POST_ONLY_COLLEGE_A_AND_BRANCH = {"anon": LOGIN, "norole": 403, "branch": 405, "college": 405, "judge": 403, "admin": 403}
JUDGE_ONLY = {"anon": LOGIN, "norole": 403, "branch": 403, "college": 403, "judge": 200, "admin": 403}
POST_ONLY_JUDGE = {"anon": LOGIN, "norole": 403, "branch": 403, "college": 403, "judge": 405, "admin": 403}
POST_ONLY_COLLEGE_A = {"anon": LOGIN, "norole": 403, "branch": 403, "college": 405, "judge": 403, "admin": 403}

MATRIX = [
    row("home", {"anon": LOGIN, "norole": 200, "branch": 200, "college": 200, "judge": 200, "admin": 200}),
    row("healthz", {r: 200 for r in ROLES}),
    row("login", {"anon": 200, "norole": 302, "branch": 302, "college": 302, "judge": 302, "admin": 302}),
    # 统一身份认证 is off unless CAS_SERVER_URL is set (the flows with a real CAS server: tests/organizations/test_cas.py)
    row("cas_login", {r: 404 for r in ROLES}),
    row("password_change", {"anon": LOGIN, "norole": 200, "branch": 200, "college": 200, "judge": 200, "admin": 200}),
    row("organizations:tree", ADMIN_ONLY),
    row("organizations:people", ADMIN_ONLY),
    row("organizations:set_employee_id", POST_ONLY_ADMIN, lambda w: {"pk": w.users.branch.pk}),
    row("organizations:detail", {"anon": LOGIN, "norole": 403, "branch": 403, "college": 200, "judge": 403, "admin": 200},
        lambda w: {"pk": w.college_a.pk}),
    row("organizations:detail", {"anon": LOGIN, "norole": 403, "branch": 200, "college": 200, "judge": 403, "admin": 200},
        lambda w: {"pk": w.branch_a1.pk}),
    row("organizations:detail", {"anon": LOGIN, "norole": 403, "branch": 403, "college": 403, "judge": 403, "admin": 200},
        lambda w: {"pk": w.branch_b1.pk}),
    row("organizations:edit", ADMIN_ONLY, lambda w: {"pk": w.branch_a1.pk}),
    row("organizations:export", ADMIN_ONLY),
    row("organizations:pending_activation", ADMIN_ONLY),
    row("organizations:account_create", ADMIN_ONLY),
    row("organizations:account", ADMIN_ONLY, lambda w: {"pk": w.users.branch.pk}),
    row("organizations:account_action", POST_ONLY_ADMIN, lambda w: {"pk": w.users.branch.pk, "action": "unlock"}),
    row("organizations:import", ADMIN_ONLY),
    row("organizations:import_template", ADMIN_ONLY),
    # token-bound pages: a token from someone else's (or no) upload is 404 even for an admin;
    # the real flows are in tests/organizations/test_import.py
    row("organizations:import_preview", {**ADMIN_ONLY, "admin": 404}, lambda w: {"token": "0" * 32}),
    row("organizations:import_apply", {**ADMIN_ONLY, "admin": 405}, lambda w: {"token": "0" * 32}),
    row("organizations:import_result", {**ADMIN_ONLY, "admin": 404}, lambda w: {"token": "0" * 32}),
    row("organizations:import_links", {**ADMIN_ONLY, "admin": 404}, lambda w: {"token": "0" * 32}),
    # reachable without login; an invalid token renders "链接无效" (valid-token flow: test_import.py)
    row("activate", {r: 200 for r in ROLES}, lambda w: {"uidb64": "MQ", "token": "invalid-token"}),
    row("campaigns:list", ADMIN_ONLY),
    row("campaigns:detail", ADMIN_ONLY, lambda w: {"pk": w.campaign.pk}),
    row("campaigns:edit", ADMIN_ONLY, lambda w: {"pk": w.campaign.pk}),
    row("audit:audit", ADMIN_ONLY),
    # phase 1: 附件1 / 附件2 (college A's forms exist, see prepare())
    row("submissions:progress", ADMIN_ONLY),
    row("submissions:standards", ADMIN_ONLY),
    row("submissions:my", {"anon": LOGIN, "norole": 403, "branch": 403, "college": 302, "judge": 403, "admin": 403},
        lambda w: {"kind": "form1"}),
    row("submissions:my", {"anon": LOGIN, "norole": 403, "branch": 302, "college": 403, "judge": 403, "admin": 403},
        lambda w: {"kind": "row"}),
    row("submissions:form1", COLLEGE_A, lambda w: {"campaign": w.campaign.pk, "org": w.college_a.pk}),
    row("submissions:form1", ADMIN_ONLY, lambda w: {"campaign": w.campaign.pk, "org": w.college_b.pk}),
    row("submissions:form2", COLLEGE_A, lambda w: {"campaign": w.campaign.pk, "org": w.college_a.pk}),
    row("submissions:row", COLLEGE_A_AND_BRANCH, lambda w: {"campaign": w.campaign.pk, "branch": w.branch_a1.pk}),
    row("submissions:row", COLLEGE_A, lambda w: {"campaign": w.campaign.pk, "branch": w.branch_a2.pk}),
    row("submissions:row", ADMIN_ONLY, lambda w: {"campaign": w.campaign.pk, "branch": w.branch_b1.pk}),
    row("submissions:pdf", COLLEGE_A, lambda w: {"campaign": w.campaign.pk, "kind": "form1", "org": w.college_a.pk}),
    row("submissions:pdf", COLLEGE_A, lambda w: {"campaign": w.campaign.pk, "kind": "form2", "org": w.college_a.pk}),
    row("submissions:history", COLLEGE_A, lambda w: {"campaign": w.campaign.pk, "kind": "form1", "org": w.college_a.pk}),
    row("submissions:history", COLLEGE_A, lambda w: {"campaign": w.campaign.pk, "kind": "form2", "org": w.college_a.pk}),
    row("submissions:scan_file", COLLEGE_A, lambda w: {"campaign": w.campaign.pk, "kind": "form1", "org": w.college_a.pk}),
    row("submissions:logo", COLLEGE_A, lambda w: {"campaign": w.campaign.pk, "kind": "form1", "org": w.college_a.pk}),
    row("submissions:attachment", {"anon": 404, "norole": 404, "branch": 404, "college": 200, "judge": 404, "admin": 200},
        lambda w: {"uuid": w.attachment.uuid}),
    # phases 2/3: outcomes, 附件3 entries, formal check
    row("submissions:my_entries", {"anon": LOGIN, "norole": 403, "branch": 302, "college": 302, "judge": 403, "admin": 403}),
    row("submissions:my_outcomes", {"anon": LOGIN, "norole": 403, "branch": 302, "college": 302, "judge": 403, "admin": 403}),
    row("submissions:formal_check_current", {"anon": LOGIN, "norole": 302, "branch": 302, "college": 302, "judge": 302, "admin": 302}),
    row("submissions:outcomes_current", {"anon": LOGIN, "norole": 302, "branch": 302, "college": 302, "judge": 302, "admin": 302}),
    row("submissions:entries", COLLEGE_A, lambda w: {"campaign": w.campaign.pk, "org": w.college_a.pk}),
    row("submissions:entries", ADMIN_ONLY, lambda w: {"campaign": w.campaign.pk, "org": w.college_b.pk}),
    row("submissions:formal_check", ADMIN_ONLY, lambda w: {"campaign": w.campaign.pk}),
    row("submissions:entry", COLLEGE_A, lambda w: {"pk": w.brand_entry.pk}),
    row("submissions:entry", COLLEGE_A_AND_BRANCH, lambda w: {"pk": w.branch_entry.pk}),
    row("submissions:entry_pdf", COLLEGE_A_AND_BRANCH, lambda w: {"pk": w.branch_entry.pk}),
    row("submissions:outcomes_overview", ADMIN_ONLY, lambda w: {"campaign": w.campaign.pk}),
    row("submissions:outcomes", COLLEGE_A_AND_BRANCH, lambda w: {"campaign": w.campaign.pk, "org": w.branch_a1.pk}),
    row("submissions:outcomes", COLLEGE_A, lambda w: {"campaign": w.campaign.pk, "org": w.college_a.pk}),
    row("submissions:outcome", COLLEGE_A_AND_BRANCH, lambda w: {"pk": w.outcome.pk}),
    row("submissions:entry_file", POST_ONLY_COLLEGE_A_AND_BRANCH, lambda w: {"pk": w.branch_entry.pk, "slot": "video"}),
    row("submissions:entry_evidence", POST_ONLY_COLLEGE_A_AND_BRANCH, lambda w: {"pk": w.branch_entry.pk}),
    row("submissions:entry_check", POST_ONLY_ADMIN, lambda w: {"pk": w.branch_entry.pk}),
    row("submissions:outcome_file", POST_ONLY_COLLEGE_A_AND_BRANCH, lambda w: {"pk": w.outcome.pk}),
    # POST-only endpoints answer GET with 405 to those allowed, 403 to others
    row("submissions:review", POST_ONLY_ADMIN, lambda w: {"campaign": w.campaign.pk, "kind": "form1", "org": w.college_a.pk}),
    row("submissions:brand_choice", POST_ONLY_COLLEGE_A, lambda w: {"campaign": w.campaign.pk, "org": w.college_a.pk}),
    row("submissions:scan_upload", POST_ONLY_COLLEGE_A, lambda w: {"campaign": w.campaign.pk, "kind": "form1", "org": w.college_a.pk}),
    row("submissions:row_return", POST_ONLY_COLLEGE_A, lambda w: {"campaign": w.campaign.pk, "branch": w.branch_a1.pk}),
    row("submissions:row_skip", POST_ONLY_COLLEGE_A, lambda w: {"campaign": w.campaign.pk, "branch": w.branch_a1.pk}),
    # phase 4: the showcase is public; unpublished items are 404 except to their org and 组织部
    row("showcase:list", {r: 200 for r in ROLES}),
    row("showcase:library", {r: 200 for r in ROLES}),
    row("showcase:detail", {r: 200 for r in ROLES}, lambda w: {"pk": w.published_item.pk}),
    row("showcase:detail", UNPUBLISHED_A, lambda w: {"pk": w.unpublished_item.pk}),
    row("showcase:logo", {r: 200 for r in ROLES}, lambda w: {"pk": w.published_item.pk}),
    row("showcase:logo", UNPUBLISHED_A, lambda w: {"pk": w.unpublished_item.pk}),
    row("showcase:poster", {r: 200 for r in ROLES}, lambda w: {"pk": w.published_item.pk}),
    row("showcase:poster", UNPUBLISHED_A, lambda w: {"pk": w.unpublished_item.pk}),
    # 品牌历程: the full story for the org's own secretaries, 组织部 and 校领导; the public story only with a
    # published showcase item (college B has one, college A's is unpublished)
    row("showcase:brand", COLLEGE_A, lambda w: {"lineage": _lineage(w, w.college_a)}),
    row("showcase:brand", ADMIN_ONLY, lambda w: {"lineage": _lineage(w, w.college_b)}),
    row("showcase:brand_story", {r: 404 for r in ROLES}, lambda w: {"lineage": _lineage(w, w.college_a)}),
    row("showcase:brand_story", {r: 200 for r in ROLES}, lambda w: {"lineage": _lineage(w, w.college_b)}),
    row("showcase:manage", ADMIN_ONLY),
    row("showcase:pick", POST_ONLY_ADMIN, lambda w: {"year": w.campaign.year}),
    row("showcase:publish", POST_ONLY_ADMIN, lambda w: {"pk": w.unpublished_item.pk}),
    row("showcase:unpublish", POST_ONLY_ADMIN, lambda w: {"pk": w.published_item.pk}),
    row("showcase:refresh", POST_ONLY_ADMIN, lambda w: {"pk": w.published_item.pk}),
    row("showcase:booklets", ADMIN_ONLY),
    row("showcase:booklet_status", ADMIN_ONLY, lambda w: {"pk": w.booklet.pk}),
    row("showcase:booklet_file", ADMIN_ONLY, lambda w: {"pk": w.booklet.pk}),
    row("showcase:booklet_retry", POST_ONLY_ADMIN, lambda w: {"pk": w.booklet.pk}),
    row("showcase:bundle", ADMIN_ONLY, lambda w: {"year": w.campaign.year}),
    row("showcase:bundle_status", ADMIN_ONLY, lambda w: {"pk": w.bundle.pk}),
    row("showcase:bundle_file", ADMIN_ONLY, lambda w: {"pk": w.bundle.pk}),
    row("showcase:bundle_retry", POST_ONLY_ADMIN, lambda w: {"pk": w.bundle.pk}),
    row("campaigns:reminders_current", {"anon": LOGIN, "norole": 403, "branch": 403, "college": 403, "judge": 403, "admin": 302}),
    row("campaigns:reminders", ADMIN_ONLY, lambda w: {"pk": w.campaign.pk}),
    row("campaigns:reminder_log", ADMIN_ONLY, lambda w: {"pk": w.campaign.pk}),
    row("campaigns:reminder_settings", ADMIN_ONLY, lambda w: {"pk": w.campaign.pk}),
    row("campaigns:reminder_manual", ADMIN_ONLY, lambda w: {"pk": w.campaign.pk}),
    row("campaigns:notifications", {"anon": LOGIN, "norole": 200, "branch": 200, "college": 200, "judge": 200, "admin": 200}),
    # everyone's own 通知设置 (e-mail per notice kind)
    row("campaigns:notice_settings", {"anon": LOGIN, "norole": 200, "branch": 200, "college": 200, "judge": 200, "admin": 200}),
    # a notification of the branch secretary: only its owner may open it (others: 404)
    row("campaigns:notification_open", {"anon": LOGIN, "norole": 404, "branch": 302, "college": 404, "judge": 404, "admin": 404},
        lambda w: {"pk": _notification_for(w.users.branch).pk}),
    # 十佳 judging (the judge is assigned to college B's entry; see prepare())
    row("reviews:index", ADMIN_ONLY),
    # public: the published results, the 公示 list, filing an objection (the form, or why it is closed) and the receipt
    row("reviews:results", {r: 200 for r in ROLES}),
    row("reviews:publicity", {r: 200 for r in ROLES}),
    row("reviews:objection", {r: 200 for r in ROLES}, lambda w: {"pk": w.track.pk}),
    row("reviews:receipt", {r: 200 for r in ROLES}),
    row("reviews:queue", JUDGE_ONLY),
    row("reviews:score", JUDGE_ONLY, lambda w: {"pk": w.assignment.pk}),
    row("reviews:declare_conflict", POST_ONLY_JUDGE, lambda w: {"pk": w.assignment.pk}),
    row("reviews:submit_sheet", POST_ONLY_JUDGE, lambda w: {"pk": w.track.pk, "round": 1}),
    row("reviews:sheet_pdf", {**JUDGE_ONLY, "admin": 200}, lambda w: {"pk": w.track.pk, "judge": w.users.judge.pk, "round": 1}),
    row("reviews:track", ADMIN_ONLY, lambda w: {"pk": w.track.pk}),
    row("reviews:settings", ADMIN_ONLY, lambda w: {"pk": w.track.pk}),
    row("reviews:rubric", ADMIN_ONLY, lambda w: {"pk": w.track.pk}),
    row("reviews:judges", ADMIN_ONLY, lambda w: {"pk": w.track.pk}),
    row("reviews:conflicts", ADMIN_ONLY, lambda w: {"pk": w.track.pk}),
    row("reviews:ranking", ADMIN_ONLY, lambda w: {"pk": w.track.pk}),
    row("reviews:decision", ADMIN_ONLY, lambda w: {"pk": w.track.pk}),
    row("reviews:matrix_xlsx", ADMIN_ONLY, lambda w: {"pk": w.track.pk}),
    row("reviews:ranking_xlsx", ADMIN_ONLY, lambda w: {"pk": w.track.pk}),
    row("reviews:action", POST_ONLY_ADMIN, lambda w: {"pk": w.track.pk, "action": "open"}),
    # 审定 (the track is still scoring: the page says so); minutes: 404 until a paper decision attached them
    row("reviews:approval", ADMIN_ONLY, lambda w: {"pk": w.track.pk}),
    # 现场答辩室 (the track is in round 1 here: no room yet; the room itself: tests/reviews/test_room.py)
    row("reviews:room", ADMIN_ONLY, lambda w: {"pk": w.track.pk}),
    row("reviews:room_action", POST_ONLY_ADMIN, lambda w: {"pk": w.track.pk, "action": "next"}),
    row("reviews:room_poll", {**JUDGE_ONLY, "admin": 200}, lambda w: {"pk": w.track.pk}),
    row("reviews:room_screen", ADMIN_ONLY, lambda w: {"pk": w.track.pk}),
    row("reviews:room_screen_live", ADMIN_ONLY, lambda w: {"pk": w.track.pk}),
    row("reviews:room_judge", JUDGE_ONLY, lambda w: {"pk": w.track.pk}),
    # a round-1 assignment: 代录 is for round 2 only (404 for 组织部)
    row("reviews:paper_score", {**ADMIN_ONLY, "admin": 404}, lambda w: {"pk": w.track.pk, "assignment": w.assignment.pk}),
    row("reviews:approval_decide", {**POST_ONLY_ADMIN, "admin": 403, "approver": 405},
        lambda w: {"pk": w.track.pk, "decision": "approve"}),
    row("reviews:minutes", {**ADMIN_ONLY, "admin": 404, "approver": 404}, lambda w: {"pk": w.track.pk}),
    # 组织部 dashboard and exports (job pages: a finished job started by the admin; tests/dashboard/)
    row("dashboard:index", ADMIN_ONLY),
    row("dashboard:matrix", ADMIN_ONLY),
    row("dashboard:years", ADMIN_ONLY),
    *[row("dashboard:export", ADMIN_ONLY, lambda w, k=k: {"kind": k})
      for k in ("form2", "status", "form1", "entries", "review_summary")],
    row("dashboard:job", ADMIN_ONLY, lambda w: {"uuid": dashboard_job(w).uuid}),
    row("dashboard:job_status", ADMIN_ONLY, lambda w: {"uuid": dashboard_job(w).uuid}),
    row("dashboard:job_download", ADMIN_ONLY, lambda w: {"uuid": dashboard_job(w).uuid}),
    # 企业微信/钉钉 notice channels (tests/notify/)
    row("notify:channels", ADMIN_ONLY),
    row("notify:robot_new", ADMIN_ONLY),
    row("notify:robot_edit", ADMIN_ONLY, lambda w: {"pk": _robot(w).pk}),
    row("notify:robot_test", POST_ONLY_ADMIN, lambda w: {"pk": _robot(w).pk}),
    row("notify:app_test", POST_ONLY_ADMIN),
    row("notify:deliveries", ADMIN_ONLY),
    row("notify:delivery_retry", POST_ONLY_ADMIN, lambda w: {"pk": _delivery(w).pk}),
    # 材料查重: 组织部 only (the pages name other orgs' materials); judges see a flag on the score page
    row("similarity:current", {"anon": LOGIN, "norole": 302, "branch": 302, "college": 302, "judge": 302, "admin": 302}),
    row("similarity:campaign", ADMIN_ONLY, lambda w: {"campaign": w.campaign.pk}),
    row("similarity:threshold", POST_ONLY_ADMIN, lambda w: {"campaign": w.campaign.pk}),
    row("similarity:run", POST_ONLY_ADMIN, lambda w: {"campaign": w.campaign.pk}),
    row("similarity:text", ADMIN_ONLY, lambda w: {"pk": _similarity_match(w).text_id}),
    row("similarity:compare", ADMIN_ONLY, lambda w: {"pk": _similarity_match(w).pk}),
    row("dashboard:job_retry", POST_ONLY_ADMIN, lambda w: {"uuid": dashboard_job(w).uuid}),
]


def prepare(world):
    """Objects the rows point at: college A's 附件1 (with logo and scan) and 附件2 with a row."""
    from django.core.files.base import ContentFile

    from submissions.models import Form1, Form2, Form2Row

    f1 = Form1.objects.create(campaign=world.campaign, organization=world.college_a, brand_name="测试品牌", state="submitted")
    f1.scan.save("scans/x.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    f1.logo.save("logos/x.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    f1.scan_name = "x.pdf"
    f1.save()
    from submissions.models import Attachment

    world.attachment = Attachment(organization=world.college_a, kind="pdf", original_name="经验.pdf", size=13)
    world.attachment.file.save("attachments/t.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    world.attachment.save()
    import datetime as dt

    from submissions.models import Entry, Outcome

    world.brand_entry = Entry.objects.create(campaign=world.campaign, track="brand", organization=world.college_a,
                                             college=world.college_a)
    world.branch_entry = Entry.objects.create(campaign=world.campaign, track="branch", organization=world.branch_a1,
                                              college=world.college_a, rank=1)
    world.outcome = Outcome.objects.create(campaign=world.campaign, organization=world.branch_a1, outcome_type="case",
                                           title="案例", date=dt.date(2026, 6, 1))
    f2 = Form2.objects.create(campaign=world.campaign, organization=world.college_a)
    Form2Row.objects.create(form=f2, branch=world.branch_a1, feature_name="特色")
    from reviews import services as judging
    from submissions.models import Entry

    entry = Entry.objects.create(campaign=world.campaign, track="brand", organization=world.college_b,
                                 college=world.college_b, state="passed", title="乙品牌")
    world.track = judging.create_track(world.campaign, "brand", by=world.users.admin)
    judging.set_judges(world.track, [world.users.judge.pk], by=world.users.admin)
    world.assignment = judging.add_assignment(world.track, world.users.judge, entry, by=world.users.admin)
    world.track = judging.open_scoring(world.track, by=world.users.admin)
    prepare_showcase(world, ContentFile)


def prepare_showcase(world, ContentFile):
    """A published item (college B), an unpublished one (college A), both with logo and poster; a booklet."""
    from showcase.models import Booklet, Bundle, ShowcaseItem

    def item(org, published):
        it = ShowcaseItem(campaign=world.campaign, year=world.campaign.year, organization=org, college=org,
                          kind="brand", org_name=org.name, org_type=org.org_type, title="品牌", is_published=published)
        it.logo.save("l.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
        it.poster.save("p.jpg", ContentFile(b"\xff\xd8\xff\xe0"), save=False)
        it.save()
        return it

    world.published_item = item(world.college_b, True)
    world.unpublished_item = item(world.college_a, False)
    world.booklet = Booklet.objects.create(campaign=world.campaign, title="汇编", status="done", progress=100)
    world.booklet.file.save("b.pdf", ContentFile(b"%PDF-1.4 booklet"))
    world.bundle = Bundle.objects.create(campaign=world.campaign, status="done", progress=100)
    world.bundle.file.save("b.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))


def _lineage(world, org):
    from submissions.models import Form1

    return Form1.objects.get_or_create(campaign=world.campaign, organization=org,
                                       defaults={"brand_name": "乙品牌", "state": "submitted"})[0].lineage


def _similarity_match(world):
    """College A's brand entry checked against college B's (the same text): one match each way."""
    from similarity import services as similarity

    world.brand_entry.overview = "".join(f"第{i}句：学院党委坚持党建引领，推动党建与业务深度融合发展。" for i in range(8))
    world.brand_entry.state = "submitted"
    world.brand_entry.save()
    from submissions.models import Entry

    Entry.objects.filter(organization=world.college_b).update(overview=world.brand_entry.overview)
    similarity.check_campaign(world.campaign)
    from similarity.models import Match

    return Match.objects.filter(text__object_id=world.brand_entry.pk, text__kind="entry").get()


def _notification_for(user):
    from campaigns.models import Notification

    return Notification.objects.create(user=user, title="提醒", url="/")


def _robot(world):
    from notify import services

    return services.create_robot({"name": "甲学院群", "platform": "wecom", "organization": world.college_a, "role": "",
                                  "webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"},
                                 by=world.users.admin)


def _delivery(world):
    from notify.models import Delivery

    return Delivery.objects.create(event="e", channel="wecom_app", target="user:1", title="t", content="c",
                                   status="failed")


def user_for(world, role):
    if role == "approver" and not hasattr(world.users, "approver"):
        from organizations.models import Role

        from .factories import UserFactory, give_role

        world.users.approver = give_role(UserFactory(username="leader"), Role.APPROVER)
    return None if role == "anon" else getattr(world.users, role)


@pytest.mark.parametrize("name,kwargs,expected", MATRIX)
def test_permission_matrix(world, client_for, name, kwargs, expected):
    prepare(world)
    url = reverse(name, kwargs=kwargs(world))
    got = {}
    for role in ROLES:
        response = client_for(user_for(world, role)).get(url)
        got[role] = response.status_code
        if role == "anon" and response.status_code == 302 and expected[role] == LOGIN and name != "login":
            assert reverse("login") in response["Location"]
    assert got == {r: expected[r] for r in ROLES}


def test_every_url_has_a_matrix_row():
    """A URL added without a permission row fails here."""
    from django.urls import get_resolver

    covered = {p.values[0] for p in MATRIX} | set(EXTRA_COVERED)
    names = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                if p.namespace in {"admin"}:
                    continue
                walk(p.url_patterns, ns)
            elif p.name:
                names.add(prefix + p.name)

    walk(get_resolver().url_patterns)
    missing = sorted(names - covered)
    assert not missing, f"URLs without a permission-matrix row: {missing}"


# POST-only or action URLs are covered by their own tests (named here so the check above knows).
EXTRA_COVERED = {
    "logout": "tests/core/test_auth.py",
    "password_change_done": "static confirmation page",
    "campaigns:revoke_extension": "tests/campaigns/test_campaign_views.py",
    "campaigns:notification_read": "POST only: tests/campaigns/test_reminder_views.py",
    "campaigns:notifications_read_all": "POST only: tests/campaigns/test_reminder_views.py",
}
