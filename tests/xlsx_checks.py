"""Reading exported workbooks back in tests: openpyxl (the portal's reader) and python-calamine (an
independent Rust reader), plus the hostile texts every export must survive."""

import io

import openpyxl
from python_calamine import CalamineWorkbook

from core.xlsx import CUT_MARK, MAX_CELL_CHARS

FORMULA = "=cmd|' /C calc'!A0"
LONG = "长" * 40_000
# each survives as itself (minus what XML cannot hold); a lone surrogate cannot be stored by the DB
HOSTILE = {"formula": FORMULA, "fffe": "甲\ufffe乙", "vt": "丙\x0b丁", "long": LONG, "quote": '戊"己"学院'}
HOSTILE_SURROGATE = "庚\ud800辛"
EXPECTED = {"formula": FORMULA, "fffe": "甲乙", "vt": "丙丁", "quote": '戊"己"学院', "surrogate": "庚辛"}


def column_width(ws, index):
    """The width openpyxl read for column `index` (1-based); XlsxWriter writes runs of equal columns as one <col>."""
    for dim in ws.column_dimensions.values():
        if dim.min and dim.max and dim.min <= index <= dim.max and dim.customWidth:
            return dim.width
    return None


def open_both(data):
    """(openpyxl workbook, {sheet name: rows of values} from calamine); both must open the file."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    cal = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = {name: cal.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in cal.sheet_names}
    assert list(sheets) == book.sheetnames
    return book, sheets


def assert_text_cell(cell, calamine_value, expected):
    """The cell holds `expected` as a plain string in both readers: no formula, no link."""
    assert cell.data_type == "s", (cell.coordinate, cell.data_type, cell.value)
    assert cell.value == expected and calamine_value == expected
    assert cell.hyperlink is None


def assert_cut(cell, calamine_value):
    assert cell.data_type == "s" and cell.value.endswith(CUT_MARK) and calamine_value == cell.value
    assert len(cell.value) == MAX_CELL_CHARS and cell.value.startswith("长" * 100)


def hostile_cells(book, sheets):
    """Every data cell (row 3 on) of every sheet, classified by what hostile text it holds:
    {kind: [(openpyxl cell, calamine value)]}; kind is a key of EXPECTED, "long" or None."""
    found = {}
    for ws in book.worksheets:
        grid = sheets[ws.title]
        for row in ws.iter_rows(min_row=3):
            for cell in row:
                v = cell.value
                if not isinstance(v, str):
                    continue
                cal = grid[cell.row - 1][cell.column - 1]
                kind = next((k for k, e in EXPECTED.items() if v == e), None)
                if v.endswith(CUT_MARK):
                    kind = "long"
                found.setdefault(kind, []).append((cell, cal))
    return found
