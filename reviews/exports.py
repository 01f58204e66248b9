"""Spreadsheets for 组织部: the full score matrix and the ranking (openpyxl)."""

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import aggregation, queries
from .models import Round

HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")


def _sheet(ws, title, headers, rows, widths):
    """Title row (year + export time), bold frozen header, auto-filter, column widths."""
    ws.append([title])
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(headers), 1))
    ws.append(headers)
    for i, _ in enumerate(headers, start=1):
        c = ws.cell(row=2, column=i)
        c.font = Font(bold=True)
        c.fill = HEADER_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r in rows:
        ws.append(r)
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{ws.max_row}"
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _title(track, what):
    return f"{track.campaign.year}年度{track.get_track_display()} {what}（导出时间：{timezone.localtime():%Y-%m-%d %H:%M}）"


def _save(wb):
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def matrix_xlsx(track):
    """One row per entry × judge (× round): every criterion, the total, abstentions."""
    criteria = queries.criteria_for(track)
    wb = Workbook()
    ws = wb.active
    ws.title = "评分明细"
    headers = ["轮次", "编号", "申报单位", "推荐单位", "评委", "评委账号"] + [f"{c.name}（{c.max_points}分）" for c in criteria]
    headers += ["总分", "状态", "弃权原因"]
    rows = []
    for a in queries.score_matrix(track):
        pts = [(a.points or {}).get(str(c.pk)) for c in criteria]
        state = "弃权" if a.abstained else "已评" if a.complete else "部分评分" if a.points else "未评"
        rows.append([Round(a.round).label, queries.entry_code(a.entry), str(a.entry.organization),
                     str(a.entry.college) if a.entry.college_id else "", a.judge.display_name, a.judge.username,
                     *pts, a.total, state, a.abstain_reason])
    _sheet(ws, _title(track, "评分明细（项目 × 评委 × 指标）"), headers, rows,
           [10, 10, 28, 22, 12, 14] + [14] * len(criteria) + [8, 10, 24])
    return _save(wb)


def ranking_xlsx(track):
    board = queries.ranking(track)
    wb = Workbook()
    ws = wb.active
    ws.title = "排名"
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
    _sheet(ws, _title(track, f"评审排名（{track.get_aggregation_display()}{'，标准化' if track.normalise else ''}）"),
           headers, rows, [6, 10, 28, 22, 22, 10, 12] + ([12] if track.second_round else []) + [10, 8, 8, 6]
           + [16] * len(rule_labels) + [10])
    return _save(wb)


def _2(v):
    return None if v is None else round(v, 2)
