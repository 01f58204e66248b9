"""Spreadsheets for 组织部: the full score matrix and the ranking (core.xlsx, the portal's one writer).

Same look as every export: row 1 the title (year, track, what, export time in 北京时间; no merged cell),
row 2 the frozen, filtered header, data from row 3."""

from django.utils import timezone

from core import xlsx

from . import aggregation, queries
from .models import Round


def _book(name, track, what, headers, rows, widths):
    wb = xlsx.Workbook()
    widths = widths + [12] * (len(headers) - len(widths))
    wb.add_sheet(name, _title(track, what), [xlsx.Col(h, w) for h, w in zip(headers, widths)], rows)
    return wb.to_bytes()


def _title(track, what):
    return xlsx.title(f"{track.get_track_display()} {what}", year=track.campaign.year, now=timezone.now())


def matrix_xlsx(track):
    """One row per entry × judge (× round): every criterion, the total, abstentions."""
    criteria = queries.criteria_for(track)
    if track.second_round and queries.has_own_round2_rubric(track):
        criteria += queries.criteria_for(track, Round.DEFENCE)
    headers = ["轮次", "编号", "申报单位", "推荐单位", "评委", "评委账号"] + [
        f"{'答辩·' if c.round == Round.DEFENCE else ''}{c.name}（{c.max_points}分）" for c in criteria]
    headers += ["总分", "状态", "弃权原因", "录入方式"]
    rows = []
    for a in queries.score_matrix(track):
        pts = [(a.points or {}).get(str(c.pk)) for c in criteria]
        state = "弃权" if a.abstained else "已评" if a.complete else "部分评分" if a.points else "未评"
        rows.append([Round(a.round).label, queries.entry_code(a.entry), str(a.entry.organization),
                     str(a.entry.college) if a.entry.college_id else "", a.judge.display_name, a.judge.username,
                     *pts, a.total, state, a.abstain_reason, entered_label(a)])
    return _book("评分明细", track, "评分明细（项目 × 评委 × 指标）", headers, rows,
                 [10, 10, 28, 22, 12, 14] + [14] * len(criteria) + [8, 10, 24, 20])


def entered_label(a):
    """"由 X 代录" for a paper score 组织部 entered, "" for a judge's own."""
    return f"由 {a.entered_by.display_name} 代录" if a.entered_by_id else ""


def ranking_xlsx(track):
    board = queries.ranking(track)
    rule_labels = board["rule_labels"]
    headers = ["名次", "编号", "申报单位", "推荐单位", "品牌/特色名称", "最终得分", "材料评审得分"]
    if track.second_round:
        headers.append("现场答辩得分")
    headers += ["有效评分人数", "标准差", "评委分歧", "并列"] + [f"名次（{r}）" for r in rule_labels] + ["名次稳定"]
    rows = []
    for row in board["rows"]:
        r, e, s = row["r"], row["entry"], row["stability"]
        line = [r.place, queries.entry_code(e), str(e.organization), str(e.college) if e.college_id else "", e.title,
                _2(r.final), _2(r.round1)]
        if track.second_round:
            line.append(_2(r.round2))
        line += [r.n_judges, _2(r.sd), "是" if r.disagree else "", "是" if r.tied else ""]
        line += list(s["places"]) if s else [None] * len(aggregation.RULES)
        line.append(("稳定" if s["holds"] else "" if s["never"] else "不稳定") if s else "")
        rows.append(line)
    what = f"评审排名（{track.get_aggregation_display()}{'，标准化' if track.normalise else ''}）"
    widths = [6, 10, 28, 22, 22, 10, 12] + ([12] if track.second_round else []) + [10, 8, 8, 6] + [16] * len(rule_labels) + [10]
    wb = xlsx.Workbook()
    widths = widths + [12] * (len(headers) - len(widths))
    wb.add_sheet("排名", _title(track, what), [xlsx.Col(h, w) for h, w in zip(headers, widths)], rows)
    if track.score_overrides:
        wb.add_sheet("有效评分不足说明", _title(track, "有效评分不足时继续的记录"),
                     [xlsx.Col(h, w) for h, w in [("记录时间", 18), ("记录人", 12), ("阶段", 16), ("原因", 48),
                                                  ("涉及项目（有效评分/最少份数）", 60)]],
                     _override_rows(track))
    return wb.to_bytes()


def _override_rows(track):
    rows = []
    for o in track.score_overrides or []:
        entries = "、".join(f"{e.get('name', '')}（{Round(e.get('round', 1)).label} {e.get('valid', 0)}/{e.get('required', 0)}）"
                           for e in o.get("entries", []))
        rows.append([o.get("at_text", ""), o.get("by_name", ""), o.get("stage_label", ""), o.get("reason", ""), entries])
    return rows


def _2(v):
    return None if v is None else round(v, 2)
