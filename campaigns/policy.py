"""The campaign's time windows, as policy checks: `(obj, now) -> Chinese reason or None`.

A window opens on a phase's start date and closes at a deadline, extended per org (a college's
extension covers its branches). An object that 组织部 has returned may be corrected after the
deadline: the return is itself an explicit decision for that org. Every app's policy table uses
these, so a save, a submit, an upload and a secondary action (退回, 推荐, 撤回...) obey one window."""

from django.utils import timezone

from .models import DeadlineKind
from .queries import deadline as get_deadline
from .queries import effective_due

PHASE_OPENS = {
    DeadlineKind.DESIGN: ("design_start", "特色品牌设计"),
    DeadlineKind.REVIEW: ("build_start", "特色品牌创建"),
}


def due(campaign, kind, org):
    """The org's (extended) due time for this deadline, or None when none is set."""
    return effective_due(get_deadline(campaign, kind), org)


def window_reason(campaign, kind, org, now=None, *, returned=False):
    """Why writes for `kind` are closed for `org` now, or None when open."""
    now = now or timezone.now()
    start_field, label = PHASE_OPENS[kind]
    opens_on = getattr(campaign, start_field)
    if timezone.localtime(now).date() < opens_on:
        return f"{label}阶段将于 {opens_on:%Y年%m月%d日} 开始，届时方可填报。"
    if returned:
        return None
    deadline_at = due(campaign, kind, org)
    if deadline_at and now > deadline_at:
        return (f"已超过截止时间（{timezone.localtime(deadline_at):%Y年%m月%d日 %H:%M}），无法再修改或提交。"
                "如需补交，请联系党委组织部申请延期。")
    return None


def window(kind, *, campaign_of, org_of, returned_if=None):
    """A policy `window` for objects: `campaign_of(obj)`, `org_of(obj)`; `returned_if(obj)` → the
    object was returned by 组织部 (then the deadline does not apply)."""

    def check(obj, now):
        returned = bool(returned_if(obj)) if returned_if is not None else False
        return window_reason(campaign_of(obj), kind, org_of(obj), now, returned=returned)

    return check
