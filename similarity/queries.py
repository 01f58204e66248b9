"""Reads of 材料查重: constant query counts per page."""

from django.db.models import Count, Max, OuterRef, Subquery

from core.sql import PreparedQuery

from .models import CampaignSetting, Match, Run, Text


def threshold_of(campaign_id):
    value = CampaignSetting.objects.filter(campaign_id=campaign_id).values_list("threshold", flat=True).first()
    return value if value is not None else CampaignSetting._meta.get_field("threshold").default


def campaign_texts(campaign, kind=None, flagged_only=False, threshold=None):
    """Every text of a year with its highest similarity and number of similar others, most similar first."""
    qs = (Text.objects.filter(campaign=campaign).select_related("organization", "entry")
          .annotate(top=Max("matches__percent"), similar=Count("matches"))
          .defer("body", "signatures").order_by("-top", "label"))
    if kind:
        qs = qs.filter(kind=kind)
    if flagged_only and threshold is not None:
        qs = qs.filter(top__gte=threshold)
    return qs


def last_run(campaign):
    return Run.objects.filter(campaign=campaign).select_related("requested_by").first()


def submission_texts(text):
    """A text and, for an 附件3, the other texts of the same entry (its documents)."""
    if text.entry_id:
        return list(Text.objects.filter(entry_id=text.entry_id).select_related("organization").defer("signatures")
                    .order_by("kind", "label"))
    return [text]


def matches_of(texts, limit=20):
    """{text pk: its `limit` most similar others}. One query per text (a submission has few texts)."""
    out = {}
    for t in texts:
        out[t.pk] = list(Match.objects.filter(text=t).select_related("other", "other__organization")
                         .defer("other__body", "other__signatures").order_by("-percent")[:limit])
    return out


def entry_flags(campaign_id):
    """{entry pk: {"percent", "flagged", "text"}} for the 形式审查 list: two queries for any number of entries."""
    threshold = threshold_of(campaign_id)
    rows = (Match.objects.filter(text__campaign_id=campaign_id, text__entry__isnull=False)
            .values("text__entry_id").annotate(top=Max("percent")))
    flags = {r["text__entry_id"]: {"percent": r["top"], "flagged": r["top"] >= threshold, "threshold": threshold}
             for r in rows}
    mains = Text.objects.filter(campaign_id=campaign_id, kind="entry", entry_id__in=list(flags)).values_list("entry_id", "pk")
    for entry_id, pk in mains:
        flags[entry_id]["text"] = pk
    return flags


def entry_flag(entry):
    """What a judge may be told about one entry: its highest similarity, the year's threshold and the most similar
    other material (its label and year). One query of a few columns (the scoring page asks it on every view)."""
    rows = _TOP_MATCH.rows(entry=entry.pk)
    if not rows:
        return None
    percent, label, year, threshold = rows[0]
    if threshold is None:
        threshold = CampaignSetting._meta.get_field("threshold").default
    return {"percent": percent, "threshold": threshold, "flagged": percent >= threshold,
            "other": {"label": label, "year": year}}


def _top_match(entry):
    setting = CampaignSetting.objects.filter(campaign_id=OuterRef("text__campaign_id")).values("threshold")[:1]
    return (Match.objects.filter(text__entry_id=entry).order_by("-percent", "pk")
            .annotate(threshold=Subquery(setting)).values_list("percent", "other__label", "other__year", "threshold")[:1])


# the entry's most similar material with the year's threshold: compiled once (core.sql)
_TOP_MATCH = PreparedQuery(_top_match, "entry")
