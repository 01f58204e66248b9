"""core.xlsx, the one writer behind every export: read back by openpyxl and by calamine."""

import datetime as dt
from decimal import Decimal

from core.xlsx import CUT_MARK, MAX_CELL_CHARS, SHANGHAI, Col, Workbook, clean_text, legal_sheet_name, title

from ..xlsx_checks import FORMULA, HOSTILE_SURROGATE, LONG, assert_cut, assert_text_cell, column_width, open_both

COLS = [Col("文本", 20, "wrap"), Col("整数", 8), Col("小数", 8), Col("时间", 18, "datetime"), Col("日期", 12, "date"),
        Col("布尔", 6), Col("编码", 10, "text"), Col("空", 6)]


def test_workbook_has_title_styled_frozen_filtered_header_and_widths():
    wb = Workbook()
    row = ["<script>&\"引号\"", 3, 2.5, dt.datetime(2026, 5, 15, 23, 59), dt.date(2026, 11, 10), True, "007", None]
    assert wb.add_sheet("名单", "标题行", COLS, [row]) == 1
    wb.add_sheet("第二页", "标题2", COLS[:2], [["x", i] for i in range(3)])
    book, sheets = open_both(wb.to_bytes())
    ws = book["名单"]
    assert ws["A1"].value == "标题行" and ws["A1"].font.b and ws["A1"].font.sz == 13
    assert [c.value for c in ws[2]] == [c.header for c in COLS]
    assert ws["A2"].fill.fgColor.rgb == "FFB22222" and ws["A2"].font.b and ws["A2"].alignment.wrap_text
    assert [c.value for c in ws[3]][:7] == ["<script>&\"引号\"", 3, 2.5, dt.datetime(2026, 5, 15, 23, 59),
                                           dt.datetime(2026, 11, 10), True, "007"]
    assert ws["A3"].alignment.wrap_text and ws["D3"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["E3"].number_format == "yyyy-mm-dd" and ws["G3"].number_format == "@"
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:H3"
    assert abs(column_width(ws, 1) - 20) < 1 and abs(column_width(ws, 4) - 18) < 1
    assert not ws.merged_cells.ranges
    assert book["第二页"].max_row == 5 and book["第二页"].auto_filter.ref == "A2:B5"
    assert sheets["名单"][2][:7] == ["<script>&\"引号\"", 3, 2.5, dt.datetime(2026, 5, 15, 23, 59),
                                     dt.date(2026, 11, 10), True, "007"]


def test_hostile_text_opens_and_stays_text_in_both_readers():
    texts = [FORMULA, "甲\ufffe乙\uffff", "丙\x0b丁\x00", HOSTILE_SURROGATE, LONG, '说"引号"', "https://evil.example/x"]
    wb = Workbook()
    wb.add_sheet("hostile", FORMULA, [Col(FORMULA, 20), Col("b", 10, "wrap")], [[t, t] for t in texts])
    book, sheets = open_both(wb.to_bytes())
    ws, grid = book["hostile"], sheets["hostile"]
    assert_text_cell(ws["A1"], grid[0][0], FORMULA)
    assert_text_cell(ws["A2"], grid[1][0], FORMULA)
    expected = [FORMULA, "甲乙", "丙丁", "庚辛", None, '说"引号"', "https://evil.example/x"]
    for r, want in enumerate(expected, start=3):
        for c in (1, 2):
            cell, cal = ws.cell(row=r, column=c), grid[r - 1][c - 1]
            if want is None:
                assert_cut(cell, cal)
            else:
                assert_text_cell(cell, cal, want)


def test_aware_datetimes_are_written_as_beijing_time_and_numbers_as_numbers():
    utc = dt.datetime(2026, 5, 9, 8, 5, 30, 123456, tzinfo=dt.timezone.utc)
    wb = Workbook()
    wb.add_sheet("t", "t", [Col("时间", 18, "datetime"), Col("分", 8), Col("nan", 8), Col("inf", 8)],
                 [[utc, Decimal("93.50"), float("nan"), float("inf")], [utc.astimezone(SHANGHAI), 1, 2, 3]])
    book, sheets = open_both(wb.to_bytes())
    ws = book["t"]
    assert ws["A3"].value == ws["A4"].value == dt.datetime(2026, 5, 9, 16, 5, 30)
    assert sheets["t"][2][0] == dt.datetime(2026, 5, 9, 16, 5, 30)
    assert ws["B3"].value == 93.5 and ws["B3"].data_type == "n" and sheets["t"][2][1] == 93.5
    assert ws["C3"].value == "=#NUM!" and ws["D3"].value == "=1/0"  # Excel error values, not a broken file


def test_text_is_cut_at_the_excel_limit_with_a_visible_mark():
    assert clean_text("短") == "短"
    cut = clean_text("长" * 40_000)
    assert len(cut) == MAX_CELL_CHARS and cut.endswith(CUT_MARK)
    astral = clean_text("𠀀" * 20_000)  # two UTF-16 units each
    assert len(astral.encode("utf-16-le")) // 2 <= MAX_CELL_CHARS and astral.endswith(CUT_MARK)
    exact = "长" * MAX_CELL_CHARS
    assert clean_text(exact) == exact


def test_sheet_names_are_made_legal_and_unique():
    used = []
    for raw in ['甲"乙\'[1]', "a/b:c*d?e\\f", "很长的名字" * 10, "很长的名字" * 10, "SHEET", "sheet", "", "History"]:
        used.append(legal_sheet_name(raw, used))
    assert used[:2] == ["甲乙1", "abcdef"]
    assert all(len(n) <= 31 for n in used) and len({n.lower() for n in used}) == len(used)
    assert used[5] == "sheet-2" and used[6] == "工作表" and used[7] != "History"
    wb = Workbook()
    for name in ['甲"乙', '甲\'乙', "a" * 40]:
        wb.add_sheet(name, "t", [Col("x")], [])
    book, _ = open_both(wb.to_bytes())
    assert book.sheetnames == ["甲乙", "甲乙-2", "a" * 31]


def test_title_carries_year_details_and_beijing_export_time():
    now = dt.datetime(2026, 5, 20, 2, 0, tzinfo=dt.timezone.utc)
    assert title("附件2", year=2026, details=["筛选：全部", ""], now=now) == (
        "2026 年度 · 附件2 · 筛选：全部 · 导出时间：2026-05-20 10:00（北京时间）")
    assert title("党组织名单", now=now) == "党组织名单 · 导出时间：2026-05-20 10:00（北京时间）"


def test_a_failed_export_leaves_no_temporary_files():
    import gc
    import os

    def rows():
        yield ["一"]
        raise RuntimeError("数据库断开")

    wb = Workbook()
    folder = wb.tmp.name
    wb.add_sheet("a", "t", [Col("x")], [["x"]])
    try:
        wb.add_sheet("b", "t", [Col("x")], rows())
    except RuntimeError:
        pass
    assert os.listdir(folder)  # the two sheets' row files
    del wb
    gc.collect()
    assert not os.path.exists(folder)
    done = Workbook()
    done.add_sheet("a", "t", [Col("x")], [["x"]])
    done.to_bytes()
    assert not os.path.exists(done.tmp.name)
