"""创建成果概览 covers the whole campaign year: every outcome counted in a total is shown in a month."""

import datetime as dt

import pytest
from django.urls import reverse

from submissions.models import Outcome, OutcomeType
from submissions.queries import campaign_months, outcomes_overview


def _outcome(world, org, day):
    return Outcome.objects.create(campaign=world.campaign, organization=org, outcome_type=OutcomeType.ACTIVITY,
                                  title=f"成果 {day}", date=day)


def test_columns_span_twelve_months_from_the_start_of_phase_one(world):
    months = campaign_months(world.campaign)
    assert months[0] == (2026, 4) and months[-1] == (2027, 3) and len(months) == 12


@pytest.mark.parametrize("day", [dt.date(2026, 1, 15), dt.date(2026, 3, 2), dt.date(2027, 1, 10), dt.date(2027, 6, 30)])
def test_an_outcome_dated_in_any_month_is_shown_in_its_month(world, day):
    _outcome(world, world.branch_a1, day)
    _outcome(world, world.college_a, dt.date(2026, 7, 1))
    months, lines = outcomes_overview(world.campaign)
    line = next(x for x in lines if x["org"] == world.college_a)
    columns = [m["ym"] for m in months]
    assert line["months"][columns.index((day.year, day.month))] == 1
    assert sum(line["months"]) == line["total"] == 2 and line["other"] == 0


def test_a_january_outcome_appears_on_the_overview_page_with_its_year(world, client_for):
    _outcome(world, world.branch_a1, dt.date(2027, 1, 8))
    html = client_for(world.users.admin).get(
        reverse("submissions:outcomes_overview", args=[world.campaign.pk])).content.decode()
    assert "2027年1月" in html and "2026年4月" in html and "其他日期" not in html


def test_a_mistyped_year_is_counted_in_other_dates_not_lost(world, client_for):
    _outcome(world, world.branch_a1, dt.date(2062, 7, 1))  # 2026 typed as 2062
    months, lines = outcomes_overview(world.campaign)
    line = next(x for x in lines if x["org"] == world.college_a)
    assert len(months) <= 36 and line["total"] == 1 and line["other"] == 1 and sum(line["months"]) == 0
    html = client_for(world.users.admin).get(
        reverse("submissions:outcomes_overview", args=[world.campaign.pk])).content.decode()
    assert "其他日期" in html


def test_dashboard_outcome_chart_shows_january_outcomes(world, client_for):
    from dashboard.queries import outcomes_by_month

    _outcome(world, world.branch_a1, dt.date(2026, 1, 20))
    data = outcomes_by_month(world.campaign, {world.college_a.pk})
    totals = dict(zip(data["months"], data["totals"]))
    assert totals["2026年1月"] == 1 and data["outside"] == 0
