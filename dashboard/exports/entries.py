"""十佳 entries with the result of the formal check."""

from django.db.models import Case, When
from django.utils import timezone

from submissions.models import Entry, EntryState, Track
from submissions.completeness import entry_missing

from .. import queries
from .common import Col, Writer, heading, yes_no

ENTRY_COLUMNS = [
    Col("序号", 6), Col("申报类别", 12), Col("推荐排序", 8), Col("申报党组织", 24, "wrap"), Col("申报单位（院级）", 22, "wrap"),
    Col("品牌/支部特色名称", 22, "wrap"), Col("负责人", 10), Col("党员数", 8), Col("创建起始时间", 12, "date"),
    Col("负面清单声明", 10), Col("\"三个一\"", 10), Col("缺少的材料", 30, "wrap"), Col("状态", 16),
    Col("提交时间", 17, "datetime"), Col("形式审查结果", 12), Col("形式审查意见", 40, "wrap"), Col("审查时间", 17, "datetime"),
]
CHECK_RESULT = {EntryState.PASSED: "通过", EntryState.RETURNED: "退回修改", EntryState.SUBMITTED: "待审查",
                EntryState.DRAFT: "未提交"}
ENTRY_STATES = {s for s, _ in EntryState.choices}


def _entries(filters):
    ids = list(queries.colleges(filters.org_type).values_list("pk", flat=True))
    qs = (Entry.objects.filter(campaign=filters.campaign, college_id__in=ids)
          .select_related("organization", "college").defer("honours")
          .order_by(Case(When(track=Track.BRAND, then=0), default=1), "college__sort_order", "college__code", "rank"))
    if filters.state in ENTRY_STATES:
        qs = qs.filter(state=filters.state)
    elif filters.state == "not_started":
        qs = qs.none()
    return qs


def entries_count(filters):
    return _entries(filters).count()


def entries_workbook(filters, now=None, progress=None):
    now = now or timezone.now()

    def rows():
        for i, e in enumerate(_entries(filters), 1):
            lacking = queries.three_missing(e)
            missing = entry_missing(e)
            yield [
                i, e.get_track_display(), e.rank or "", e.organization.name, e.college.name, e.title, e.leader,
                e.members, e.started_on, yes_no(e.negative_list_declared), f"{3 - len(lacking)}/3",
                "、".join(missing), e.get_state_display(), e.submitted_at, CHECK_RESULT.get(e.state, ""),
                e.check_comment, e.checked_at,
            ]

    w = Writer(progress)
    w.sheet("十佳申报", heading(filters, "\"十佳\"申报及形式审查结果", now), ENTRY_COLUMNS, rows())
    return w.save()
