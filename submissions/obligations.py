"""What each role still owes for phase 1, registered in the campaigns obligations registry."""

from django.urls import reverse

from campaigns import obligations
from campaigns.models import DeadlineKind
from campaigns.queries import deadline, effective_due
from organizations.models import Role

from .models import Form1, Form2, Form2Row, FormState, RowState

DONE_STATES = {FormState.SUBMITTED, FormState.ACCEPTED}


def _state(obj):
    return (obj.get_state_display(), obj.state) if obj else ("未开始", "not_started")


@obligations.register
def phase1_obligations(campaign, user, assignment):
    d = deadline(campaign, DeadlineKind.DESIGN)
    org = assignment.organization
    if assignment.role == Role.COLLEGE_SECRETARY and org is not None:
        due = effective_due(d, org)
        f1 = Form1.objects.filter(campaign=campaign, organization=org).first()
        f2 = Form2.objects.filter(campaign=campaign, organization=org).first()
        items = []
        for key, obj, label, url_name in (
            ("form1", f1, "填写并提交“一院一品牌”申报表（附件1）", "submissions:form1"),
            ("form2", f2, "审核本单位各支部信息并提交“一支部一特色”汇总表（附件2）", "submissions:form2"),
        ):
            label_state, code = _state(obj)
            items.append(obligations.Obligation(
                key=key, label=label, organization=org, due_at=due, deadline_kind=DeadlineKind.DESIGN,
                url=reverse(url_name, args=[campaign.pk, org.pk]), done=bool(obj and obj.state in DONE_STATES),
                state=label_state, comment=obj.review_comment if obj and obj.state == FormState.RETURNED else "",
                extra={"state_code": code},
            ))
        return items
    if assignment.role == Role.BRANCH_SECRETARY and org is not None:
        row = Form2Row.objects.filter(form__campaign=campaign, branch=org).select_related("form").first()
        done = bool(row and (row.state in {RowState.SUBMITTED, RowState.SKIPPED} or row.form.state in DONE_STATES))
        label_state, code = _state(row)
        return [obligations.Obligation(
            key="form2_row", label="填写本支部“一支部一特色”信息", organization=org, due_at=effective_due(d, org),
            deadline_kind=DeadlineKind.DESIGN, url=reverse("submissions:row", args=[campaign.pk, org.pk]), done=done,
            state=label_state, comment=row.college_comment if row and row.state == RowState.RETURNED else "",
            comment_by=f"院级党组织（{org.parent.name}）" if org.parent_id else "院级党组织",
            extra={"state_code": code},
        )]
    if assignment.role == Role.ADMIN:
        from .queries import pending_review_counts

        counts = pending_review_counts(campaign)
        url = reverse("submissions:progress")
        return [
            obligations.Obligation(key=f"review_{k}", label=f"审核已提交的{name}（待审核 {n} 份）", url=url, done=n == 0,
                                   deadline_kind=DeadlineKind.DESIGN)
            for k, name in (("form1", "附件1"), ("form2", "附件2")) for n in [counts[k]]
        ]
    return []


@obligations.register
def phase3_obligations(campaign, user, assignment):
    """附件3 + 总结报告 + "三个一" by the review deadline (shown from phase 2 on)."""
    from django.utils import timezone

    from .models import Entry, EntryState, Track
    from .completeness import entry_missing

    if timezone.localdate() < campaign.build_start:
        return []
    d = deadline(campaign, DeadlineKind.REVIEW)
    org = assignment.organization
    done_states = {EntryState.SUBMITTED, EntryState.PASSED}
    if assignment.role == Role.COLLEGE_SECRETARY and org is not None:
        entries = list(Entry.objects.filter(campaign=campaign, college=org).select_related("organization"))
        brand = next((e for e in entries if e.track == Track.BRAND), None)
        branch_entries = [e for e in entries if e.track == Track.BRANCH]
        due = effective_due(d, org)
        items = [obligations.Obligation(
            key="entry_brand", label="提交“十佳党建品牌”申报（附件3、创建总结报告、“三个一”成果）", organization=org,
            due_at=due, deadline_kind=DeadlineKind.REVIEW, url=reverse("submissions:entries", args=[campaign.pk, org.pk]),
            done=bool(brand and brand.state in done_states), state=brand.get_state_display() if brand else "未开始",
            comment=brand.check_comment if brand and brand.state == EntryState.RETURNED else "",
            extra={"state_code": brand.state if brand else "not_started",
                   "missing": entry_missing(brand) if brand else ["附件3"]},
        ), obligations.Obligation(
            key="entry_recommend", label="推荐 1–2 个支部参加“十佳特色支部”评比并提交其申报", organization=org,
            due_at=due, deadline_kind=DeadlineKind.REVIEW, url=reverse("submissions:entries", args=[campaign.pk, org.pk]),
            done=bool(branch_entries) and all(e.state in done_states for e in branch_entries),
            state=f"已推荐 {len(branch_entries)} 个" if branch_entries else "未推荐",
            extra={"state_code": "submitted" if branch_entries else "not_started",
                   "missing": [m for e in branch_entries for m in entry_missing(e)]},
        )]
        return items
    if assignment.role == Role.BRANCH_SECRETARY and org is not None:
        entry = Entry.objects.filter(campaign=campaign, track=Track.BRANCH, organization=org).first()
        if entry is None:
            return []
        return [obligations.Obligation(
            key="entry_branch", label="填写“十佳特色支部”申报（附件3、“三个一”成果）", organization=org,
            due_at=effective_due(d, org), deadline_kind=DeadlineKind.REVIEW,
            url=reverse("submissions:entry", args=[entry.pk]), done=entry.state in done_states,
            state=entry.get_state_display(), comment=entry.check_comment if entry.state == EntryState.RETURNED else "",
            extra={"state_code": entry.state, "missing": entry_missing(entry)},
        )]
    if assignment.role == Role.ADMIN:
        n = Entry.objects.filter(campaign=campaign, state=EntryState.SUBMITTED).count()
        return [obligations.Obligation(key="formal_check", label=f"“十佳”申报形式审查（待审查 {n} 份）",
                                       url=reverse("submissions:formal_check", args=[campaign.pk]), done=n == 0,
                                       deadline_kind=DeadlineKind.REVIEW)]
    return []
