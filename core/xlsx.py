"""The one spreadsheet writer behind every export (XlsxWriter, constant memory). Model-free.

Every sheet looks the same: row 1 a bold title (year, what, filters, export time in 北京时间), row 2 the
Chinese headers (white on red, wrapped, frozen, with an auto-filter), data from row 3, set column widths,
long text wrapped. No merged cells, and never a formula from user text. The writer owns the dangerous bits
so that callers hand it plain Python values:

- text: characters XML 1.0 forbids are removed (C0 controls except tab/newline/CR, U+FFFE/U+FFFF, lone
  surrogates), and text over Excel's 32,767-character cell limit is cut with a visible mark (CUT_MARK);
- a text starting with "=" stays text (strings_to_formulas=False); nothing becomes a link (strings_to_urls=False);
- aware datetimes become Asia/Shanghai wall-clock time (Excel has no time zones); Decimal a number;
  NaN/inf an Excel error value (#NUM!/#DIV/0!) instead of a broken file;
- sheet names are made legal: at most 31 characters, none of []:*?/\\ or quotes, unique ignoring case.

Rows stream through (constant_memory): memory stays flat however many rows. openpyxl stays the reader.

    wb = Workbook()
    wb.add_sheet("汇总", title("附件2 汇总表", year=2026, details=["筛选：全部"]), [Col("序号", 6), ...], rows)
    data = wb.to_bytes()
"""

import datetime as dt
import io
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import xlsxwriter

SHANGHAI = ZoneInfo("Asia/Shanghai")
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_CELL_CHARS = 32767  # Excel's limit, counted in UTF-16 units
CUT_MARK = "…（已截断）"
MAX_SHEET_NAME = 31
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
           "strings_to_numbers": False, "nan_inf_to_errors": True}

# XML 1.0 allows #x9 #xA #xD [#x20-#xD7FF] [#xE000-#xFFFD] [#x10000-#x10FFFF]; a Python str holds
# astral characters as one code point, so [\ud800-\udfff] only ever matches a lone surrogate.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SHEET_BAD = re.compile("[\\[\\]:*?/\\\\'\"\x00-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Col:
    header: str
    width: float = 12
    kind: str = ""  # "" plain, "wrap" long text, "text" kept as text (codes, phones), "datetime", "date"


def _utf16_len(text):
    return len(text.encode("utf-16-le")) // 2


def clean_text(value):
    """value as cell text: XML-illegal characters removed, cut to Excel's limit with CUT_MARK."""
    text = value if value.__class__ is str else str(value)
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    if len(text) > MAX_CELL_CHARS // 2 and _utf16_len(text) > MAX_CELL_CHARS:
        room = MAX_CELL_CHARS - len(CUT_MARK)
        head = text[:room]
        excess = _utf16_len(head) - room
        while excess > 0:  # astral characters count twice: drop at least half the excess each time
            head = head[: len(head) - (excess + 1) // 2]
            excess = _utf16_len(head) - room
        text = head + CUT_MARK
    return text


def beijing(value):
    """An aware datetime as naive Asia/Shanghai wall-clock time (to the second); naive ones are kept."""
    if value.tzinfo is not None:
        value = value.astimezone(SHANGHAI).replace(tzinfo=None)
    return value.replace(microsecond=0)


def export_time_text(now=None):
    return beijing(now or dt.datetime.now(SHANGHAI)).strftime("%Y-%m-%d %H:%M")


def title(what, *, year=None, details=(), now=None):
    """The row-1 title every export shares: "2026 年度 · what · detail … · 导出时间：…（北京时间）"."""
    parts = ([f"{year} 年度"] if year else []) + [what] + [d for d in details if d]
    return " · ".join(parts + [f"导出时间：{export_time_text(now)}（北京时间）"])


def legal_sheet_name(name, used=(), fallback="工作表"):
    """name cut to a legal, unique (ignoring case, as Excel does) sheet name; `used` holds the names taken."""
    taken = {u.lower() for u in used}
    base = _SHEET_BAD.sub("", str(name or "")).strip()[:MAX_SHEET_NAME] or fallback
    if base.lower() == "history":  # Excel reserves it
        base = f"{base}-1"
    candidate, i = base, 2
    while candidate.lower() in taken:
        suffix = f"-{i}"
        candidate, i = base[: MAX_SHEET_NAME - len(suffix)] + suffix, i + 1
    return candidate


@dataclass(frozen=True)
class Choice:
    """A drop-down on a column's data rows (the import template): column index, options, hint."""
    column: int
    options: tuple
    hint: str
    rows: int = 5000


class Workbook:
    """add_sheet(...) for each sheet, then to_bytes() once. on_row() is called after every data row."""

    def __init__(self, on_row=None):
        self.buffer = io.BytesIO()
        # constant_memory keeps each sheet's rows in a named temp file until close(); a directory of our
        # own removes them even when an export fails half-way (TemporaryDirectory cleans up on GC too)
        self.tmp = tempfile.TemporaryDirectory(prefix="xlsx-")
        self.book = xlsxwriter.Workbook(self.buffer, {**OPTIONS, "tmpdir": self.tmp.name})
        self.on_row = on_row
        self.names = []
        add = self.book.add_format
        self.formats = {
            "title": add({"bold": True, "font_size": 13}),
            "header": add({"bold": True, "font_color": "#FFFFFF", "bg_color": "#B22222", "align": "center",
                           "valign": "vcenter", "text_wrap": True, "border": 1, "border_color": "#FFFFFF"}),
            "wrap": add({"text_wrap": True, "valign": "top"}),
            "text": add({"num_format": "@"}),
            "datetime": add({"num_format": DATETIME_FORMAT}),
            "date": add({"num_format": DATE_FORMAT}),
            "": None,
        }

    def add_sheet(self, name, title_text, columns, rows, *, choices=()):
        """One sheet; returns the number of data rows written. The name is made legal and unique."""
        name = legal_sheet_name(name, self.names)
        self.names.append(name)
        ws = self.book.add_worksheet(name)
        fmts = [self.formats.get(c.kind) for c in columns]
        for i, (col, fmt) in enumerate(zip(columns, fmts)):
            ws.set_column(i, i, col.width, fmt if col.kind in ("text", "wrap") else None)
        ws.freeze_panes(2, 0)
        ws.write_string(0, 0, clean_text(title_text), self.formats["title"])
        header = self.formats["header"]
        for i, col in enumerate(columns):
            ws.write_string(1, i, clean_text(col.header), header)
        n = self._rows(ws, fmts, rows)
        last = max(len(columns) - 1, 0)
        ws.autofilter(1, 0, n + 1, last)
        for c in choices:
            ws.data_validation(2, c.column, c.rows + 1, c.column, {
                "validate": "list", "source": list(c.options), "ignore_blank": True,
                "error_title": "输入有误", "error_message": f"请从下拉列表中选择：{c.hint}",
                "input_message": c.hint[:255]})
        return n

    def _rows(self, ws, fmts, rows):
        dt_fmt, date_fmt = self.formats["datetime"], self.formats["date"]
        write_string, write_number = ws.write_string, ws.write_number
        on_row = self.on_row
        r = 2
        ncols = len(fmts)
        for values in rows:
            for c, v in enumerate(values[:ncols] if len(values) > ncols else values):
                cls = v.__class__
                if cls is str:
                    if v:
                        write_string(r, c, clean_text(v), fmts[c])
                elif v is None:
                    pass
                elif cls is int or cls is float:
                    write_number(r, c, v, fmts[c])
                elif cls is bool:
                    ws.write_boolean(r, c, v, fmts[c])
                elif isinstance(v, Decimal):
                    write_number(r, c, float(v), fmts[c])
                elif isinstance(v, dt.datetime):
                    ws.write_datetime(r, c, beijing(v), fmts[c] if fmts[c] is date_fmt else dt_fmt)
                elif isinstance(v, dt.date):
                    ws.write_datetime(r, c, v, date_fmt)
                elif isinstance(v, (int, float)):  # int/float subclasses (IntEnum…); bool handled above
                    write_number(r, c, float(v), fmts[c])
                else:  # lazy translations, enums' labels, anything else: as text
                    write_string(r, c, clean_text(v), fmts[c])
            r += 1
            if on_row is not None:
                on_row()
        return r - 2

    def to_bytes(self):
        try:
            self.book.close()
        finally:
            self.tmp.cleanup()
        return self.buffer.getvalue()
