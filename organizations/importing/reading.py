"""Reading an uploaded file: only a plain, safe .xlsx gets as far as openpyxl."""

import io
import re
import warnings
import zipfile

from .columns import (
    ACCOUNT_SHEET,
    MAX_DATA_ROWS,
    MAX_MEMBER_RATIO,
    MAX_SCANNED_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    MAX_UPLOAD_BYTES,
    MAX_ZIP_MEMBERS,
    ORG_SHEET,
    RATIO_MIN_SIZE,
    SHEETS,
    ImportFileError,
    yes_no,
)

_DANGEROUS_XML = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b")
_CHUNK = 1024 * 1024


def _scan_member(zf, info, pattern):
    """True if the regex matches anywhere in the (size-checked) member, read in chunks."""
    tail = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                return False
            if pattern.search(tail + chunk):
                return True
            tail = chunk[-64:]


def _check_zip(data):
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(f"文件过大（{len(data) / 1024 / 1024:.1f} MB），上限为 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError("这是旧版 Excel（.xls）或加密的文件，请在 Excel 中“另存为” .xlsx 格式（不加密码）后再上传。")
    if data[:4] != b"PK\x03\x04":
        raise ImportFileError("文件不是有效的 Excel（.xlsx）文件，请使用下载的模板填写后上传。")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFileError("文件已损坏或不是有效的 Excel（.xlsx）文件。") from None
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportFileError("文件不是有效的 Excel（.xlsx）文件（缺少工作簿结构），请使用下载的模板填写后上传。")
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ImportFileError("文件结构异常（包含的部件过多），已拒绝导入。")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ImportFileError("文件已加密，请去掉密码后再上传。")
        total += info.file_size
        if info.file_size > RATIO_MIN_SIZE and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1):
            raise ImportFileError("文件解压后异常庞大（疑似压缩炸弹），已拒绝导入。")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ImportFileError(
            f"文件解压后超过 {MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB（疑似压缩炸弹或数据过多），已拒绝导入。"
        )
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise ImportFileError("文件包含宏，请另存为不含宏的 .xlsx 格式后再上传。")
    return zf, infos


def _scan_parts(zf, infos, sheet_parts):
    try:
        for info in infos:
            if not info.filename.endswith((".xml", ".rels")):
                continue
            if _scan_member(zf, info, _DANGEROUS_XML):
                raise ImportFileError("文件包含不允许的 XML 声明（DOCTYPE/ENTITY），已拒绝导入。")
        for sheet_name, part in sheet_parts.items():
            info = zf.getinfo(part)
            if _scan_member(zf, info, _MERGE):
                raise ImportFileError(f"工作表“{sheet_name}”包含合并单元格，请取消合并（每个单元格填写一个值）后再上传。")
    except (zipfile.BadZipFile, KeyError, OSError, EOFError):
        raise ImportFileError("文件已损坏或不是有效的 Excel（.xlsx）文件。") from None


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _read_sheet(ws, sheet_name, columns):
    """[(excel row number, {field: text})] of the non-empty data rows, header located in the first 5 rows."""
    expected = [c.header for c in columns]
    by_header = {c.header: c.field for c in columns}
    rows = []
    header_map = None
    scanned = 0
    too_many = ImportFileError(f"工作表“{sheet_name}”的行数超过上限（每个工作表最多 {MAX_DATA_ROWS} 行数据），请分批导入。")
    for row in ws.iter_rows():
        scanned += 1
        if scanned > MAX_SCANNED_ROWS:
            raise too_many
        texts = []
        row_number = None
        for cell in row:
            if getattr(cell, "row", None) is not None and row_number is None:
                row_number = cell.row
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
                raise ImportFileError(
                    f"工作表“{sheet_name}”第 {cell.row} 行 {cell.column_letter} 列包含公式，"
                    "请复制后“选择性粘贴 → 数值”再上传。"
                )
            texts.append(_cell_text(value))
        row_number = row_number or scanned
        if not any(texts):
            continue
        if header_map is None:
            if scanned > 5:
                raise ImportFileError(f"工作表“{sheet_name}”的前 5 行中找不到表头（应包含：{'、'.join(expected)}）。")
            if expected[0] not in texts:
                continue  # a title row above the header
            header_map = {}
            unknown = []
            for index, text in enumerate(texts):
                if not text:
                    continue
                name = text.rstrip("*＊ ")
                if name in by_header and name not in header_map.values():
                    header_map[index] = name
                else:
                    unknown.append(text)
            missing = [c.header for c in columns if not c.optional and c.header not in header_map.values()]
            if missing or unknown:
                parts = []
                if missing:
                    parts.append(f"缺少列：{'、'.join(missing)}")
                if unknown:
                    shown = "、".join(u[:20] for u in unknown[:10]) + (f" 等 {len(unknown)} 列" if len(unknown) > 10 else "")
                    parts.append(f"无法识别或重复的列：{shown}")
                raise ImportFileError(
                    f"工作表“{sheet_name}”的表头不正确（{'；'.join(parts)}）。请使用下载的模板，表头应为：{'、'.join(expected)}。"
                )
            continue
        values = {by_header[h]: (texts[i] if i < len(texts) else "") for i, h in header_map.items()}
        rows.append((row_number, values))
        if len(rows) > MAX_DATA_ROWS:
            raise too_many
    if header_map is None:
        raise ImportFileError(f"工作表“{sheet_name}”中找不到表头（应包含：{'、'.join(expected)}）。")
    return rows


def _sheet_parts(zf):
    """{sheet name: zip member of its XML} from workbook.xml and its rels."""
    from xml.etree import ElementTree as ET

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        wb_xml = ET.fromstring(zf.read("xl/workbook.xml"))
        rels_xml = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        raise ImportFileError("文件已损坏或不是有效的 Excel（.xlsx）文件。") from None
    targets = {}
    for rel in rels_xml:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = target
    parts = {}
    for sheet in wb_xml.iter(f"{ns_main}sheet"):
        name = sheet.get("name")
        if name in SHEETS:
            parts[name] = targets.get(sheet.get(f"{ns_rel}id"))
    return parts


def read_workbook(data):
    """{sheet name: rows} for the sheets present ("党组织", "账号"); raises ImportFileError."""
    zf, infos = _check_zip(data)
    parts = _sheet_parts(zf)
    if not parts:
        raise ImportFileError(f"文件中没有名为“{ORG_SHEET}”或“{ACCOUNT_SHEET}”的工作表，请使用下载的模板。")
    if any(p is None or p not in zf.NameToInfo for p in parts.values()):
        raise ImportFileError("文件已损坏或不是有效的 Excel（.xlsx）文件。")
    _scan_parts(zf, infos, parts)

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds on malformed parts
        raise ImportFileError("无法读取该 Excel 文件（文件可能已损坏），请使用下载的模板重新填写。") from None
    try:
        sheets = {}
        for name, columns in SHEETS.items():
            if name in wb.sheetnames:
                sheets[name] = _read_sheet(wb[name], name, columns)
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError("无法读取该 Excel 文件（文件可能已损坏），请使用下载的模板重新填写。") from None
    finally:
        wb.close()
    return sheets
