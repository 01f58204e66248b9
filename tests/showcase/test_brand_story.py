"""A brand's story across years (issue 17, part 3): 继续培育/新创品牌, carried-forward 附件2 rows, the 品牌历程
pages and the 组织部 year-over-year view, over three seeded years (2024, 2025 published with awards; 2026 open)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from campaigns.models import SHANGHAI, Deadline, DeadlineKind
from campaigns.services import create_campaign, grant_extension
from core.policy import Refused
from dashboard import years
from reviews.models import Award, JudgingTrack, Stage
from showcase import services as showcase
from showcase import timeline
from submissions import services
from submissions.models import Entry, Form1, Form2, Form2Row, Outcome

from ..factories import BranchFactory, CollegeFactory
from ..submissions.helpers import FORM1_COMPLETE, ROW_COMPLETE

pytestmark = pytest.mark.django_db


def sh(y, m, d, h=12):
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


def _year(campaign, college, brand, *, previous=None, submitted=None, rows=(), outcomes=0, place=None, amount=None):
    """One past year of one college: accepted 附件1 (continuing `previous`), rows, outcomes, a brand entry."""
    data = {**FORM1_COMPLETE, "brand_name": brand, "foundation": f"{campaign.year}年度工作基础", "slogan": f"{brand}口号"}
    f1 = Form1.objects.create(campaign=campaign, organization=college, state="accepted",
                              submitted_at=submitted or sh(campaign.year, 5, 10), **data,
                              **({"previous": previous, "lineage": previous.lineage, "brand_choice": "continue"}
                                 if previous else {"brand_choice": "new"}))
    form2 = Form2.objects.create(campaign=campaign, organization=college, state="accepted",
                                 submitted_at=submitted or sh(campaign.year, 5, 12))
    for branch, state, name in rows:
        Form2Row.objects.create(form=form2, branch=branch, state=state, submitted_at=sh(campaign.year, 5, 1),
                                **{**ROW_COMPLETE, "feature_name": name})
    for i in range(outcomes):
        Outcome.objects.create(campaign=campaign, organization=college, outcome_type="case", title=f"{brand}成果{i}",
                               date=dt.date(campaign.year, 7, 1 + i))
    entry = Entry.objects.create(campaign=campaign, track="brand", organization=college, college=college,
                                 state="passed", title=brand)
    return f1, entry


def _publish(campaign, awards, stage=Stage.PUBLISHED):
    track = JudgingTrack.objects.create(campaign=campaign, track="brand", stage=stage, opens_at=sh(campaign.year, 11, 11),
                                        closes_at=sh(campaign.year, 12, 10), award_amount=Decimal("20000"))
    for entry, place, score in awards:
        Award.objects.create(track=track, entry=entry, place=place, final_score=Decimal(score), amount=track.award_amount)
    return track


@pytest.fixture
def years3(world):
    """甲学院: "匠心" 2024 → 2025 (continued); 乙学院: 2025 only. 2024 results published, 2025 results published."""
    w = world
    w.c2024, w.c2025 = create_campaign(2024), create_campaign(2025)
    w.a2024, e_a2024 = _year(w.c2024, w.college_a, "匠心", rows=[(w.branch_a1, "submitted", "甲一特色24"),
                                                                (w.branch_a2, "submitted", "甲二特色24")], outcomes=2)
    w.a2025, e_a2025 = _year(w.c2025, w.college_a, "匠心", previous=w.a2024, outcomes=3,
                             rows=[(w.branch_a1, "submitted", "甲一特色25"), (w.branch_a2, "skipped", "")])
    w.b2025, e_b2025 = _year(w.c2025, w.college_b, "乙品", submitted=sh(2025, 5, 20), outcomes=1,
                             rows=[(w.branch_b1, "submitted", "乙一特色25")])
    w.track2024 = _publish(w.c2024, [(e_a2024, 2, "91.50")])
    w.track2025 = _publish(w.c2025, [(e_a2025, 1, "94.20"), (e_b2025, 3, "88.00")])
    item = showcase.pick(w.c2025, w.college_a, "brand", by=w.users.admin)
    w.item2025 = showcase.publish(item, by=w.users.admin, award="brand_top10")
    return w


# ---------------------------------------------------------------- 继续培育 / 新创品牌


def test_continue_prefills_form1_and_carries_each_branch_last_row(years3, at):
    w = years3
    at(2026, 4, 20, 12)
    form = services.choose_brand(w.campaign, w.college_a, "continue", by=w.users.college, expected_version=0)
    assert form.brand_choice == "continue" and form.previous == w.a2025 and form.lineage == w.a2024.lineage
    assert form.brand_name == "匠心" and form.foundation == "2025年度工作基础" and form.measures == FORM1_COMPLETE["measures"]
    assert form.secretary_name == w.college_a.secretary_name  # people come fresh from the org record
    rows = {r.branch_id: r for r in Form2Row.objects.filter(form__campaign=w.campaign)}
    # 甲一: its 2025 row; 甲二 skipped 2025, so its last real row is 2024's
    assert rows[w.branch_a1.pk].feature_name == "甲一特色25" and rows[w.branch_a2.pk].feature_name == "甲二特色24"
    assert all(r.carried_forward and r.state == "draft" for r in rows.values())
    assert rows[w.branch_a2.pk].carried_from.form.campaign == w.c2024
    assert not Form2Row.objects.filter(form__campaign=w.campaign, branch__parent=w.college_b).exists()
    assert AuditEntry.objects.filter(note="继续培育：沿用上一年度信息").count() == 2
    assert AuditEntry.objects.filter(object_id=str(form.pk), action="create").exists()


def test_continue_keeps_what_the_org_already_wrote(years3, at):
    w = years3
    at(2026, 4, 20, 12)
    services.save_form1(w.campaign, w.college_a, {"brand_name": "匠心新篇", "goals": "本年度目标"}, by=w.users.college,
                        expected_version=0)
    form = Form1.objects.get(campaign=w.campaign, organization=w.college_a)
    form = services.choose_brand(w.campaign, w.college_a, "continue", by=w.users.college, expected_version=form.version)
    assert (form.brand_name, form.goals, form.foundation) == ("匠心新篇", "本年度目标", "2025年度工作基础")
    assert "工作基础" in services.carried_form1_fields(form, form.previous)
    assert "品牌名称" not in services.carried_form1_fields(form, form.previous)
    entry = AuditEntry.objects.filter(object_id=str(form.pk)).latest("pk")
    assert entry.changes["brand_choice"] == ["", "continue"] and "foundation" in entry.changes


def test_switching_to_new_empties_only_unedited_carried_content(years3, at, client_for):
    w = years3
    at(2026, 4, 20, 12)
    form = services.choose_brand(w.campaign, w.college_a, "continue", by=w.users.college, expected_version=0)
    services.save_form1(w.campaign, w.college_a, {"goals": "改过的目标"}, by=w.users.college, expected_version=form.version)
    row = Form2Row.objects.get(form__campaign=w.campaign, branch=w.branch_a1)
    services.save_row(w.campaign, w.branch_a1, {**ROW_COMPLETE, "feature_name": "甲一新特色"}, by=w.users.branch,
                      expected_version=row.version)
    form.refresh_from_db()
    form = services.choose_brand(w.campaign, w.college_a, "new", by=w.users.college, expected_version=form.version)
    assert form.brand_choice == "new" and form.previous is None and form.lineage != w.a2024.lineage
    assert form.brand_name == "" and form.foundation == "" and form.goals == "改过的目标"
    rows = list(Form2Row.objects.filter(form__campaign=w.campaign))
    assert [(r.branch_id, r.feature_name, r.carried_forward) for r in rows] == [(w.branch_a1.pk, "甲一新特色", False)]
    assert AuditEntry.objects.filter(action="delete", note__startswith="改为新创品牌").count() == 1


def test_carried_mark_stays_on_a_no_op_save_and_goes_on_the_first_real_edit(years3, at, client_for):
    w = years3
    at(2026, 4, 20, 12)
    services.choose_brand(w.campaign, w.college_a, "continue", by=w.users.college, expected_version=0)
    url = reverse("submissions:row", args=[w.campaign.pk, w.branch_a1.pk])
    branch, college = client_for(w.users.branch), client_for(w.users.college)
    assert "沿用上一年度" in branch.get(url).content.decode()
    assert "沿用上一年度" in college.get(reverse("submissions:form2", args=[w.campaign.pk, w.college_a.pk])).content.decode()
    row = Form2Row.objects.get(form__campaign=w.campaign, branch=w.branch_a1)
    same = {k: getattr(row, k) for k in ("feature_name", "feature_intro", "carriers", "expected_results", "phone", "remarks")}
    branch.post(url, {**same, "version": row.version, "action": "save"})
    row.refresh_from_db()
    assert row.carried_forward
    branch.post(url, {**same, "carriers": "今年的新载体", "version": row.version, "action": "save"})
    row.refresh_from_db()
    assert not row.carried_forward and row.carriers == "今年的新载体"
    assert "data-testid=\"carried-row\"" not in branch.get(url).content.decode()
    entry = AuditEntry.objects.filter(object_id=str(row.pk)).latest("pk")
    assert entry.changes["carried_forward"] == [True, False]


def test_a_carried_row_still_needs_the_normal_completeness_to_submit(years3, at):
    w = years3
    at(2026, 4, 20, 12)
    Form2Row.objects.filter(form__campaign=w.c2025, branch=w.branch_a1).update(carriers="")
    services.choose_brand(w.campaign, w.college_a, "continue", by=w.users.college, expected_version=0)
    row = Form2Row.objects.get(form__campaign=w.campaign, branch=w.branch_a1)
    with pytest.raises(Refused, match="主要载体"):
        services.submit_row(row, by=w.users.branch)
    ok = Form2Row.objects.get(form__campaign=w.campaign, branch=w.branch_a2)
    assert services.submit_row(ok, by=w.users.college).state == "submitted"


def test_choice_refusals_are_chinese(years3, at, client_for):
    w = years3
    at(2026, 4, 20, 12)
    Form1.objects.filter(organization=w.college_b).delete()
    with pytest.raises(Refused, match="没有往年已提交的附件1"):
        services.choose_brand(w.campaign, w.college_b, "continue", by=w.users.college_b, expected_version=0)
    with pytest.raises(Refused, match="请选择"):
        services.choose_brand(w.campaign, w.college_a, "maybe", by=w.users.college, expected_version=0)
    Form1.objects.create(campaign=w.campaign, organization=w.college_a, state="submitted", brand_name="匠心")
    response = client_for(w.users.college).post(reverse("submissions:brand_choice", args=[w.campaign.pk, w.college_a.pk]),
                                                 {"choice": "new", "version": 1}, follow=True)
    assert "只能在附件1 为草稿时选择或更改" in response.content.decode()
    assert Form1.objects.get(campaign=w.campaign, organization=w.college_a).brand_choice == ""


def test_the_form1_page_offers_the_choice_and_the_home_todo_asks_for_it(years3, at, client_for):
    w = years3
    at(2026, 4, 20, 12)
    client = client_for(w.users.college)
    page = client.get(reverse("submissions:form1", args=[w.campaign.pk, w.college_a.pk])).content.decode()
    assert 'data-testid="choose-continue"' in page and "2025 年度的品牌为“<strong>匠心</strong>”" in page
    assert "请先在附件1 页面选择本年度品牌方向" in client.get("/").content.decode()
    client.post(reverse("submissions:brand_choice", args=[w.campaign.pk, w.college_a.pk]), {"choice": "continue", "version": 0})
    page = client.get(reverse("submissions:form1", args=[w.campaign.pk, w.college_a.pk])).content.decode()
    assert 'data-testid="carried-notice"' in page and "工作基础" in page
    assert "请先在附件1 页面选择本年度品牌方向" not in client.get("/").content.decode()


# ---------------------------------------------------------------- 品牌历程


def _story_url(w, public=False):
    return reverse("showcase:brand_story" if public else "showcase:brand", args=[w.a2024.lineage])


def test_the_timeline_shows_every_year_of_the_brand(years3, at, client_for):
    w = years3
    at(2026, 4, 20, 12)
    services.choose_brand(w.campaign, w.college_a, "continue", by=w.users.college, expected_version=0)
    story = timeline.brand_story(w.a2024.lineage)
    assert [y.year for y in story.years] == [2024, 2025, 2026]
    assert [len(y.outcomes) for y in story.years] == [2, 3, 0]
    assert [(y.award.place, str(y.award.final_score)) if y.award else None for y in story.years] == \
        [(2, "91.50"), (1, "94.20"), None]
    assert story.funding_total == Decimal("40000") and story.award_count == 2 and story.outcome_count == 5
    assert [[i.pk for i in y.items] for y in story.years] == [[], [w.item2025.pk], []]
    page = client_for(w.users.college).get(_story_url(w)).content.decode()
    assert re.findall(r'data-year="(\d+)"', page) == ["2024", "2025", "2026"]
    assert reverse("submissions:form1", args=[w.c2024.pk, w.college_a.pk]) in page
    assert "第 1 名 · 94.20 分" in page and "20000 元" in page and "匠心成果2" in page


def test_another_orgs_brand_page_is_refused_and_the_public_one_shows_only_published(years3, client_for):
    w = years3
    assert client_for(w.users.college_b).get(_story_url(w)).status_code == 403
    assert client_for(w.users.branch).get(_story_url(w)).status_code == 403
    assert client_for(None).get(_story_url(w)).status_code == 302
    assert client_for(w.users.admin).get(_story_url(w)).status_code == 200
    public = client_for(None).get(_story_url(w, public=True))
    html = public.content.decode()
    assert public.status_code == 200 and re.findall(r'data-year="(\d+)"', html) == ["2025"]  # only the published year
    assert "匠心成果" not in html and "submissions/" not in html  # no internal material
    # results not yet published (公示中) are not shown publicly
    JudgingTrack.objects.filter(pk=w.track2025.pk).update(stage=Stage.PUBLICITY)
    assert "第 1 名" not in client_for(None).get(_story_url(w, public=True)).content.decode()
    showcase.unpublish(w.item2025, by=w.users.admin)
    assert client_for(None).get(_story_url(w, public=True)).status_code == 404
    assert client_for(w.users.admin).get(_story_url(w, public=True)).status_code == 404


# ---------------------------------------------------------------- 历年对比


def test_year_over_year_numbers_come_from_the_data(years3, client_for):
    w = years3
    design = Deadline.objects.get(campaign=w.c2025, kind=DeadlineKind.DESIGN)
    grant_extension(design, w.college_b, sh(2025, 5, 25), "因故延期", by=w.users.admin)  # 乙 late, but extended
    Form1.objects.filter(pk=w.a2025.pk).update(submitted_at=sh(2025, 5, 18))  # 甲's 附件1 late, no extension
    lines, orgs = years.year_over_year()
    by_year = {y.year: y for y in lines}
    assert [y.year for y in lines] == [2024, 2025, 2026]
    y24, y25, y26 = by_year[2024], by_year[2025], by_year[2026]
    assert (y24.colleges, y24.branches, y24.submitted, y24.on_time, y24.on_time_rate) == (1, 2, 2, 2, 100)
    # 2025: 甲 附件1 late, 甲 附件2 on time, 乙 both after the deadline but within the extension; a skipped row is no participation
    assert (y25.colleges, y25.branches, y25.submitted, y25.on_time, y25.on_time_rate) == (2, 2, 4, 3, 75)
    assert (y24.outcomes, y25.outcomes, y25.outcomes_per_org) == (2, 4, 2.0)
    assert (y24.brand_awards, y25.brand_awards, y25.funding) == (1, 2, Decimal("40000"))
    assert (y26.colleges, y26.on_time_rate, y26.outcomes_per_org) == (0, None, None)
    counts = {o.org.pk: o.counts for o in orgs}
    assert counts[w.college_a.pk] == [2, 3, 0] and counts[w.college_b.pk] == [0, 1, 0]
    page = client_for(w.users.admin).get(reverse("dashboard:years")).content.decode()
    assert page.count("<svg class=\"yoy-chart\"") == 4 and "<script" not in page.split("<main", 1)[-1].split("</main>")[0]
    assert re.search(r'<tr data-year="2025">.*?data-col="on_time_rate">75%', page, re.S)
    assert f'href="{reverse("showcase:brand", args=[w.a2024.lineage])}"' in page  # the org's brand story


def _grow(w, n):
    """n more colleges, each with 2 branches and 2 past years (outcomes, rows, awards)."""
    school = w.college_a.parent
    for i in range(n):
        college = CollegeFactory(name=f"扩展学院{i}党委", code=f"X{i}", parent=school)
        b1, b2 = (BranchFactory(name=f"扩展{i}-{k}支部", code=f"X{i}-{k}", parent=college) for k in (1, 2))
        f24, e24 = _year(w.c2024, college, f"品牌{i}", rows=[(b1, "submitted", "特色"), (b2, "submitted", "特色")], outcomes=3)
        f25, e25 = _year(w.c2025, college, f"品牌{i}", previous=f24, rows=[(b1, "submitted", "特色")], outcomes=2)
        Award.objects.create(track=w.track2024, entry=e24, place=10 + i, final_score=Decimal("80"), amount=Decimal("1"))
        Award.objects.create(track=w.track2025, entry=e25, place=10 + i, final_score=Decimal("80"), amount=Decimal("1"))


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_timeline_and_yoy_pages_use_a_constant_number_of_queries(years3, client_for):
    w = years3
    admin = client_for(w.users.admin)
    urls = [_story_url(w), _story_url(w, public=True), reverse("dashboard:years")]
    before = [_queries(admin, u) for u in urls]
    _grow(w, 10)
    for k in range(8):  # 10x the brand's own data too: outcomes of the college and its branches
        Outcome.objects.create(campaign=w.c2025, organization=w.branch_a1 if k % 2 else w.college_a,
                               outcome_type="activity", title=f"活动{k}", date=dt.date(2025, 8, 1 + k))
    create_campaign(2023)
    after = [_queries(admin, u) for u in urls]
    assert after == before, (before, after)


def test_the_migration_gives_an_orgs_same_brand_over_years_one_lineage(years3):
    """Forms from before the choice existed: same org + same brand name → one lineage; others their own."""
    import importlib
    import uuid

    from django.apps import apps

    w = years3
    for f in Form1.objects.all():
        Form1.objects.filter(pk=f.pk).update(lineage=uuid.uuid4())
    unnamed = Form1.objects.create(campaign=w.campaign, organization=w.college_b, brand_name="")
    importlib.import_module("submissions.migrations.0005_brand_lineage").backfill_lineage(apps, None)
    lineage = dict(Form1.objects.values_list("pk", "lineage"))
    assert lineage[w.a2024.pk] == lineage[w.a2025.pk]
    assert len({lineage[w.a2024.pk], lineage[w.b2025.pk], lineage[unnamed.pk]}) == 3


def test_bar_chart_geometry():
    from dashboard.charts import bar_chart

    c = bar_chart(["2024", "2025"], [("甲", [5, 25]), ("乙", [None, 10])], unit="个")
    heights = [b.h for b in c["bars"]]
    assert heights[1] == 0 and heights[2] == c["bottom"] - 16  # None draws nothing; 25 reaches the top (25)
    assert abs(heights[0] * 5 - heights[2]) < 0.5 and [t["text"] for t in c["ticks"]] == ["0", "25"]
    assert c["bars"][1].label == "2024 年度 · 乙：—个"
