"""The progress table builds its rows in Python (submissions.render): the HTML must be exactly what the
template's loop printed. Each test renders the original loop (kept here) with the
template engine and compares it with the page / the renderer, byte for byte."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from submissions.models import Form1, Form2, FormState

from ..factories import BranchFactory, CollegeFactory

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
