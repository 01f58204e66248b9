"""Reads for phase 1: constant query counts however many branches there are."""

from django.db.models import Count, Prefetch, Q

from organizations.models import Level, Organization

from .models import NOT_STARTED_LABEL, Form1, Form2, Form2Row, FormState, RowState


def form2_with_rows(campaign, college):
    form2 = Form2.objects.filter(campaign=campaign, organization=college).select_related("updated_by").first()
    rows = {}
    if form2:
        form2.campaign, form2.organization = campaign, college  # the policy reads both for every row
        rows = {r.branch_id: r for r in form2.rows.select_related("updated_by", "branch")}
        for r in rows.values():
            r.form = form2
            r.branch.parent = college
    return form2, rows


def branch_rows(campaign, college, include_inactive=False):
    """[(branch, row or None)] for a college's summary page: 3 queries."""
    branches = Organization.objects.filter(parent=college, level=Level.BRANCH).order_by("sort_order", "code")
    if not include_inactive:
        branches = branches.filter(is_active=True)
    form2, rows = form2_with_rows(campaign, college)
    return form2, [(b, rows.get(b.pk)) for b in branches]


def state_label(obj):
    return obj.get_state_display() if obj else NOT_STARTED_LABEL


def state_code(obj):
    return obj.state if obj else "not_started"


def progress(campaign, org_type=None, state=None):
    """One line per active 院级 org: 附件1 and 附件2 state and row counts. 3 queries."""
    colleges = (
        Organization.objects.active()
        .filter(level=Level.COLLEGE)
        .annotate(n_branches=Count("children", filter=Q(children__is_active=True, children__level=Level.BRANCH)))
        .order_by("sort_order", "code")
    )
    if org_type:
        colleges = colleges.filter(org_type=org_type)
    form1s = {f.organization_id: f for f in Form1.objects.filter(campaign=campaign)}
    form2s = {
        f.organization_id: f
        for f in Form2.objects.filter(campaign=campaign).annotate(
            n_ready=Count("rows", filter=Q(rows__state__in=[RowState.SUBMITTED, RowState.SKIPPED])),
            n_rows=Count("rows"),
        )
    }
    lines = []
    for c in colleges:
        f1, f2 = form1s.get(c.pk), form2s.get(c.pk)
        line = {
            "org": c,
            "form1": f1,
            "form2": f2,
            "form1_state": state_code(f1),
            "form2_state": state_code(f2),
            "rows_ready": getattr(f2, "n_ready", 0),
            "n_branches": c.n_branches,
        }
        if state and state not in {line["form1_state"], line["form2_state"]}:
            continue
        lines.append(line)
    return lines


def pending_review_counts(campaign):
    return {
        "form1": Form1.objects.filter(campaign=campaign, state=FormState.SUBMITTED).count(),
        "form2": Form2.objects.filter(campaign=campaign, state=FormState.SUBMITTED).count(),
    }


def rows_for_export(campaign):
    return Form2Row.objects.filter(form__campaign=campaign).select_related("branch", "form__organization")


def form2_for_pdf(form2):
    return Form2.objects.filter(pk=form2.pk).prefetch_related(
        Prefetch("rows", queryset=Form2Row.objects.select_related("branch").order_by("branch__sort_order", "branch__code"))
    ).select_related("organization", "campaign").get()


# ---------------------------------------------------------------- phases 2/3


def entries_of_college(campaign, college):
    from .models import Entry

    return list(
        Entry.objects.filter(campaign=campaign, college=college)
        .select_related("organization", "experience_doc", "case_doc", "video", "summary_report")
        .order_by("track", "rank")
    )


def entry_detail(pk):
    from .models import Entry

    return (
        Entry.objects.select_related(
            "campaign", "organization", "organization__parent", "college", "experience_doc", "case_doc", "video",
            "summary_report", "checked_by", "updated_by",
        )
        .prefetch_related("evidence")
        .get(pk=pk)
    )


def formal_check_lines(campaign, track=None, state=None):
    """All entries of a campaign with what each is missing; plus 院级 orgs with no brand entry. Constant queries."""
    from .models import Entry, Track
    from .completeness import entry_missing

    entries = (
        Entry.objects.filter(campaign=campaign)
        .select_related("organization", "college")
        .order_by("track", "college__sort_order", "rank")
    )
    if track:
        entries = entries.filter(track=track)
    if state:
        entries = entries.filter(state=state)
    lines = [{"entry": e, "missing": entry_missing(e)} for e in entries]
    entered = set(Entry.objects.filter(campaign=campaign, track=Track.BRAND).values_list("organization_id", flat=True))
    not_started = [
        c for c in Organization.objects.active().filter(level=Level.COLLEGE).order_by("sort_order", "code")
        if c.pk not in entered
    ]
    return lines, not_started


def outcomes_of(campaign, org):
    from .models import Outcome

    qs = Outcome.objects.filter(campaign=campaign).prefetch_related("attachments").select_related("organization")
    if org.level == Level.COLLEGE:
        return qs.filter(Q(organization=org) | Q(organization__parent=org))
    return qs.filter(organization=org)


def outcomes_overview(campaign):
    """Per 院级 org (its own and its branches' outcomes), counts per month: 2 queries."""
    from django.db.models import Case, F, When
    from django.db.models.functions import ExtractMonth

    from .models import Outcome

    counts = (
        Outcome.objects.filter(campaign=campaign)
        .annotate(college_id=Case(When(organization__level=Level.BRANCH, then=F("organization__parent_id")),
                                  default=F("organization_id")), month=ExtractMonth("date"))
        .values("college_id", "month", "organization__level")
        .annotate(n=Count("id"))
    )
    by_college = {}
    for c in counts:
        if c["organization__level"] == Level.SCHOOL:
            continue
        cid = c["college_id"]
        by_college.setdefault(cid, {}).setdefault(c["month"], 0)
        by_college[cid][c["month"]] += c["n"]
    colleges = Organization.objects.active().filter(level=Level.COLLEGE).order_by("sort_order", "code")
    months = list(range(5, 13))
    return months, [
        {"org": c, "months": [by_college.get(c.pk, {}).get(m, 0) for m in months],
         "total": sum(by_college.get(c.pk, {}).values())}
        for c in colleges
    ]
