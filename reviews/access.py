"""A judge may open the files of an entry assigned to them (and not conflicted)."""

from django.db.models import Q

from organizations import roles
from organizations.models import Role

from . import policy
from .models import Assignment, Stage


def judge_may_view(user, attachment):
    if not getattr(user, "is_authenticated", False) or not roles.has_role(user, Role.JUDGE):
        return False
    uses = (Q(entry__experience_doc=attachment) | Q(entry__case_doc=attachment) | Q(entry__video=attachment)
            | Q(entry__summary_report=attachment) | Q(entry__evidence=attachment))
    for a in Assignment.objects.filter(uses, judge=user).select_related("track", "entry", "entry__organization").distinct():
        if a.track.stage == Stage.SETUP:  # materials open to judges when scoring opens
            continue
        if policy.judge_without_conflict(user, a):
            return True
    return False
