"""Reads for phase 1: constant query counts however many branches there are."""

from django.db.models import Count, Prefetch, Q

from organizations.models import Level, Organization

from .models import NOT_STARTED_LABEL, Form1, Form2, Form2Row, FormState, RowState


def form2_with_rows(campaign, college):
    form2 = Form2.objects.filter(campaign=campaign, organization=college).select_related("updated_by").first()
    rows = {}
    if form2:
        rows = {r.branch_id: r for r in form2.rows.select_related("updated_by")}
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
