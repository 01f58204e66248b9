import datetime as dt
import io

from openpyxl import load_workbook

from core.xlsx import StreamingWorkbook, column_letter


def test_streaming_workbook_round_trips_through_openpyxl():
    wb = StreamingWorkbook()
    rows = [["<script>&\"引号\"", 3, 2.5, dt.datetime(2026, 5, 15, 23, 59), dt.date(2026, 11, 10), True, "控制\x01字符", None]]
    cols = [("文本", 20, "wrap"), ("整数", 8, ""), ("小数", 8, ""), ("时间", 18, "datetime"), ("日期", 12, "date"),
            ("布尔", 6, ""), ("脏", 10, ""), ("空", 6, "")]
    assert wb.add_sheet("甲'乙", "标题行", cols, rows) == 1
    wb.add_sheet("第二页", "标题2", cols[:2], [["x", i] for i in range(3)])
    book = load_workbook(io.BytesIO(wb.to_bytes()))
    ws = book["甲'乙"]
    assert ws["A1"].value == "标题行" and ws["A1"].font.b
    assert [c.value for c in ws[2]] == [h for h, _w, _k in cols]
    assert ws["A2"].fill.fgColor.rgb == "FFB22222"
    a3, b3, c3, d3, e3, f3, g3, h3 = (c.value for c in ws[3])
    assert a3 == "<script>&\"引号\"" and ws["A3"].alignment.wrap_text
    assert (b3, c3, f3, g3, h3) == (3, 2.5, True, "控制字符", None)
    assert d3 == dt.datetime(2026, 5, 15, 23, 59) and ws["D3"].number_format == "yyyy-mm-dd hh:mm"
    assert e3.date() == dt.date(2026, 11, 10) and ws["E3"].number_format == "yyyy-mm-dd"
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:H3"
    assert ws.column_dimensions["A"].width == 20
    assert book["第二页"].max_row == 5 and book["第二页"].auto_filter.ref == "A2:B5"


def test_column_letters():
    assert [column_letter(n) for n in (1, 26, 27, 52, 703)] == ["A", "Z", "AA", "AZ", "AAA"]
