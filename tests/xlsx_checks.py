"""Reading exported workbooks back in tests: openpyxl (the portal's reader) and python-calamine (an
independent Rust reader), plus the hostile texts every export must survive."""

import io
import re

import openpyxl
import pytest
from django.db import connection
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


# ---------------------------------------------------------------- hostile data in every free-text column

KINDS = ["formula", "fffe", "vt", "long", "quote"]
_NOT_FREE_TEXT = {"password", "employee_id", "first_name", "last_name", "honours", "scan_name", "sha256", "video_codec",
                  "original_name"}


def free_text_fields(model):
    from django.db.models import CharField, SlugField, TextField

    return [f.name for f in model._meta.concrete_fields
            if isinstance(f, (CharField, TextField)) and not isinstance(f, SlugField) and not f.choices
            and not f.unique and f.name not in _NOT_FREE_TEXT]


def text_models():
    from organizations.models import Organization, User
    from reviews.models import Assignment, Criterion
    from submissions.models import Entry, Form1, Form2, Form2Row

    return [Organization, User, Form1, Form2, Form2Row, Entry, Criterion, Assignment]


# Storing 40,000 characters (or a formula) in a varchar column needs a database that does not enforce
# lengths: SQLite (the SQLite stage of CI runs these tests); PostgreSQL refuses the values themselves.
needs_unchecked_lengths = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="over-length hostile values can only be stored in SQLite (run there in CI)")


def store_hostile(text):
    """Every free-text column of every row the exports read set to `text` (validation bypassed, as a
    forged or legacy row would be). Codes and usernames stay: they are keys, validated on the way in."""
    for model in text_models():
        model.objects.update(**{name: text for name in free_text_fields(model)})


def surrogate_on_load():
    """A post_init hook giving loaded instances a lone surrogate in their free-text fields: no database
    can store one, so this is the only way to hand it to an export. Returns the disconnect function."""
    from django.db.models.signals import post_init

    fields = {m: free_text_fields(m) for m in text_models()}

    def poison(sender, instance, **kwargs):
        for name in fields.get(sender, ()):
            if name in instance.__dict__:
                instance.__dict__[name] = HOSTILE_SURROGATE

    for m in fields:
        post_init.connect(poison, sender=m, weak=False, dispatch_uid=f"surrogate-{m.__name__}")
    return lambda: [post_init.disconnect(sender=m, dispatch_uid=f"surrogate-{m.__name__}") for m in fields]


_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def check_hostile(data, kind):
    """Open `data` with both readers; every string cell anywhere is plain text (not a formula), equal in
    both readers and free of XML-illegal characters; return the set of (sheet position, where, column)
    holding the hostile text of `kind`, each checked to show it as expected (cut, with the mark, for "long")."""
    book, sheets = open_both(data)
    expected = EXPECTED.get(kind)
    holding = set()
    for pos, ws in enumerate(book.worksheets):
        grid = sheets[ws.title]
        assert not ws.merged_cells.ranges
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if v is None:
                    continue
                cal = grid[cell.row - 1][cell.column - 1]
                if isinstance(v, str):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, v[:50])  # never a formula
                    assert v == cal, (ws.title, cell.coordinate, v[:50], str(cal)[:50])
                    assert not _XML_ILLEGAL.search(v)
                    assert cell.hyperlink is None
                    where = "title" if cell.row == 1 else "header" if cell.row == 2 else "data"
                    if kind == "long":
                        if "长" * 1000 in v:
                            assert v.endswith(CUT_MARK) and len(v) <= MAX_CELL_CHARS, (ws.title, cell.coordinate)
                            holding.add((pos, where, cell.column))
                    elif expected in v:
                        holding.add((pos, where, cell.column))
    return holding
