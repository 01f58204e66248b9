"""What each role still owes, registered in the campaigns obligations registry.

Built from `submissions.status` (the one completeness read), like the dashboard, the progress table
and the status export."""

from django.urls import reverse
from django.utils import timezone

from campaigns import obligations
from campaigns.models import DeadlineKind
from organizations.models import Role

from . import status
from .models import Entry, EntryState, FormState


def _item(key, label, item, url, kind, comment_by=None, **extra):
    """An Obligation from a status Item (submissions.status: the one completeness read)."""
    return obligations.Obligation(
        key=key, label=label, organization=item.org, due_at=item.due, deadline_kind=kind, url=url, done=item.done,
        state=item.label, comment=item.comment, extra={"state_code": item.code, **extra},
        **({"comment_by": comment_by} if comment_by else {}),
    )


@obligations.register
def org_obligations(campaign, user, assignment):
    """A 院级 or branch secretary's items (附件1/附件2/本支部行, then from phase 2 on the 十佳 entries)."""
    org = assignment.organization
    if org is None or assignment.role not in (Role.COLLEGE_SECRETARY, Role.BRANCH_SECRETARY):
        return []
    show_entries = timezone.localdate() >= campaign.build_start
    design, review = DeadlineKind.DESIGN, DeadlineKind.REVIEW
    if assignment.role == Role.COLLEGE_SECRETARY:
        st = status.college_status(campaign, org)
        args = [campaign.pk, org.pk]
        form1 = st.form1
        hint = {}
        if form1 is None or (form1.state == FormState.DRAFT and not form1.brand_choice):
            hint["hint"] = "请先在附件1 页面选择本年度品牌方向：继续培育（上一年度品牌）或新创品牌。"
        items = [
            _item("form1", "填写并提交“一院一品牌”申报表（附件1）", st.items["form1"],
                  reverse("submissions:form1", args=args), design, **hint),
            _item("form2", "审核本单位各支部信息并提交“一支部一特色”汇总表（附件2）", st.items["form2"],
                  reverse("submissions:form2", args=args), design),
        ]
        if show_entries:
            entries_url = reverse("submissions:entries", args=args)
            brand, recommend = st.items["brand"], st.items["recommend"]
            items += [
                _item("entry_brand", "提交“十佳党建品牌”申报（附件3、创建总结报告、“三个一”成果）", brand, entries_url,
                      review, missing=brand.missing),
                _item("entry_recommend", "推荐 1–2 个支部参加“十佳特色支部”评比并提交其申报", recommend, entries_url,
                      review, missing=recommend.missing),
            ]
        return items
    row, entry = status.branch_status(campaign, org)
    if row is None:
        return []
    items = [_item("form2_row", "填写本支部“一支部一特色”信息", row,
                   reverse("submissions:row", args=[campaign.pk, org.pk]), design,
                   comment_by=f"院级党组织（{org.parent.name}）" if org.parent_id else "院级党组织")]
    if show_entries and entry is not None:
        items.append(_item("entry_branch", "填写“十佳特色支部”申报（附件3、“三个一”成果）", entry,
                           reverse("submissions:entry", args=[entry.obj.pk]), review, missing=entry.missing))
    return items


@obligations.register
def review_obligations(campaign, user, assignment):
    """组织部: what awaits its review (附件1/附件2 审核, then the 十佳 形式审查)."""
    if assignment.role != Role.ADMIN:
        return []
    from .queries import pending_review_counts

    counts = pending_review_counts(campaign)
    url = reverse("submissions:progress")
    items = [
        obligations.Obligation(key=f"review_{k}", label=f"审核已提交的{name}（待审核 {n} 份）", url=url, done=n == 0,
                               deadline_kind=DeadlineKind.DESIGN)
        for k, name in (("form1", "附件1"), ("form2", "附件2")) for n in [counts[k]]
    ]
    if timezone.localdate() >= campaign.build_start:
        n = Entry.objects.filter(campaign=campaign, state=EntryState.SUBMITTED).count()
        items.append(obligations.Obligation(
            key="formal_check", label=f"“十佳”申报形式审查（待审查 {n} 份）",
            url=reverse("submissions:formal_check", args=[campaign.pk]), done=n == 0, deadline_kind=DeadlineKind.REVIEW))
    return items
