"""组织部's year-over-year view: participation, on-time submission, outcomes per org and 十佳 awards, per campaign.

Everything is aggregated in the database: a constant number of queries whatever the years and orgs.

- participation: 院级党组织 whose 附件1 was submitted that year; 党支部 whose 特色 row was reported to its
  院级 org (skipped rows do not count);
- on-time rate: of the 附件1 and 附件2 submitted, the share submitted by the org's (extended) 设计阶段 deadline
  (the last submission counts: a form returned and submitted again after the deadline is late);
- outcomes per org: 创建成果 of 院级 orgs and their branches, divided by the participating 院级 orgs;
- awards: published 十佳 results per track, and the 建设经费 granted with them."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from campaigns.models import Campaign, Deadline, DeadlineExtension, DeadlineKind
from organizations.models import Level, Organization
from reviews.models import Award
from submissions.models import Form1, Form2, Form2Row, Outcome, RowState, Track

MAX_YEARS = 10


@dataclass
class YearLine:
    campaign: object
    colleges: int = 0
    branches: int = 0
    submitted: int = 0
    on_time: int = 0
    outcomes: int = 0
    brand_awards: int = 0
    branch_awards: int = 0
    funding: Decimal = Decimal(0)

    @property
    def year(self):
        return self.campaign.year

    @property
    def on_time_rate(self):
        """Percent (int), or None when nothing was submitted."""
        return round(100 * self.on_time / self.submitted) if self.submitted else None

    @property
    def outcomes_per_org(self):
        return round(self.outcomes / self.colleges, 1) if self.colleges else None

    @property
    def awards(self):
        return self.brand_awards + self.branch_awards


@dataclass
class OrgLine:
    org: object
    counts: list = field(default_factory=list)  # outcomes per year, aligned with the years
    lineage: object = None  # the org's latest brand (its 品牌历程 page)

    @property
    def total(self):
        return sum(self.counts)


def _due(form_model):
    """The org's design deadline for a form row: its extension if any, else the campaign's."""
    ext = DeadlineExtension.objects.filter(deadline__campaign=OuterRef("campaign"), deadline__kind=DeadlineKind.DESIGN,
                                           organization=OuterRef("organization")).values("due_at")[:1]
    base = Deadline.objects.filter(campaign=OuterRef("campaign"), kind=DeadlineKind.DESIGN).values("due_at")[:1]
    return form_model.objects.annotate(due=Coalesce(Subquery(ext), Subquery(base)))


def year_over_year(limit=MAX_YEARS):
    """(years: [YearLine] oldest first, orgs: [OrgLine]) for the latest `limit` campaigns."""
    campaigns = list(Campaign.objects.order_by("-year")[:limit])[::-1]
    lines = {c.pk: YearLine(campaign=c) for c in campaigns}
    ids = list(lines)
    if not ids:
        return [], []
    for model in (Form1, Form2):
        rows = (_due(model).filter(campaign_id__in=ids, submitted_at__isnull=False).values("campaign_id")
                .annotate(n=Count("id"), on_time=Count("id", filter=Q(submitted_at__lte=F("due")))))
        for r in rows:
            line = lines[r["campaign_id"]]
            line.submitted += r["n"]
            line.on_time += r["on_time"]
            if model is Form1:
                line.colleges = r["n"]
    reported = (Q(state=RowState.SUBMITTED) | Q(submitted_at__isnull=False)) & ~Q(state=RowState.SKIPPED)
    for r in (Form2Row.objects.filter(form__campaign_id__in=ids).filter(reported).values("form__campaign_id")
              .annotate(n=Count("branch_id", distinct=True))):
        lines[r["form__campaign_id"]].branches = r["n"]
    for r in (Award.objects.filter(track__campaign_id__in=ids).values("track__campaign_id", "track__track")
              .annotate(n=Count("id"), amount=Sum("amount"))):
        line = lines[r["track__campaign_id"]]
        if r["track__track"] == Track.BRAND:
            line.brand_awards = r["n"]
        else:
            line.branch_awards = r["n"]
        line.funding += r["amount"] or 0
    colleges = list(Organization.objects.filter(level=Level.COLLEGE).order_by("-is_active", "sort_order", "code")
                    .only("pk", "name", "is_active", "sort_order", "code"))
    by_college = {c.pk: {} for c in colleges}
    for r in (Outcome.objects.filter(campaign_id__in=ids, organization__level__in=[Level.COLLEGE, Level.BRANCH])
              .values("campaign_id", "organization_id", "organization__parent_id", "organization__level")
              .annotate(n=Count("id"))):
        college_id = r["organization_id"] if r["organization__level"] == Level.COLLEGE else r["organization__parent_id"]
        lines[r["campaign_id"]].outcomes += r["n"]
        if college_id in by_college:
            per_year = by_college[college_id]
            per_year[r["campaign_id"]] = per_year.get(r["campaign_id"], 0) + r["n"]
    latest = dict(Form1.objects.filter(campaign_id__in=ids).order_by("campaign__year").values_list("organization_id", "lineage"))
    orgs = [OrgLine(org=c, counts=[by_college[c.pk].get(cid, 0) for cid in ids], lineage=latest.get(c.pk))
            for c in colleges if c.is_active or by_college[c.pk]]
    return [lines[cid] for cid in ids], orgs
