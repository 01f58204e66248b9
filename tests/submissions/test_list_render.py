"""The progress table and the 形式审查 list build their rows in Python (submissions.render): the HTML must
be exactly what the templates' loops printed. Each test renders the original loop (kept here) with the
template engine and compares it with the page / the renderer, byte for byte."""

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from organizations.models import Role
from submissions import policy, render
from submissions.completeness import ENTRY_REQUIRED, FILE_SLOTS, entry_missing
from submissions.models import EntryState, Form1, Form2, FormState, Track
from submissions.queries import CheckedEntry

from ..factories import BranchFactory, CollegeFactory, UserFactory, give_role
from .test_entries import complete, phase3  # noqa: F401 (phase3 is a fixture)

# templates/submissions/progress.html's loop before its rows were built in Python ({% url %}, |date; the badge is
# submissions/_state_badge.html without its final newline, as core.tables.state_badge prints it)
PROGRESS_LOOP = """{% for l in lines %}
  <tr data-org="{{ l.org.code }}">
    <td>{{ l.org.name }}</td>
    <td class="small">{{ l.org.get_org_type_display }}</td>
    <td><a href="{% url 'submissions:form1' campaign.pk l.org.pk %}"><span class="badge badge-state-{{ l.form1.state|default:'not_started' }}" data-testid="state">{{ l.form1.get_state_display|default:"未开始" }}</span></a></td>
    <td>{{ l.form1.brand_name|default:"" }}</td>
    <td><a href="{% url 'submissions:form2' campaign.pk l.org.pk %}"><span class="badge badge-state-{{ l.form2.state|default:'not_started' }}" data-testid="state">{{ l.form2.get_state_display|default:"未开始" }}</span></a></td>
    <td>{{ l.rows_ready }} / {{ l.n_branches }}</td>
    <td class="small text-muted">{% if l.form1.submitted_at %}附件1 {{ l.form1.submitted_at|date:"m-d H:i" }}{% endif %}{% if l.form2.submitted_at %}<br>附件2 {{ l.form2.submitted_at|date:"m-d H:i" }}{% endif %}</td>
  </tr>
  {% empty %}<tr><td colspan="7" class="text-muted">没有符合条件的党组织。</td></tr>
  {% endfor %}"""

# templates/submissions/formal_check.html's loop before its rows were built in Python
FORMAL_LOOP = """{% load portal %}{% for l in lines %}{% with e=l.entry %}
  <tr data-entry="{{ e.pk }}">
    <td class="small">{{ e.get_track_display }}{% if e.rank %}（{{ e.rank }}）{% endif %}</td>
    <td><a href="{{ l.url }}">{{ e.organization.name }}</a></td>
    <td class="small">{{ e.college.name }}</td><td>{{ e.title }}{% with sf=simflags|get_item:e.pk %}{% if sf.flagged %} <a class="badge text-bg-danger text-decoration-none" data-testid="similarity-flag" href="{% if sf.text %}{% url 'similarity:text' sf.text %}{% else %}{% url 'similarity:campaign' campaign.pk %}{% endif %}" title="与其他材料的最高相似度（阈值 {{ sf.threshold }}%）">查重 {{ sf.percent|floatformat:0 }}%</a>{% endif %}{% endwith %}</td>
    <td><span class="badge badge-state-{{ e.state }}">{{ e.get_state_display }}</span></td>
    <td class="small">{% if l.missing %}<span class="text-danger">{{ l.missing|join:"、" }}</span>{% else %}<span class="text-success">齐全</span>{% endif %}</td>
    <td class="text-end text-nowrap">{% if l.can_return %}
      {% if l.can_pass %}<form method="post" action="{{ l.check_url }}" class="d-inline">{% csrf_token %}<input type="hidden" name="next" value="list"><button class="btn btn-sm btn-success" name="decision" value="pass">通过</button></form>{% endif %}
      <a class="btn btn-sm btn-outline-danger" href="{{ l.url }}">退回…</a>{% endif %}</td>
  </tr>{% endwith %}
  {% empty %}<tr><td colspan="7" class="text-muted">暂无申报。</td></tr>{% endfor %}"""


def tbody(html, testid):
    table = html[html.index(f'data-testid="{testid}"'):]
    return table[table.index("<tbody>\n  ") + len("<tbody>\n  "):table.index("\n  </tbody>")]


@pytest.fixture
def varied(world):
    """Forms in several states, one org without forms, names and a brand name that need escaping."""
    tricky = CollegeFactory(name='<b>"丙"&学院</b>', code="C&1", parent=world.school)
    BranchFactory(parent=tricky)
    at = timezone.make_aware(dt.datetime(2026, 5, 3, 23, 59))
    Form1.objects.create(campaign=world.campaign, organization=world.college_a, state=FormState.SUBMITTED,
                         submitted_at=at, brand_name="匠心&<铸魂>")
    Form2.objects.create(campaign=world.campaign, organization=world.college_a, state=FormState.ACCEPTED,
                         submitted_at=at + dt.timedelta(hours=5))
    Form1.objects.create(campaign=world.campaign, organization=tricky, state=FormState.RETURNED)
    Form2.objects.create(campaign=world.campaign, organization=world.college_b, state=FormState.DRAFT)
    return world


def test_progress_rows_are_the_template_loop_s_html(varied, client_for):
    response = client_for(varied.users.admin).get(reverse("submissions:progress"))
    page = tbody(response.content.decode(), "progress-table")
    lines = []
    for line in response.context["lines"]:  # the reference reads model instances, as the template did
        org = type(varied.college_a).objects.get(pk=line["org"].pk)
        lines.append({"org": org, "form1": Form1.objects.filter(campaign=varied.campaign, organization=org).first(),
                      "form2": Form2.objects.filter(campaign=varied.campaign, organization=org).first(),
                      "rows_ready": line["rows_ready"], "n_branches": line["n_branches"]})
    assert len(lines) == 3 and "&lt;b&gt;&quot;丙&quot;&amp;学院&lt;/b&gt;" in page and "匠心&amp;&lt;铸魂&gt;" in page
    assert "附件1 05-03 23:59<br>附件2 05-04 04:59" in page
    expected = Template(PROGRESS_LOOP).render(Context({"lines": lines, "campaign": varied.campaign}))
    assert page == expected


def test_progress_rows_when_nothing_matches(varied, client_for):
    response = client_for(varied.users.admin).get(reverse("submissions:progress"), {"state": FormState.ACCEPTED,
                                                                                     "type": "organ_committee"})
    page = tbody(response.content.decode(), "progress-table")
    assert page == Template(PROGRESS_LOOP).render(Context({"lines": [], "campaign": varied.campaign}))


def _entry(pk, org, college, track, state, rank=None, title="品牌", complete=False):
    row = {"pk": pk, "campaign_id": 1, "track": track, "rank": rank, "state": state, "title": title,
           "negative_list_declared": complete, "organization_name": org, "college_name": college}
    row.update({f: ("有" if complete else "") for f in ENTRY_REQUIRED})
    row.update({f"{slot}_id": (7 if complete else None) for slot in FILE_SLOTS})
    return CheckedEntry(row)


def test_formal_rows_are_the_template_loop_s_html(world):
    entries = [
        _entry(11, '甲"一"<支部>', "甲&学院", Track.BRANCH, EntryState.SUBMITTED, rank=2, complete=True),
        _entry(12, "乙学院党委", "乙学院党委", Track.BRAND, EntryState.SUBMITTED, title="<i>名称</i>"),
        _entry(13, "丙学院党委", "丙学院党委", Track.BRAND, EntryState.PASSED, complete=True),
        _entry(14, "丁学院党委", "丁学院党委", Track.BRAND, EntryState.DRAFT),
        _entry(15, "戊支部", "戊学院", Track.BRANCH, EntryState.RETURNED, rank=1),
    ]
    lines = []
    for e in entries:
        can_return = e.state in {EntryState.SUBMITTED, EntryState.PASSED}
        can_pass = can_return and e.state == EntryState.SUBMITTED and not entry_missing(e)
        line = {"entry": e, "missing": entry_missing(e), "url": f"/submissions/entries/{e.pk}/",
                "can_return": can_return, "can_pass": can_pass}
        if can_pass:
            line["check_url"] = f"/submissions/entries/{e.pk}/check/"
        lines.append(line)
    flags = {11: {"percent": 87.5, "flagged": True, "threshold": 80, "text": 5},
             12: {"percent": 99.49, "flagged": True, "threshold": 60},
             13: {"percent": 12.0, "flagged": False, "threshold": 60}}
    token = "tok&en"
    got = render.formal_rows(lines, world.campaign, flags, token)
    expected = Template(FORMAL_LOOP).render(Context({"lines": lines, "simflags": flags, "campaign": world.campaign,
                                                     "csrf_token": token}))
    assert got.count('value="pass"') == 1 and got.count("similarity-flag") == 2 and got.count("退回…") == 3
    assert got == expected
    empty = Template(FORMAL_LOOP).render(Context({"lines": [], "simflags": {}, "campaign": world.campaign}))
    assert render.formal_rows([], world.campaign, {}, token) == empty


def test_the_formal_check_page_s_rows_come_from_the_renderer(world, client_for, phase3):
    """The page as served: one entry complete and submitted (the pass form with the page's CSRF token),
    one lacking everything, one recommended branch."""
    from submissions import services
    from submissions.models import Entry

    ready = complete(services.start_brand_entry(world.campaign, world.college_a, by=world.users.college),
                     world.users.college)
    Entry.objects.filter(pk=ready.pk).update(video_id=ready.case_doc_id, state=EntryState.SUBMITTED)
    services.start_brand_entry(world.campaign, world.college_b, by=world.users.college_b)
    services.recommend_branch(world.campaign, world.branch_a1, 1, by=world.users.college)
    response = client_for(world.users.admin).get(reverse("submissions:formal_check", args=[world.campaign.pk]))
    html = response.content.decode()
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    expected = Template(FORMAL_LOOP).render(Context({"lines": response.context["lines"], "simflags": {},
                                                     "campaign": world.campaign, "csrf_token": token}))
    page = tbody(html, "check-table")
    assert page == expected and page.count('value="pass"') == 1 and page.count('data-entry="') == 3
    assert f'name="csrfmiddlewaretoken" value="{token}"' in page


def test_check_buttons_answer_as_the_policy_asked_per_entry(world):
    """policy.check_buttons asks once per (state, complete); every answer is the per-entry answer."""
    now = timezone.now()
    college = give_role(UserFactory(), Role.COLLEGE_SECRETARY, world.college_a)
    entries = [_entry(100 + i, "甲", "甲", track, state, complete=complete)
               for i, (track, state, complete) in enumerate(
                   (t, s, c) for t in Track.values for s in EntryState.values for c in (True, False))]
    for user in (world.users.admin, college, world.users.judge):
        ask = policy.check_buttons(user, now)
        for e in entries + entries:
            expected_return = policy.ENTRY.allows("return", user, e, now)
            assert ask(e, entry_missing(e)) == (expected_return,
                                                expected_return and policy.ENTRY.allows("pass", user, e, now)), e
    ready = next(e for e in entries if e.state == EntryState.SUBMITTED and not entry_missing(e))
    assert policy.check_buttons(world.users.admin, now)(ready, []) == (True, True)  # it can pass


def test_check_buttons_ask_per_entry_once_the_rules_read_more_than_the_state(world, monkeypatch):
    """A time window (or any other condition) on "pass" or "return" turns the shortcut off."""
    from core.policy import Action

    rule = policy.ENTRY["return"]
    closed = Action(rule.label, rule.who, rule.states, window=lambda e, now: "已截止" if e.pk % 2 else None,
                    denied=rule.denied, wrong_state=rule.wrong_state, name="return")
    monkeypatch.setitem(policy.ENTRY.table, "return", closed)
    now = timezone.now()
    ask = policy.check_buttons(world.users.admin, now)
    odd, even = (_entry(pk, "甲", "甲", Track.BRAND, EntryState.SUBMITTED) for pk in (21, 22))
    assert ask(odd, entry_missing(odd))[0] is False and ask(even, entry_missing(even))[0] is True
