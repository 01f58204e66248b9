"""A brand's story across years: every year's 附件1 of one lineage (the 继续培育 chain), with that year's
创建成果, 十佳 result, 建设经费 and showcase items. A constant number of queries, whatever the years.

`public=True` is what campus visitors see: only years with a published showcase item, only results of
published tracks, no internal material (附件1 drafts, outcomes not picked for the showcase)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from reviews.models import Award, Stage
from submissions.models import Entry, Form1, Outcome, Track

from .models import ShowcaseItem


@dataclass
class BrandYear:
    campaign: object
    form1: object
    outcomes: list = field(default_factory=list)
    entry: object = None
    award: object = None
    branch_awards: list = field(default_factory=list)
    items: list = field(default_factory=list)

    @property
    def year(self):
        return self.campaign.year

    @property
    def brand_item(self):
        return next((i for i in self.items if i.kind == "brand"), None)

    @property
    def name(self):
        item = self.brand_item
        return self.form1.brand_name or (item.title if item is not None else "（未命名）")


@dataclass
class BrandStory:
    lineage: object
    organization: object
    years: list

    @property
    def first_year(self):
        return self.years[0].year if self.years else None

    @property
    def current(self):
        return self.years[-1] if self.years else None

    @property
    def funding_total(self):
        return sum((y.award.amount for y in self.years if y.award is not None), Decimal(0))

    @property
    def award_count(self):
        return sum(1 for y in self.years if y.award is not None)

    @property
    def outcome_count(self):
        return sum(len(y.outcomes) for y in self.years)


def brand_story(lineage, *, public=False):
    """The BrandStory of `lineage` (a UUID), or None when there is nothing (for the public: nothing published)."""
    forms = list(Form1.objects.filter(lineage=lineage).select_related("campaign", "organization")
                 .defer("self_assessment").order_by("campaign__year"))
    if not forms:
        return None
    org = forms[-1].organization
    forms = [f for f in forms if f.organization_id == org.pk]
    campaign_ids = [f.campaign_id for f in forms]
    years = {f.campaign_id: BrandYear(campaign=f.campaign, form1=f) for f in forms}

    items = ShowcaseItem.objects.filter(college=org, campaign_id__in=campaign_ids).defer("search_text", "overview")
    if public:
        items = items.filter(is_published=True)
    for item in items.order_by("-kind", "sort_order", "org_name"):
        years[item.campaign_id].items.append(item)
    if public:
        years = {cid: y for cid, y in years.items() if y.brand_item is not None}
        if not years:
            return None
        campaign_ids = list(years)

    awards = (Award.objects.filter(track__campaign_id__in=campaign_ids, entry__college=org)
              .select_related("track", "entry", "entry__organization"))
    if public:
        awards = awards.filter(track__stage=Stage.PUBLISHED)
    for award in awards:
        y = years[award.track.campaign_id]
        if award.entry.track == Track.BRAND and award.entry.organization_id == org.pk:
            y.award = award
        else:
            y.branch_awards.append(award)
    if not public:
        for entry in Entry.objects.filter(campaign_id__in=campaign_ids, track=Track.BRAND, organization=org):
            years[entry.campaign_id].entry = entry
        outcomes = (Outcome.objects.filter(campaign_id__in=campaign_ids)
                    .filter(Q(organization=org) | Q(organization__parent=org))
                    .select_related("organization").defer("description").order_by("date", "pk"))
        for outcome in outcomes:
            years[outcome.campaign_id].outcomes.append(outcome)
    return BrandStory(lineage=lineage, organization=org, years=sorted(years.values(), key=lambda y: y.year))


def brand_lineages(org):
    """[(lineage, first year, last year, latest brand name)] of an org, newest first (its brands over time)."""
    seen = {}
    for lineage, year, name in (Form1.objects.filter(organization=org).order_by("campaign__year")
                                .values_list("lineage", "campaign__year", "brand_name")):
        first = seen.get(lineage, (year,))[0]
        seen[lineage] = (first, year, name or "（未命名）")
    return sorted(((k, *v) for k, v in seen.items()), key=lambda t: -t[2])
