"""Spreadsheet import of the org tree and accounts.

Three steps, each usable on its own:

- ``read_workbook(data)``: check that the bytes are a safe, plain .xlsx (size, zip magic,
  zip-bomb limits, no macros/DTDs/formulas/merged cells, row cap) and return the rows of the
  two sheets "党组织" and "账号". Raises ``ImportFileError`` (Chinese message) otherwise.
- ``plan_import(sheets, deactivate_absent=False)``: the dry run. Compares the rows with the
  database and returns a ``Plan``: what would be created, changed, deactivated, plus row-by-row
  errors. Reads a constant number of queries whatever the file size.
- ``apply_plan(plan, by=..., expected_digest=...)``: all-or-nothing, in one transaction;
  refuses when the data changed since the preview (the plan's digest differs).

Orgs are never deleted. Orgs missing from the file are left alone unless the admin asks for a
full-list import (``deactivate_absent``), which deactivates them. Roles missing from the file
are left alone. New accounts get an unusable password; ``activation_link`` gives the one-time
link with which the person sets their own password.
"""

import hashlib
import io
import json
import re
import warnings
import zipfile
from dataclasses import dataclass, field

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core import audit
from core.concurrency import StaleEdit

from .models import (
    PARENT_LEVEL,
    ROLE_ORG_LEVEL,
    TYPES_BY_LEVEL,
    Level,
    Organization,
    OrgType,
    Role,
    RoleAssignment,
    User,
    code_validator,
    phone_validator,
)

# ---------------------------------------------------------------- limits

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_DATA_ROWS = 5000  # per sheet, non-empty rows
MAX_SCANNED_ROWS = MAX_DATA_ROWS * 2  # including empty/formatted rows
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # sum of the zip members' declared sizes
MAX_MEMBER_RATIO = 100  # uncompressed/compressed, for members above RATIO_MIN_SIZE
RATIO_MIN_SIZE = 1024 * 1024
MAX_ZIP_MEMBERS = 500

ORG_SHEET = "党组织"
ACCOUNT_SHEET = "账号"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    width: int
    text: bool = True  # stored as text in Excel (keeps leading zeros, long phone numbers)


ORG_COLUMNS = [
    Column("编码", "code", 14),
    Column("名称", "name", 30),
    Column("简称", "short_name", 14),
    Column("层级", "level", 16),
    Column("类型", "org_type", 16),
    Column("上级编码", "parent", 12),
    Column("书记姓名", "secretary_name", 10),
    Column("书记职务", "secretary_title", 16),
    Column("书记电话", "secretary_phone", 15),
    Column("联系人", "contact_name", 10),
    Column("联系人手机", "contact_phone", 15),
    Column("联系人邮箱", "contact_email", 24),
    Column("教工党员数", "members_staff", 11, text=False),
    Column("学生党员数", "members_student", 11, text=False),
    Column("离退休党员数", "members_retired", 12, text=False),
    Column("预备党员数", "members_probationary", 11, text=False),
    Column("是否双带头人", "dual_leader", 12),
    Column("是否有效", "is_active", 9),
]
ACCOUNT_COLUMNS = [
    Column("用户名", "username", 16),
    Column("姓名", "full_name", 12),
    Column("邮箱", "email", 26),
    Column("手机", "phone", 15),
    Column("角色", "role", 20),
    Column("所属党组织编码", "org", 16),
]
SHEETS = {ORG_SHEET: ORG_COLUMNS, ACCOUNT_SHEET: ACCOUNT_COLUMNS}

ORG_TEXT_FIELDS = [
    "name", "short_name", "secretary_name", "secretary_title", "secretary_phone",
    "contact_name", "contact_phone", "contact_email",
]
ORG_COUNT_FIELDS = ["members_staff", "members_student", "members_retired", "members_probationary"]
ORG_BOOL_FIELDS = ["dual_leader", "is_active"]
ORG_COMPARED = ["name", "short_name", "level", "org_type", "parent"] + ORG_TEXT_FIELDS[2:] + ORG_COUNT_FIELDS + ORG_BOOL_FIELDS
USER_FIELDS = ["full_name", "email", "phone"]

YES = {"是", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "n", "no", "false", "0", "×", ""}


def yes_no(value):
    return "是" if value else "否"


class ImportFileError(Exception):
    """The file as a whole cannot be imported; nothing was read into the database."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


# ---------------------------------------------------------------- label lookups


def _norm(text):
    return text.replace("（", "(").replace("）", ")").replace(" ", "").lower()


def _lookup(pairs):
    table = {}
    for value, labels in pairs:
        for label in labels:
            table[_norm(str(label))] = value
    return table


LEVEL_LOOKUP = _lookup(
    [
        (Level.SCHOOL, [Level.SCHOOL.label, Level.SCHOOL.value, "校级", "学校党委"]),
        (Level.COLLEGE, [Level.COLLEGE.label, Level.COLLEGE.value, "院级", "院(处)级", "院级党组织"]),
        (Level.BRANCH, [Level.BRANCH.label, Level.BRANCH.value, "支部"]),
    ]
)
TYPE_LOOKUP = _lookup(
    [(t, [t.label, t.value] + ([t.label.removesuffix("党支部")] if t.label.endswith("党支部") and t.label != "直属党支部" else []))
     for t in OrgType]
)
ROLE_LOOKUP = _lookup(
    [
        (Role.ADMIN, [Role.ADMIN.label, Role.ADMIN.value, "管理员"]),
        (Role.JUDGE, [Role.JUDGE.label, Role.JUDGE.value, "评委"]),
        (Role.COLLEGE_SECRETARY, [Role.COLLEGE_SECRETARY.label, Role.COLLEGE_SECRETARY.value, "院级党组织书记", "院级党组织联系人", "院级书记"]),
        (Role.BRANCH_SECRETARY, [Role.BRANCH_SECRETARY.label, Role.BRANCH_SECRETARY.value, "党支部书记"]),
        (Role.APPROVER, [Role.APPROVER.label, Role.APPROVER.value, "校领导", "审定"]),
    ]
)
LEVEL_OF_TYPE = {t: level for level, types in TYPES_BY_LEVEL.items() for t in types}


def _choices_hint(choices):
    return "、".join(str(c.label) for c in choices)


# ---------------------------------------------------------------- reading the file

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
            missing = [h for h in expected if h not in header_map.values()]
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


# ---------------------------------------------------------------- the plan


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str
    message: str


@dataclass
class Diff:
    field: str
    label: str
    old: object
    new: object


@dataclass
class OrgChange:
    action: str  # create | update | deactivate
    row: int | None
    code: str
    name: str
    level: str
    data: dict  # field -> new value; "parent" holds the parent's code
    diffs: list = field(default_factory=list)
    org_id: int | None = None
    version: int | None = None

    @property
    def level_label(self):
        return Level(self.level).label

    @property
    def type_label(self):
        org_type = self.data.get("org_type")
        return OrgType(org_type).label if org_type else ""


@dataclass
class AccountChange:
    action: str  # create | update
    row: int
    username: str
    data: dict
    diffs: list = field(default_factory=list)
    user_id: int | None = None


@dataclass
class RoleChange:
    action: str  # create | reactivate
    row: int
    username: str
    role: str
    org_code: str
    assignment_id: int | None = None

    @property
    def role_label(self):
        return Role(self.role).label


@dataclass
class Plan:
    orgs: list = field(default_factory=list)
    accounts: list = field(default_factory=list)
    roles: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    unchanged_orgs: int = 0
    unchanged_accounts: int = 0
    deactivate_absent: bool = False
    sheets: tuple = ()

    def _of(self, items, action):
        return [c for c in items if c.action == action]

    @property
    def org_creates(self):
        return self._of(self.orgs, "create")

    @property
    def org_updates(self):
        return self._of(self.orgs, "update")

    @property
    def org_deactivations(self):
        return self._of(self.orgs, "deactivate")

    @property
    def account_creates(self):
        return self._of(self.accounts, "create")

    @property
    def account_updates(self):
        return self._of(self.accounts, "update")

    @property
    def has_changes(self):
        return bool(self.orgs or self.accounts or self.roles)

    @property
    def can_apply(self):
        return not self.errors and self.has_changes

    def digest(self):
        """A fingerprint of exactly what applying would do (and of the versions it was planned on)."""
        payload = {
            "orgs": [(c.action, c.code, c.version, sorted((k, str(v)) for k, v in c.data.items()),
                      [(d.field, str(d.old), str(d.new)) for d in c.diffs]) for c in self.orgs],
            "accounts": [(c.action, c.username, sorted(c.data.items()), [(d.field, d.old, d.new) for d in c.diffs])
                         for c in self.accounts],
            "roles": [(c.action, c.username, c.role, c.org_code) for c in self.roles],
            "errors": len(self.errors),
        }
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False, default=str).encode()).hexdigest()


ORG_LABELS = {c.field: c.header for c in ORG_COLUMNS}
ACCOUNT_LABELS = {c.field: c.header for c in ACCOUNT_COLUMNS}
_email = EmailValidator()


def _max_length(model, name):
    return model._meta.get_field(name).max_length


def _check_text(errors, sheet, row, label, value, max_length):
    if max_length and len(value) > max_length:
        errors.append(RowError(sheet, row, label, f"{label}不能超过 {max_length} 个字符（现为 {len(value)} 个）"))
        return False
    return True


def _check_phone(errors, sheet, row, label, value):
    if not value:
        return True
    try:
        phone_validator(value)
    except ValidationError:
        errors.append(RowError(sheet, row, label, f"{label}“{value}”格式不正确（只能包含数字、空格和 + - ( )，5-20 位）"))
        return False
    return True


def _check_email(errors, sheet, row, label, value):
    if not value:
        return True
    try:
        _email(value)
    except ValidationError:
        errors.append(RowError(sheet, row, label, f"{label}“{value}”格式不正确"))
        return False
    return True


def _parse_org_row(row, cells, errors):
    """The typed values of one 党组织 row, or None if the row has errors (which are appended)."""
    sheet = ORG_SHEET
    n_before = len(errors)
    v = {}
    code = cells["code"]
    if not code:
        errors.append(RowError(sheet, row, "编码", "编码不能为空"))
    else:
        try:
            code_validator(code)
        except ValidationError:
            errors.append(RowError(sheet, row, "编码", f"编码“{code}”只能包含字母、数字、下划线和连字符，最多 32 位"))
    v["code"] = code
    if not cells["name"]:
        errors.append(RowError(sheet, row, "名称", "名称不能为空"))
    for f in ORG_TEXT_FIELDS:
        v[f] = cells[f]
        _check_text(errors, sheet, row, ORG_LABELS[f], cells[f], _max_length(Organization, f))
    _check_phone(errors, sheet, row, "书记电话", v["secretary_phone"])
    _check_phone(errors, sheet, row, "联系人手机", v["contact_phone"])
    _check_email(errors, sheet, row, "联系人邮箱", v["contact_email"])

    org_type = TYPE_LOOKUP.get(_norm(cells["org_type"])) if cells["org_type"] else None
    if not cells["org_type"]:
        errors.append(RowError(sheet, row, "类型", f"类型不能为空（可选：{_choices_hint(OrgType)}）"))
    elif org_type is None:
        errors.append(RowError(sheet, row, "类型", f"未知的类型“{cells['org_type']}”（可选：{_choices_hint(OrgType)}）"))
    level = LEVEL_LOOKUP.get(_norm(cells["level"])) if cells["level"] else None
    if cells["level"] and level is None:
        errors.append(RowError(sheet, row, "层级", f"未知的层级“{cells['level']}”（可选：{_choices_hint(Level)}）"))
    elif level is None and org_type:
        level = LEVEL_OF_TYPE[org_type]  # 层级 may be left empty: the type implies it
    if level and org_type and org_type not in TYPES_BY_LEVEL[level]:
        errors.append(RowError(sheet, row, "类型", f"类型“{OrgType(org_type).label}”与层级“{Level(level).label}”不匹配"))
    v["level"], v["org_type"] = level, org_type
    v["parent"] = cells["parent"]

    for f in ORG_COUNT_FIELDS:
        text = cells[f]
        if not text:
            v[f] = 0
            continue
        try:
            number = int(float(text)) if re.fullmatch(r"\d+(\.0+)?", text) else None
        except ValueError:
            number = None
        if number is None:
            errors.append(RowError(sheet, row, ORG_LABELS[f], f"{ORG_LABELS[f]}“{text}”应为不小于 0 的整数"))
        v[f] = number
    for f, default in (("dual_leader", False), ("is_active", True)):
        text = _norm(cells[f])
        if not text:
            v[f] = default
        elif text in YES:
            v[f] = True
        elif text in NO:
            v[f] = False
        else:
            errors.append(RowError(sheet, row, ORG_LABELS[f], f"{ORG_LABELS[f]}应填“是”或“否”，不能是“{cells[f]}”"))
    return v if len(errors) == n_before else None


def _org_current(org, code_by_id):
    values = {f: getattr(org, f) for f in ORG_COMPARED if f != "parent"}
    values["parent"] = code_by_id.get(org.parent_id, "") if org.parent_id else ""
    return values


def _display(field_name, value):
    if field_name == "level" and value:
        return Level(value).label
    if field_name == "org_type" and value:
        return OrgType(value).label
    if field_name in ORG_BOOL_FIELDS:
        return yes_no(value)
    return value


def _plan_orgs(plan, rows, deactivate_absent):
    existing = {o.code: o for o in Organization.objects.only(*(["id", "code", "version", "parent_id"] + [f for f in ORG_COMPARED if f != "parent"]))}
    code_by_id = {o.pk: code for code, o in existing.items()}
    parsed = {}  # code -> (row, values)
    first_row = {}
    for row, cells in rows:
        code = cells["code"]
        if code and code in first_row:
            plan.errors.append(RowError(ORG_SHEET, row, "编码", f"编码“{code}”与第 {first_row[code]} 行重复"))
            continue
        if code:
            first_row[code] = row
        values = _parse_org_row(row, cells, plan.errors)
        if values is not None:
            parsed[code] = (row, values)

    def final_level(code):
        if code in parsed:
            return parsed[code][1]["level"]
        if code in first_row:
            return None  # the row exists but has errors: don't pile up follow-up errors
        org = existing.get(code)
        return org.level if org else "missing"

    def final_active(code):
        if code in parsed:
            return parsed[code][1]["is_active"]
        org = existing.get(code)
        if org is None:
            return True
        if deactivate_absent and code not in first_row:
            return False
        return org.is_active

    for code, (row, values) in list(parsed.items()):
        level, parent = values["level"], values["parent"]
        expected = PARENT_LEVEL.get(level)
        ok = True
        if code in existing and existing[code].level != level:
            plan.errors.append(RowError(ORG_SHEET, row, "层级", f"已有党组织“{code}”的层级是“{Level(existing[code].level).label}”，导入不能修改层级"))
            ok = False
        if expected is None and parent:
            plan.errors.append(RowError(ORG_SHEET, row, "上级编码", "校党委不能有上级党组织，请留空"))
            ok = False
        elif expected and not parent:
            plan.errors.append(RowError(ORG_SHEET, row, "上级编码", f"{Level(level).label}必须填写上级编码（上级应为{Level(expected).label}）"))
            ok = False
        elif expected:
            parent_level = final_level(parent)
            if parent_level == "missing":
                plan.errors.append(RowError(ORG_SHEET, row, "上级编码", f"上级编码“{parent}”不存在（文件和系统中都没有该党组织）"))
                ok = False
            elif parent_level is not None and parent_level != expected:
                plan.errors.append(RowError(
                    ORG_SHEET, row, "上级编码",
                    f"上级“{parent}”是{Level(parent_level).label}，{Level(level).label}的上级必须是{Level(expected).label}",
                ))
                ok = False
            elif values["is_active"] and not final_active(parent):
                plan.warnings.append(RowError(ORG_SHEET, row, "上级编码", f"上级“{parent}”导入后为停用状态，而本党组织仍为有效"))
        if not ok:
            del parsed[code]

    for code, (row, values) in sorted(parsed.items(), key=lambda item: item[1][0]):
        org = existing.get(code)
        if org is None:
            plan.orgs.append(OrgChange("create", row, code, values["name"], values["level"], values))
            continue
        current = _org_current(org, code_by_id)
        diffs = [
            Diff(f, ORG_LABELS.get(f, f), _display(f, current[f]), _display(f, values[f]))
            for f in ORG_COMPARED if current[f] != values[f]
        ]
        if not diffs:
            plan.unchanged_orgs += 1
            continue
        data = {d.field: values[d.field] for d in diffs}
        action = "deactivate" if org.is_active and values["is_active"] is False else "update"
        plan.orgs.append(OrgChange(action, row, code, values["name"], org.level, data, diffs, org.pk, org.version))

    if deactivate_absent:
        level_rank = {Level.SCHOOL: 0, Level.COLLEGE: 1, Level.BRANCH: 2}
        absent = [o for code, o in existing.items() if code not in first_row and o.is_active]
        for org in sorted(absent, key=lambda o: (level_rank[o.level], o.code)):
            plan.orgs.append(OrgChange(
                "deactivate", None, org.code, org.name, org.level, {"is_active": False},
                [Diff("is_active", "是否有效", "是", "否")], org.pk, org.version,
            ))
        # an org that stays active under a parent that this import deactivates
        absent_codes = {o.code for o in absent}
        for org in existing.values():
            if org.code not in first_row and org.is_active and org.parent_id and org.code not in absent_codes:
                parent_code = code_by_id.get(org.parent_id)
                if parent_code and not final_active(parent_code):
                    plan.warnings.append(RowError(ORG_SHEET, None, "上级编码", f"“{org.code}”仍为有效，但其上级“{parent_code}”将被停用"))
    return existing, parsed, first_row


def _plan_accounts(plan, rows, org_levels):
    """org_levels: code -> level for every org that will exist after the import (None: row had errors)."""
    sheet = ACCOUNT_SHEET
    usernames = {User.normalize_username(cells["username"]) for _, cells in rows if cells["username"]}
    users = {}
    names = list(usernames)
    for i in range(0, len(names), 500):
        for u in User.objects.filter(username__in=names[i:i + 500]).only("id", "username", *USER_FIELDS):
            users[u.username] = u
    assignments = {}
    user_ids = [u.pk for u in users.values()]
    for i in range(0, len(user_ids), 500):
        for ra in RoleAssignment.objects.filter(user_id__in=user_ids[i:i + 500]).select_related("organization").only(
            "id", "user_id", "role", "is_active", "organization__code"
        ):
            key = (ra.user_id, ra.role, ra.organization.code if ra.organization_id else "")
            assignments[key] = ra

    account_rows = {}  # username -> (first row, values)
    seen_roles = {}
    username_validator = User.username_validator
    for row, cells in rows:
        n_before = len(plan.errors)
        # the same normalisation User.clean() applies on save, so a re-import compares equal
        username = User.normalize_username(cells["username"])
        if not username:
            plan.errors.append(RowError(sheet, row, "用户名", "用户名不能为空"))
        else:
            try:
                username_validator(username)
                if len(username) > 150:
                    raise ValidationError("too long")
            except ValidationError:
                plan.errors.append(RowError(sheet, row, "用户名", f"用户名“{username}”只能包含字母、数字和 @ . + - _，最多 150 位"))
        values = {f: cells[f] for f in USER_FIELDS}
        values["email"] = User.objects.normalize_email(values["email"])
        _check_text(plan.errors, sheet, row, "姓名", values["full_name"], _max_length(User, "full_name"))
        _check_email(plan.errors, sheet, row, "邮箱", values["email"])
        _check_text(plan.errors, sheet, row, "邮箱", values["email"], _max_length(User, "email"))
        _check_phone(plan.errors, sheet, row, "手机", values["phone"])

        role = None
        if cells["role"]:
            role = ROLE_LOOKUP.get(_norm(cells["role"]))
            if role is None:
                plan.errors.append(RowError(sheet, row, "角色", f"未知的角色“{cells['role']}”（可选：{_choices_hint(Role)}，或留空）"))
        org_code = cells["org"]
        if org_code:
            level = org_levels.get(org_code, "missing")
            if level == "missing":
                plan.errors.append(RowError(sheet, row, "所属党组织编码", f"所属党组织编码“{org_code}”不存在（文件和系统中都没有该党组织）"))
            elif not role:
                plan.errors.append(RowError(sheet, row, "所属党组织编码", "填写了所属党组织编码，但没有填写角色"))
            elif role in ROLE_ORG_LEVEL and level is not None and level != ROLE_ORG_LEVEL[role]:
                plan.errors.append(RowError(
                    sheet, row, "所属党组织编码",
                    f"角色“{Role(role).label}”必须绑定{Level(ROLE_ORG_LEVEL[role]).label}，“{org_code}”是{Level(level).label}",
                ))
        elif role in ROLE_ORG_LEVEL:
            plan.errors.append(RowError(sheet, row, "所属党组织编码", f"角色“{Role(role).label}”必须填写所属党组织编码（{Level(ROLE_ORG_LEVEL[role]).label}）"))

        if username and username in account_rows:
            first, first_values = account_rows[username]
            for f in USER_FIELDS:
                if values[f] != first_values[f]:
                    plan.errors.append(RowError(sheet, row, ACCOUNT_LABELS[f], f"同一用户名“{username}”在第 {first} 行的{ACCOUNT_LABELS[f]}不同，请保持一致"))
        if role and username:
            key = (username, role, org_code)
            if key in seen_roles:
                plan.errors.append(RowError(sheet, row, "角色", f"与第 {seen_roles[key]} 行重复（同一账号、角色和党组织）"))
            else:
                seen_roles[key] = row
        if len(plan.errors) != n_before:
            continue
        if username not in account_rows:
            account_rows[username] = (row, values)
        user = users.get(username)
        if role:
            ra = assignments.get((user.pk, role, org_code)) if user else None
            if ra is None:
                plan.roles.append(RoleChange("create", row, username, role, org_code))
            elif not ra.is_active:
                plan.roles.append(RoleChange("reactivate", row, username, role, org_code, ra.pk))

    for username, (row, values) in account_rows.items():
        user = users.get(username)
        if user is None:
            plan.accounts.append(AccountChange("create", row, username, values))
            continue
        diffs = [Diff(f, ACCOUNT_LABELS[f], getattr(user, f), values[f]) for f in USER_FIELDS if getattr(user, f) != values[f]]
        if diffs:
            plan.accounts.append(AccountChange("update", row, username, {d.field: d.new for d in diffs}, diffs, user.pk))
        else:
            plan.unchanged_accounts += 1


def plan_import(sheets, deactivate_absent=False):
    """The dry run: a Plan of what applying ``sheets`` (from read_workbook) would change."""
    plan = Plan(deactivate_absent=deactivate_absent, sheets=tuple(sheets))
    if deactivate_absent and not sheets.get(ORG_SHEET):
        plan.errors.append(RowError(ORG_SHEET, None, "", "勾选了“停用文件中未列出的党组织”，但文件中没有党组织数据；为防止误停用全部党组织，已拒绝。"))
        return plan
    org_rows = sheets.get(ORG_SHEET, [])
    existing, parsed, file_codes = _plan_orgs(plan, org_rows, deactivate_absent)
    org_levels = {code: org.level for code, org in existing.items()}
    for code in file_codes:
        org_levels[code] = parsed[code][1]["level"] if code in parsed else None
    _plan_accounts(plan, sheets.get(ACCOUNT_SHEET, []), org_levels)
    return plan


# ---------------------------------------------------------------- applying


class PlanChanged(Exception):
    message = "数据在预览之后已发生变化（可能有人修改了党组织或账号），本次未做任何修改。请重新预览后再确认导入。"

    def __init__(self, detail=""):
        super().__init__(detail)
        if detail:
            self.message = f"导入未完成，本次未做任何修改：{detail}"

    def __str__(self):
        return self.message


@dataclass
class ImportResult:
    created_orgs: int = 0
    updated_orgs: int = 0
    deactivated_orgs: int = 0
    created_accounts: list = field(default_factory=list)  # user ids
    updated_accounts: int = 0
    roles_added: int = 0


def apply_import(sheets, *, by, expected_digest, deactivate_absent=False, note="批量导入"):
    """Re-plan against the current data and apply it all-or-nothing.

    Refuses (PlanChanged) unless the new plan is exactly the one previewed (same digest)."""
    from .services import update_organization

    result = ImportResult()
    try:
        with transaction.atomic():
            plan = plan_import(sheets, deactivate_absent=deactivate_absent)
            if plan.errors or plan.digest() != expected_digest:
                raise PlanChanged()
            level_rank = {Level.SCHOOL: 0, Level.COLLEGE: 1, Level.BRANCH: 2}
            by_code = {o.code: o for o in Organization.objects.all()}
            ordered = sorted(
                (c for c in plan.orgs if c.row is not None),
                key=lambda c: (level_rank[c.level], c.row),
            ) + [c for c in plan.orgs if c.row is None]
            for change in ordered:
                data = dict(change.data)
                if "parent" in data:
                    data["parent"] = by_code[data["parent"]] if data["parent"] else None
                if change.action == "create":
                    data.pop("code", None)
                    org = Organization(code=change.code, **data)
                    org.full_clean()
                    org.save()
                    by_code[org.code] = org
                    audit.record(by, org, "create", audit.diff({}, audit.snapshot(org)), organization=org, note=note)
                    result.created_orgs += 1
                else:
                    org = update_organization(
                        by_code[change.code], data, by=by, expected_version=change.version,
                        action="deactivate" if change.action == "deactivate" else "update", note=note,
                    )
                    by_code[org.code] = org
                    if change.action == "deactivate":
                        result.deactivated_orgs += 1
                    else:
                        result.updated_orgs += 1

            users = {}
            for change in plan.accounts:
                if change.action == "create":
                    user = User(username=change.username, **change.data)
                    user.set_unusable_password()
                    user.full_clean(exclude=["password"])
                    user.save()
                    audit.record(by, user, "create", audit.diff({}, audit.snapshot(user, fields=["username"] + USER_FIELDS)), note=note)
                    result.created_accounts.append(user.pk)
                else:
                    user = User.objects.select_for_update().get(pk=change.user_id)
                    before = audit.snapshot(user, fields=USER_FIELDS)
                    for name, value in change.data.items():
                        setattr(user, name, value)
                    user.full_clean(exclude=["password"])
                    user.save(update_fields=list(change.data))
                    audit.record(by, user, "update", audit.diff(before, audit.snapshot(user, fields=USER_FIELDS)), note=note)
                    result.updated_accounts += 1
                users[user.username] = user

            missing = {c.username for c in plan.roles} - set(users)
            users.update({u.username: u for u in User.objects.filter(username__in=missing)})
            for change in plan.roles:
                org = by_code[change.org_code] if change.org_code else None
                if change.action == "create":
                    ra = RoleAssignment(user=users[change.username], role=change.role, organization=org)
                    ra.full_clean(validate_unique=False, validate_constraints=False)
                    ra.save()
                    changes = {"user": [None, change.username], "role": [None, change.role],
                               "organization": [None, str(org) if org else None]}
                    audit.record(by, ra, "create", changes, organization=org, note=note)
                else:
                    RoleAssignment.objects.filter(pk=change.assignment_id).update(is_active=True)
                    ra = RoleAssignment.objects.get(pk=change.assignment_id)
                    audit.record(by, ra, "update", {"is_active": [False, True]}, organization=org, note=note)
                result.roles_added += 1
    except (StaleEdit, IntegrityError):
        raise PlanChanged() from None
    except ValidationError as exc:
        # The plan validated every row; reaching this means the data moved under us (or a rule
        # the planner does not know): report it, change nothing.
        raise PlanChanged("；".join(exc.messages)) from exc
    return result


# ---------------------------------------------------------------- activation links


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """One-time activation tokens; invalid once the password is set (the hash changes)."""

    key_salt = "organizations.importing.ActivationTokenGenerator"


activation_tokens = ActivationTokenGenerator()


def activation_path(user):
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("activate", kwargs={"uidb64": uidb64, "token": activation_tokens.make_token(user)})


def pending_activation(user_ids=None):
    """Active accounts (among user_ids, if given) that have not set a password yet, by username."""
    qs = User.objects.filter(is_active=True).order_by("username")
    if user_ids is not None:
        qs = qs.filter(pk__in=user_ids)
    # Django marks an unusable password with a leading "!"
    return [u for u in qs.filter(password__startswith="!") if not u.has_usable_password()]
