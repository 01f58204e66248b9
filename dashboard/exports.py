"""组织部's spreadsheets (openpyxl, write-only mode).

Every sheet: row 1 a title (campaign year, what, filters, export time in Asia/Shanghai), row 2 the Chinese
headers (frozen, auto-filter), data from row 3; long text wrapped; dates as real Excel dates in Shanghai
time. No merged cells, no formulas. Each kind declares a cheap row count so the view can decide between
an immediate download and a background ExportJob (settings.EXPORT_ASYNC_ROW_THRESHOLD).
"""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Callable

from django.db.models import Case, Q, When
from django.utils import timezone
from core.xlsx import StreamingWorkbook

from campaigns.models import DeadlineKind
from campaigns.queries import deadlines_by_kind, effective_due, extension_map
from organizations.models import Level, Organization, OrgType
from submissions.models import Entry, EntryState, Form1, Form2Row, RowState, Track
from submissions.completeness import entry_missing

from . import queries

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class Col:
    header: str
    width: float = 12
    kind: str = ""  # "" plain, "wrap" long text, "datetime", "date"


def local_naive(value):
    """An aware datetime as Shanghai wall-clock time (Excel has no time zones)."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


def export_time_text(now=None):
    return timezone.localtime(now or timezone.now()).strftime("%Y-%m-%d %H:%M")


def yes_no(value):
    return "是" if value else "否"


class Writer:
    """Streams sheets into an .xlsx (core.xlsx); counts rows written and reports progress every few hundred."""

    def __init__(self, progress=None):
        self.wb = StreamingWorkbook()
        self.rows = 0
        self.progress = progress

    def _tick(self):
        self.rows += 1
        if self.progress and self.rows % PROGRESS_EVERY == 0:
            self.progress(self.rows)

    def sheet(self, title, heading, columns, rows):
        kinds = [col.kind for col in columns]
        dated = [i for i, k in enumerate(kinds) if k in {"datetime", "date"}]

        def converted():
            for values in rows:
                if dated:
                    values = list(values)
                    for i in dated:
                        v = values[i] if i < len(values) else None
                        if isinstance(v, dt.datetime) and timezone.is_aware(v):
                            values[i] = local_naive(v)
                yield values

        return self.wb.add_sheet(title, heading, [(c.header, c.width, c.kind) for c in columns], converted(),
                                 on_row=self._tick)

    def save(self):
        if self.progress:
            self.progress(self.rows)  # the final count, so a job shows what was really written
        return self.wb.to_bytes()


def heading(filters, what, now):
    return (f"{filters.campaign.year} 年度 · {what} · 筛选：{filters.describe()} · "
            f"导出时间：{export_time_text(now)}（北京时间）")


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_names(orgs, reserved=("汇总",)):
    """A unique, valid (<= 31 chars, no []:*?/\\) sheet title per org."""
    used, names = set(reserved), {}
    for org in orgs:
        base = _BAD_SHEET_CHARS.sub("", org.short_name or org.name)[:28] or org.code[:28]
        name, i = base, 2
        while name in used:
            suffix = f"-{i}"
            name, i = base[: 31 - len(suffix)] + suffix, i + 1
        used.add(name)
        names[org.pk] = name
    return names


# ====================================================================== (a) 附件2 汇总表

FORM2_COLUMNS = [
    Col("序号", 6), Col("党支部名称", 26, "wrap"), Col("支部类型", 14), Col("书记姓名", 10), Col("是否\"双带头人\"", 10),
    Col("党员数（正式）", 9), Col("党员数（预备）", 9), Col("特色名称", 20, "wrap"), Col("特色简介", 50, "wrap"),
    Col("主要载体/举措", 40, "wrap"), Col("预期成果", 36, "wrap"), Col("联系电话", 14), Col("备注", 20, "wrap"),
    Col("支部填报状态", 12), Col("报送时间", 17, "datetime"),
]
COMBINED_COLUMNS = [FORM2_COLUMNS[0], Col("院(处)级党组织", 22, "wrap"), Col("附件2状态", 10)] + FORM2_COLUMNS[1:]


def _form2_data(filters):
    lines = queries.college_lines(filters)
    ids = [line.org.pk for line in lines]
    rows = {r.branch_id: r for r in Form2Row.objects.filter(
        form__campaign=filters.campaign, form__organization_id__in=ids).defer("self_assessment")}
    branches = list(
        Organization.objects.filter(level=Level.BRANCH, parent_id__in=ids)
        .filter(Q(is_active=True) | Q(pk__in=list(rows)))
        .order_by("sort_order", "code")
    )
    by_college = {}
    for b in branches:
        by_college.setdefault(b.parent_id, []).append(b)
    return lines, by_college, rows


def _row_values(b, r):
    return [
        b.name, OrgType(b.org_type).label, b.secretary_name, yes_no(b.dual_leader), b.members_full,
        b.members_probationary, r.feature_name if r else "", r.feature_intro if r else "",
        r.carriers if r else "", r.expected_results if r else "", (r.phone if r else "") or b.secretary_phone,
        (r.remarks or r.skip_reason) if r else "", r.get_state_display() if r else queries.NOT_STARTED_LABEL,
        r.submitted_at if r else None,
    ]


def form2_count(filters):
    ids = list(queries.colleges(filters.org_type).values_list("pk", flat=True))
    return 2 * Organization.objects.filter(level=Level.BRANCH, is_active=True, parent_id__in=ids).count()


def form2_workbook(filters, now=None, progress=None):
    now = now or timezone.now()
    lines, by_college, rows = _form2_data(filters)
    w = Writer(progress)

    def combined():
        i = 0
        for line in lines:
            state = line.form2.get_state_display() if line.form2 else queries.NOT_STARTED_LABEL
            for b in by_college.get(line.org.pk, []):
                i += 1
                yield [i, line.org.name, state] + _row_values(b, rows.get(b.pk))

    w.sheet("汇总", heading(filters, "附件2 \"一支部一特色\"汇总表（全校）", now), COMBINED_COLUMNS, combined())
    names = sheet_names([line.org for line in lines])
    for line in lines:
        f2 = line.form2
        state = f"附件2 {f2.get_state_display()}" if f2 else f"附件2 {queries.NOT_STARTED_LABEL}"
        filler = f" · 填报人：{f2.filler_name}" if f2 and f2.filler_name else ""
        title = (f"{filters.campaign.year} 年度 · 附件2 \"一支部一特色\"汇总表 · 填报单位：{line.org.name}"
                 f"{filler} · {state} · 导出时间：{export_time_text(now)}（北京时间）")
        branch_rows = ([i] + _row_values(b, rows.get(b.pk)) for i, b in enumerate(by_college.get(line.org.pk, []), 1))
        w.sheet(names[line.org.pk], title, FORM2_COLUMNS, branch_rows)
    return w.save()


# ====================================================================== (b) submission status

STATUS_COLUMNS = [
    Col("序号", 6), Col("院(处)级党组织", 22, "wrap"), Col("院级类型", 12), Col("党组织", 24, "wrap"), Col("层级", 8),
    Col("事项", 26, "wrap"), Col("状态", 14), Col("提交时间", 17, "datetime"), Col("截止时间（含延期）", 17, "datetime"),
    Col("是否逾期", 8), Col("说明", 40, "wrap"),
]
ROW_DONE = {RowState.SUBMITTED, RowState.SKIPPED}


def status_count(filters):
    ids = list(queries.colleges(filters.org_type).values_list("pk", flat=True))
    branches = Organization.objects.filter(level=Level.BRANCH, is_active=True, parent_id__in=ids).count()
    entries = Entry.objects.filter(campaign=filters.campaign, track=Track.BRANCH, college_id__in=ids).count()
    return len(ids) * len(queries.ITEMS) + branches + entries


def status_rows(filters, now=None):
    """(state code, overdue, values) per org × required item; the state filter applies per row."""
    now = now or timezone.now()
    campaign = filters.campaign
    lines = queries.college_lines(queries.Filters(campaign, filters.org_type, ""), now=now)
    ids = [line.org.pk for line in lines]
    design = deadlines_by_kind(campaign).get(DeadlineKind.DESIGN)
    review = deadlines_by_kind(campaign).get(DeadlineKind.REVIEW)
    extensions = extension_map(campaign.pk)
    rows = {r.branch_id: r for r in Form2Row.objects.filter(form__campaign=campaign, form__organization_id__in=ids)
            .only("branch_id", "state", "submitted_at", "college_comment")}
    branches = {}
    for b in Organization.objects.filter(level=Level.BRANCH, is_active=True, parent_id__in=ids).order_by(
            "sort_order", "code"):
        branches.setdefault(b.parent_id, []).append(b)
    out = []
    for line in lines:
        org = line.org
        college_type = OrgType(org.org_type).label
        for key, label in queries.ITEMS:
            c = line.cells[key]
            out.append((c.code, c.overdue, [org.name, college_type, org.name, "院级", label, c.label, c.submitted_at,
                                            c.due, yes_no(c.overdue), c.note]))
        form2_done = line.form2 is not None and line.form2.state in queries.FORM_DONE
        for b in branches.get(org.pk, []):
            r = rows.get(b.pk)
            due = effective_due(design, b, extensions) if design else None
            done = form2_done or (r is not None and r.state in ROW_DONE)
            late = not done and due is not None and now > due
            code = r.state if r else "not_started"
            note = r.college_comment if r and r.state == RowState.RETURNED else ""
            out.append((code, late, [org.name, college_type, b.name, "支部", "一支部一特色（附件2 本支部行）",
                                     r.get_state_display() if r else queries.NOT_STARTED_LABEL,
                                     r.submitted_at if r else None, due, yes_no(late), note]))
        for e in line.branch_entries:
            due = effective_due(review, e.organization, extensions) if review else None
            late = e.state not in queries.ENTRY_DONE and due is not None and now > due
            missing = entry_missing(e)
            out.append((e.state, late, [org.name, college_type, e.organization.name, "支部",
                                        f"十佳特色支部（附件3，推荐第 {e.rank or '-'} 位）", e.get_state_display(),
                                        e.submitted_at, due, yes_no(late), ("缺：" + "、".join(missing)) if missing else ""]))
    return out


def status_workbook(filters, now=None, progress=None):
    now = now or timezone.now()
    data = status_rows(filters, now=now)
    if filters.state == "overdue":
        data = [d for d in data if d[1]]
    elif filters.state:
        data = [d for d in data if d[0] == filters.state]
    w = Writer(progress)
    w.sheet("上报状态", heading(filters, "上报状态（党组织 × 事项）", now), STATUS_COLUMNS,
            ([i] + values for i, (_c, _l, values) in enumerate(data, 1)))
    return w.save()


# ====================================================================== (c) 附件1 brand list

FORM1_COLUMNS = [
    Col("序号", 6), Col("院(处)级党组织", 22, "wrap"), Col("类型", 12), Col("品牌名称", 16, "wrap"),
    Col("口号/标语", 24, "wrap"), Col("聚焦领域", 10), Col("书记", 10), Col("书记职务", 14), Col("联系人", 10),
    Col("联系人手机", 14), Col("联系人邮箱", 24), Col("下设支部数", 8), Col("教工党员数", 8), Col("学生党员数", 8),
    Col("离退休党员数", 8), Col("品牌内涵/理念", 50, "wrap"), Col("创建目标", 40, "wrap"), Col("主要举措", 50, "wrap"),
    Col("预期成效", 40, "wrap"), Col("状态", 10), Col("提交时间", 17, "datetime"), Col("组织部审核意见", 30, "wrap"),
    Col("审核时间", 17, "datetime"),
]


def college_count(filters):
    return queries.colleges(filters.org_type).count()


def form1_workbook(filters, now=None, progress=None):
    now = now or timezone.now()
    lines = queries.college_lines(filters, now=now)
    full = {f.organization_id: f for f in Form1.objects.filter(
        campaign=filters.campaign, organization_id__in=[line.org.pk for line in lines])}

    def rows():
        for i, line in enumerate(lines, 1):
            f = full.get(line.org.pk)
            base = [i, line.org.name, OrgType(line.org.org_type).label]
            if f is None:
                yield base + [""] * 8 + [line.n_branches] + [""] * 7 + [queries.NOT_STARTED_LABEL]
                continue
            yield base + [
                f.brand_name, f.slogan, f.get_focus_area_display() if f.focus_area else "", f.secretary_name,
                f.secretary_title, f.contact_name, f.contact_mobile, f.contact_email, line.n_branches,
                f.members_staff, f.members_student, f.members_retired, f.connotation, f.goals, f.measures,
                f.expected_results, f.get_state_display(), f.submitted_at, f.review_comment, f.reviewed_at,
            ]

    w = Writer(progress)
    w.sheet("附件1品牌清单", heading(filters, "附件1 \"一院一品牌\"品牌清单", now), FORM1_COLUMNS, rows())
    return w.save()


# ====================================================================== (d) 十佳 entries

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


# ====================================================================== (e) 述职评议考核 summary

REVIEW_COLUMNS = [
    Col("序号", 6), Col("院(处)级党组织", 22, "wrap"), Col("类型", 12), Col("书记", 10),
    Col("附件1 品牌名称", 16, "wrap"), Col("附件1 状态", 10), Col("附件1 提交时间", 17, "datetime"),
    Col("附件1 审核意见", 30, "wrap"), Col("附件2 状态", 10), Col("附件2 提交时间", 17, "datetime"),
    Col("附件2 支部完成", 12), Col("创建成果（条）", 10), Col("十佳党建品牌 状态", 16),
    Col("十佳党建品牌 提交时间", 17, "datetime"), Col("形式审查意见", 30, "wrap"), Col("推荐支部及状态", 36, "wrap"),
    Col("\"三个一\"", 12), Col("按时完成事项", 10), Col("逾期事项", 30, "wrap"),
]


def review_summary_workbook(filters, now=None, progress=None):
    now = now or timezone.now()
    lines = queries.college_lines(filters, now=now)
    ids = {line.org.pk for line in lines}
    outcome_counts = queries.outcomes_by_month(filters.campaign, ids)["per_college"]
    comments = dict(Form1.objects.filter(campaign=filters.campaign, organization_id__in=ids)
                    .values_list("organization_id", "review_comment"))
    checks = dict(Entry.objects.filter(campaign=filters.campaign, track=Track.BRAND, college_id__in=ids)
                  .values_list("college_id", "check_comment"))

    def rows():
        for i, line in enumerate(lines, 1):
            c = line.cells
            f1, brand = line.form1, line.brand
            deadline_items = ("form1", "form2", "brand", "recommend")
            on_time = sum(1 for k in deadline_items if c[k].done and (
                c[k].due is None or c[k].submitted_at is None or c[k].submitted_at <= c[k].due))
            late = [queries.ITEM_SHORT[k] + (f"（{c[k].label}）") for k in deadline_items if c[k].overdue]
            yield [
                i, line.org.name, OrgType(line.org.org_type).label, line.org.secretary_name,
                f1.brand_name if f1 else "", c["form1"].label, c["form1"].submitted_at, comments.get(line.org.pk, ""),
                c["form2"].label, c["form2"].submitted_at, c["form2"].note.replace("支部完成 ", ""),
                outcome_counts.get(line.org.pk, 0), c["brand"].label, brand.submitted_at if brand else None,
                checks.get(line.org.pk, ""), c["recommend"].note or c["recommend"].label, c["three"].label,
                f"{on_time}/{len(deadline_items)}", "、".join(late),
            ]

    w = Writer(progress)
    w.sheet("述职评议考核", heading(filters, "述职评议考核 · 党建特色品牌创建情况汇总", now), REVIEW_COLUMNS, rows())
    return w.save()


# ====================================================================== registry


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: str
    build: Callable  # (filters, now=None, progress=None) -> bytes
    count: Callable  # (filters) -> estimated data rows, cheap


KINDS = {k.key: k for k in [
    ExportKind("form2", "附件2 一支部一特色汇总表（全校）", form2_workbook, form2_count),
    ExportKind("status", "上报状态（党组织 × 事项）", status_workbook, status_count),
    ExportKind("form1", "附件1 一院一品牌品牌清单", form1_workbook, college_count),
    ExportKind("entries", "十佳申报及形式审查结果", entries_workbook, entries_count),
    ExportKind("review_summary", "述职评议考核汇总（院级）", review_summary_workbook, college_count),
]}


def filename(kind, filters, now=None):
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%d-%H%M")
    return f"{filters.campaign.year}年度-{KINDS[kind].label}-{stamp}.xlsx"

