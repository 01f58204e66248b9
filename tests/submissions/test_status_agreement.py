"""The four readers of "what does this org still owe" agree, org by org, in every phase.

The readers: the obligations registry (home to-do lists and reminders), the 组织部 dashboard, the
progress table and the 上报状态 export. Each is compared with an expectation computed here, from the
models, by the campaign's rules (not from submissions.status), so a reader that drifts fails:

- 附件1/附件2 done = submitted or accepted; a branch row done = 已报院级 / 不参加, or its college's 附件2
  done; an entry done = submitted or passed; 支部推荐 done = at least one and every one done.
- due = the org's own extension, else its college's, else the deadline; overdue = not done and now > due.

Each phase is the demo campaign (`seed_demo --phase N`), with extra variety added: an extension
for one late college, a returned row, a returned entry; "now" is frozen in the phase and also a
minute after a deadline that falls mid-afternoon (where a day-based rule and a time-based rule
disagree)."""

import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from campaigns import obligations
from campaigns.models import Campaign, DeadlineExtension, DeadlineKind
from dashboard import queries as dash
from dashboard.exports.status import status_rows
from organizations.models import Level, Organization, Role
from submissions import queries as subq
from submissions.models import Entry, EntryState, Form1, Form2, Form2Row, FormState, RowState, Track

FORM_DONE = {FormState.SUBMITTED, FormState.ACCEPTED}
ENTRY_DONE = {EntryState.SUBMITTED, EntryState.PASSED}
ROW_DONE = {RowState.SUBMITTED, RowState.SKIPPED}


def _due(campaign, kind, org):
    d = campaign.deadlines.get(kind=kind)
    for org_id in (org.pk, org.parent_id):
        ext = DeadlineExtension.objects.filter(deadline=d, organization_id=org_id).first()
        if ext:
            return ext.due_at
    return d.due_at


def expected(campaign, now):
    """{(org id, key): (code, done, overdue)} straight from the models."""
    out = {}
    for college in Organization.objects.filter(level=Level.COLLEGE, is_active=True):
        due1, due3 = _due(campaign, DeadlineKind.DESIGN, college), _due(campaign, DeadlineKind.REVIEW, college)
        form2_done = False
        for key, model in (("form1", Form1), ("form2", Form2)):
            f = model.objects.filter(campaign=campaign, organization=college).first()
            done = bool(f and f.state in FORM_DONE)
            form2_done = done if key == "form2" else form2_done
            out[(college.pk, key)] = (f.state if f else "not_started", done, not done and now > due1)
        brand = Entry.objects.filter(campaign=campaign, college=college, track=Track.BRAND).first()
        done = bool(brand and brand.state in ENTRY_DONE)
        out[(college.pk, "brand")] = (brand.state if brand else "not_started", done, not done and now > due3)
        recs = list(Entry.objects.filter(campaign=campaign, college=college, track=Track.BRANCH))
        done = bool(recs) and all(e.state in ENTRY_DONE for e in recs)
        late = (not recs and now > due3) or any(
            e.state not in ENTRY_DONE and now > _due(campaign, DeadlineKind.REVIEW, e.organization) for e in recs)
        out[(college.pk, "recommend")] = (None, done, late)
        for e in recs:
            d = e.state in ENTRY_DONE
            out[(e.organization_id, "branch_entry")] = (
                e.state, d, not d and now > _due(campaign, DeadlineKind.REVIEW, e.organization))
        for branch in college.children.filter(is_active=True, level=Level.BRANCH):
            row = Form2Row.objects.filter(form__campaign=campaign, branch=branch).first()
            done = form2_done or bool(row and row.state in ROW_DONE)
            out[(branch.pk, "row")] = (row.state if row else "not_started", done,
                                       not done and now > _due(campaign, DeadlineKind.DESIGN, branch))
    return out


def from_obligations(campaign):
    """What each secretary's home to-do list says (one fake role assignment per org)."""
    keys = {"form1": "form1", "form2": "form2", "entry_brand": "brand", "entry_recommend": "recommend",
            "form2_row": "row", "entry_branch": "branch_entry"}
    out = {}
    user = SimpleNamespace(is_authenticated=True, pk=None)
    for org in Organization.objects.filter(is_active=True, level__in=[Level.COLLEGE, Level.BRANCH]):
        role = Role.COLLEGE_SECRETARY if org.level == Level.COLLEGE else Role.BRANCH_SECRETARY
        for o in obligations.for_assignment(campaign, user, SimpleNamespace(role=role, organization=org)):
            if o.key in keys:
                out[(org.pk, keys[o.key])] = (o.extra["state_code"], o.done, o.overdue)
    return out


def _cells(campaign, now, light):
    lines = dash.college_lines(dash.Filters(campaign), now=now, light=light)
    return {(line.org.pk, key): line.cells[key] for line in lines for key in line.cells}


def from_dashboard(campaign, now):
    """The exports' full read; the dashboard page's light read (plain records, not model instances; with
    and without the IN list of orgs) must give exactly the same cells."""
    from submissions import status

    full = _cells(campaign, now, light=False)
    assert _cells(campaign, now, light=True) == full
    whole_from, status.WHOLE_CAMPAIGN_FROM = status.WHOLE_CAMPAIGN_FROM, 1  # the demo's few orgs: no IN list
    try:
        assert _cells(campaign, now, light=True) == full
    finally:
        status.WHOLE_CAMPAIGN_FROM = whole_from
    return {k: (c.code, c.done, c.overdue) for k, c in full.items() if k[1] in ("form1", "form2", "brand", "recommend")}


def from_progress(campaign):
    return {(line["org"].pk, key): line[f"{key}_state"] for line in subq.progress(campaign) for key in ("form1", "form2")}


def from_export(campaign, now):
    """The 上报状态 sheet: (state code, overdue) per org × item, keyed by the row's item text."""
    names = {o.name: o.pk for o in Organization.objects.all()}
    item_keys = {label: key for key, label in dash.ITEMS}
    out = {}
    for code, late, values in status_rows(dash.Filters(campaign), now=now):
        org_name, level, item = values[2], values[3], values[4]
        if level == "院级":
            key = item_keys[item]
        else:
            key = "row" if item.startswith("一支部一特色") else "branch_entry"
        out[(names[org_name], key)] = (code, late)
    return out


def _vary(campaign):
    """Variety the demo may lack: an extension for a late college, a returned row, a returned entry."""
    late = (Organization.objects.filter(level=Level.COLLEGE, is_active=True)
            .exclude(form1__campaign=campaign, form1__state__in=FORM_DONE).order_by("code").first())
    if late is not None:
        for kind in (DeadlineKind.DESIGN, DeadlineKind.REVIEW):
            d = campaign.deadlines.get(kind=kind)
            DeadlineExtension.objects.get_or_create(deadline=d, organization=late,
                                                    defaults={"due_at": timezone.now() + dt.timedelta(days=3)})
    row = Form2Row.objects.filter(form__campaign=campaign, state=RowState.SUBMITTED,
                                  form__state__in=[FormState.DRAFT, FormState.RETURNED]).first()
    if row is not None:
        Form2Row.objects.filter(pk=row.pk).update(state=RowState.RETURNED, college_comment="请补充联系电话")
    entry = Entry.objects.filter(campaign=campaign, state=EntryState.SUBMITTED).first()
    if entry is not None:
        Entry.objects.filter(pk=entry.pk).update(state=EntryState.RETURNED, check_comment="缺典型案例")


def _check(campaign, now):
    want = expected(campaign, now)
    oblig, board, prog, export = (from_obligations(campaign), from_dashboard(campaign, now), from_progress(campaign),
                                  from_export(campaign, now))
    problems = []
    for (org_id, key), (code, done, late) in want.items():
        name = Organization.objects.get(pk=org_id).name
        in_phase3 = key in ("brand", "recommend", "branch_entry")
        if (org_id, key) in oblig or not (in_phase3 and timezone.localdate() < campaign.build_start):
            got = oblig.get((org_id, key))
            if got is None or got[1:] != (done, late) or (code is not None and got[0] != code):
                problems.append(f"{name} {key}: obligations {got} != {(code, done, late)}")
        if key in ("form1", "form2", "brand", "recommend"):
            got = board.get((org_id, key))
            if got is None or got[1:] != (done, late) or (code is not None and got[0] != code):
                problems.append(f"{name} {key}: dashboard {got} != {(code, done, late)}")
        if key in ("form1", "form2") and prog.get((org_id, key)) != code:
            problems.append(f"{name} {key}: progress {prog.get((org_id, key))} != {code}")
        got = export.get((org_id, key))
        if got is None or got[1] != late or (code is not None and got[0] != code):
            problems.append(f"{name} {key}: export {got} != {(code, late)}")
    assert not problems, "\n".join(problems)
    return want


@pytest.mark.parametrize("phase", [1, 2, 3, 4])
def test_every_reader_agrees_with_the_rules_org_by_org(db, phase):
    call_command("seed_demo", phase=phase, verbosity=0)
    campaign = Campaign.objects.current()
    _vary(campaign)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        want = _check(campaign, now)
    assert want, "the demo seeded no orgs"
    if phase >= 2:  # past the design deadline: some item must be overdue, or the test checks nothing
        assert any(late for (_c, _d, late) in want.values())
    assert any(done for (_c, done, _l) in want.values()) or phase == 1


def test_a_deadline_at_1700_is_overdue_at_1701_everywhere(db):
    """The to-do list used to count days (overdue only from the next day); the dashboard compared times."""
    call_command("seed_demo", phase=1, verbosity=0)
    campaign = Campaign.objects.current()
    d = campaign.deadlines.get(kind=DeadlineKind.DESIGN)
    due = timezone.localtime(timezone.now()).replace(hour=17, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    d.due_at = due
    d.save()
    DeadlineExtension.objects.filter(deadline=d).delete()
    now = due + dt.timedelta(minutes=1)
    with time_machine.travel(now, tick=False):
        want = _check(campaign, now)
    assert any(late for (_c, _d, late) in want.values())


def _summary(statuses):
    def item(i):
        return (i.org.pk, i.key, i.code, i.label, i.done, i.due, i.overdue, i.submitted_at, i.comment, i.missing, i.note,
                getattr(i.obj, "pk", None))

    return {pk: ([item(i) for i in st.items.values()], [item(i) for i in st.rows], [item(i) for i in st.branch_entries],
                 st.n_branches, st.rows_ready) for pk, st in statuses.items()}


@pytest.mark.parametrize("light", [False, True])
def test_a_read_of_many_orgs_says_what_an_in_list_read_says(db, monkeypatch, light):
    """From status.WHOLE_CAMPAIGN_FROM orgs on, the status read reads the campaign's rows whole instead of an
    IN list of org ids: for all orgs and for a few (the other orgs' forms, rows and entries then come along
    unasked), both ways give the same statuses."""
    from submissions import status

    call_command("seed_demo", phase=3, verbosity=0)
    campaign = Campaign.objects.current()
    _vary(campaign)
    colleges = list(Organization.objects.filter(level=Level.COLLEGE, is_active=True).order_by("code"))
    now = timezone.now()
    reads = []
    for orgs in (colleges, colleges[1:3]):
        monkeypatch.setattr(status, "WHOLE_CAMPAIGN_FROM", 10 ** 6)
        by_ids = _summary(status.colleges_status(campaign, orgs, now, light=light))
        monkeypatch.setattr(status, "WHOLE_CAMPAIGN_FROM", 1)
        whole = _summary(status.colleges_status(campaign, orgs, now, light=light))
        assert whole == by_ids and len(whole) == len(orgs) >= 2
        reads.append(whole)
    everything = reads[0].values()  # the demo has forms, rows and recommended branches to compare
    assert any(rows for _i, rows, _e, _n, _r in everything) and any(e for _i, _r, e, _n, _rr in everything)
    assert any(i[0][-1] is not None for i, _r, _e, _n, _rr in everything)
