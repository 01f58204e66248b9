"""What a form, row or entry still lacks before it can be submitted (reads; Chinese labels).

The one place that defines "complete": services refuse a submit with these lists, the pages show
them as "still missing", the formal check, the obligations registry, the dashboard and the exports
read them too."""

from .models import Entry, Form1, Form2Row, RowState, StandardItem, StandardKind

FORM1_REQUIRED = [
    "secretary_name", "secretary_title", "secretary_phone", "contact_name", "contact_mobile", "contact_email",
    "members_staff", "members_student", "members_retired", "brand_name", "focus_area", "foundation",
    "connotation", "goals", "measures", "schedule", "expected_results", "guarantees",
]
ROW_REQUIRED = ["feature_name", "feature_intro", "carriers", "expected_results", "phone"]
ENTRY_REQUIRED = ["title", "leader", "members", "started_on", "overview", "college_opinion"]
FILE_SLOTS = {
    # slot: (purpose, label)
    "summary_report": ("doc", "创建总结报告"),
    "experience_doc": ("doc", "典型经验（1套）"),
    "case_doc": ("doc", "党建促业务典型案例（1个）"),
    "video": ("video", "示范点建设微视频（1个）"),
}
ROW_READY_STATES = {RowState.SUBMITTED, RowState.SKIPPED}


def standard_items(kind):
    return list(StandardItem.objects.filter(kind=kind, is_active=True).order_by("sort_order"))


def _label(model, name):
    return str(model._meta.get_field(name).verbose_name)


def form1_missing(form, five_items=None):
    """Labels of what is still missing before 附件1 can be submitted."""
    missing = [_label(Form1, f) for f in FORM1_REQUIRED if getattr(form, f) in (None, "")]
    if form.brand_name and not (4 <= len(form.brand_name) <= 12):
        missing.append("品牌名称（需 4–12 个字）")
    items = five_items if five_items is not None else standard_items(StandardKind.FIVE)
    for item in items:
        if not str((form.self_assessment or {}).get(item.code, "")).strip():
            missing.append(f"“五个到位”自评：{item.name}")
    return missing


def row_missing(row):
    return [_label(Form2Row, f) for f in ROW_REQUIRED if not str(getattr(row, f) or "").strip()]


def rows_blockers(branches, rows_by_branch):
    """Branches whose row is not yet reported to the 院级 org (or explained as not taking part)."""
    problems = []
    for b in branches:
        row = rows_by_branch.get(b.pk)
        if row is None:
            problems.append(f"{b.name}：尚未填写")
        elif row.state not in ROW_READY_STATES:
            problems.append(f"{b.name}：{row.get_state_display()}，未报院级")
    return problems


def form2_blockers(form2, branches, rows_by_branch):
    """Why the 汇总表 cannot be submitted yet (Chinese), empty when it can."""
    problems = []
    if not form2.filler_name.strip():
        problems.append("请填写表头的“填报人”")
    return problems + rows_blockers(branches, rows_by_branch)


def entry_missing(entry):
    """Exactly what is still missing before the entry can be submitted (Chinese labels)."""
    missing = [_label(Entry, f) for f in ENTRY_REQUIRED if getattr(entry, f) in (None, "")]
    if not entry.negative_list_declared:
        missing.append("负面清单声明")
    for slot, (_purpose, label) in FILE_SLOTS.items():
        if getattr(entry, f"{slot}_id") is None:
            missing.append(label)
    return missing


def entry_warnings(entry, photos=None):
    warnings = []
    if entry.overview and len(entry.overview) < 800:
        warnings.append(f"创建情况概述目前 {len(entry.overview)} 字，建议 1000–1500 字。")
    if photos is None:
        photos = [a for a in entry.evidence.all() if a.kind in ("jpeg", "png")]
    if len(photos) < 3:
        warnings.append(f"成果佐证照片目前 {len(photos)} 张，建议 3–6 张并配约 20 字说明。")
    if entry.video_id and entry.video:
        from .uploads import video_warnings

        warnings.extend(video_warnings(entry.video))
    return warnings
