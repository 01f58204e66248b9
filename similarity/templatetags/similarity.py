"""What other apps' templates may show of 材料查重, without importing it (submissions and reviews
templates `{% load similarity %}`): the 形式审查 flags of a year, and the notice a judge sees."""

from django import template

from .. import queries

register = template.Library()


@register.simple_tag
def similarity_flags(campaign):
    """{entry pk: {"percent", "flagged", "threshold", "text"}} for one year (two queries)."""
    return queries.entry_flags(campaign.pk)


@register.inclusion_tag("similarity/_judge_notice.html")
def similarity_notice(entry, blind):
    """For the judge's scoring page: a notice when the entry reaches the year's threshold; the other
    material is named only when the track is not blind."""
    flag = queries.entry_flag(entry)
    return {"flag": flag if flag and flag["flagged"] else None, "blind": blind}
