"""A small streaming .xlsx writer for large exports.

openpyxl's write-only mode spends ~11 µs per cell here; this writes the same SpreadsheetML
(inline strings, one shared style per column kind, frozen header, auto-filter, column widths)
straight into the zip, at roughly a tenth of that. openpyxl still reads what it writes (tests)."""

import datetime as dt
import io
import re
import zipfile
from xml.sax.saxutils import escape

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_EPOCH = dt.datetime(1899, 12, 30)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'

# cellXfs indexes in STYLES below
STYLE = {"": 0, "title": 1, "header": 2, "wrap": 3, "datetime": 4, "date": 5}
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet {NS}><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/><numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="13"/><name val="Calibri"/></font><font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFB22222"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
<xf numFmtId="0" fontId="2" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""


def column_letter(n):
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _text(value):
    return escape(_ILLEGAL.sub("", str(value)))


def _cell(ref, value, style):
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
        return f'<c r="{ref}"{s}><v>{(value - _EPOCH).total_seconds() / 86400:.10f}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}"{s}><v>{(value - _EPOCH.date()).days}</v></c>'
    return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{_text(value)}</t></is></c>'


class StreamingWorkbook:
    """add_sheet(title, heading, [(header, width, kind)], rows) … then to_bytes()."""

    def __init__(self):
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.sheets = []  # (title, autofilter ref)

    def add_sheet(self, title, heading, columns, rows, on_row=None):
        index = len(self.sheets) + 1
        letters = [column_letter(i) for i in range(1, len(columns) + 1)]
        styles = [STYLE.get(kind, 0) for _h, _w, kind in columns]
        n = 0
        with self.zip.open(f"xl/worksheets/sheet{index}.xml", "w", force_zip64=True) as out:
            cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                           for i, (_h, w, _k) in enumerate(columns, start=1))
            head = "".join(_cell(f"{letters[i]}2", h, STYLE["header"]) for i, (h, _w, _k) in enumerate(columns))
            out.write((f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS} {NS_R}>'
                       '<sheetViews><sheetView workbookViewId="0"><pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" '
                       'state="frozen"/><selection pane="bottomLeft" activeCell="A3" sqref="A3"/></sheetView></sheetViews>'
                       f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
                       f'<row r="1">{_cell("A1", heading, STYLE["title"])}</row><row r="2">{head}</row>').encode())
            chunk = []
            for values in rows:
                r = n + 3
                chunk.append(f'<row r="{r}">' + "".join(
                    _cell(f"{letters[i]}{r}", v, styles[i]) for i, v in enumerate(values)) + "</row>")
                n += 1
                if on_row:
                    on_row()
                if len(chunk) >= 500:
                    out.write("".join(chunk).encode())
                    chunk = []
            out.write("".join(chunk).encode())
            out.write(f'</sheetData><autoFilter ref="A2:{letters[-1]}{n + 2}"/></worksheet>'.encode())
        self.sheets.append((title, letters[-1], n + 2))
        return n

    def to_bytes(self):
        sheets = "".join(f'<sheet name="{_text(t)}" sheetId="{i}" r:id="rId{i}"/>'
                         for i, (t, _c, _r) in enumerate(self.sheets, 1))
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"'{_text(t).replace(chr(39), chr(39) * 2)}'!$A$2:${col}${row}</definedName>"
            for i, (t, col, row) in enumerate(self.sheets))
        self.zip.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {NS} {NS_R}>'
                                             f"<sheets>{sheets}</sheets><definedNames>{names}</definedNames></workbook>")
        rels = "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                       f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(self.sheets) + 1))
        n = len(self.sheets) + 1
        self.zip.writestr("xl/_rels/workbook.xml.rels",
                          '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                          f'{rels}<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>')
        self.zip.writestr("xl/styles.xml", STYLES)
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                            for i in range(1, len(self.sheets) + 1))
        self.zip.writestr("[Content_Types].xml",
                          '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                          '<Default Extension="xml" ContentType="application/xml"/>'
                          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                          '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                          f"{overrides}</Types>")
        self.zip.writestr("_rels/.rels",
                          '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                          '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        self.zip.close()
        return self.buffer.getvalue()
