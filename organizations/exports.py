"""Spreadsheets of the org tree and accounts, in exactly the import format (so they round-trip).

Layout of each data sheet: row 1 a title with the export time (Asia/Shanghai), row 2 the
Chinese headers (frozen, with an auto-filter), data from row 3. No merged cells and no formulas:
the importer refuses both.
"""

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .importing import ACCOUNT_COLUMNS, ACCOUNT_SHEET, MAX_DATA_ROWS, ORG_COLUMNS, ORG_SHEET, Column, yes_no
from .models import Level, Organization, OrgType, Role, RoleAssignment, User

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE_FONT = Font(bold=True, size=13)
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="B22222")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)


def export_time_text(now=None):
    now = timezone.localtime(now or timezone.now())  # TIME_ZONE is Asia/Shanghai
    return now.strftime("%Y-%m-%d %H:%M")


def _sheet(wb, title, heading, columns, rows, *, validations=()):
    ws = wb.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A3"
    last_col = get_column_letter(len(columns))
    n = 0

    title_cell = WriteOnlyCell(ws, heading)
    title_cell.font = TITLE_FONT
    ws.append([title_cell])
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, column.header)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGN
        header.append(cell)
    ws.append(header)
    for values in rows:
        out = []
        for column, value in zip(columns, values):
            cell = WriteOnlyCell(ws, value if value != "" else None)
            if column.text:
                cell.number_format = "@"
            out.append(cell)
        ws.append(out)
        n += 1
    ws.auto_filter.ref = f"A2:{last_col}{max(n + 2, 3)}"
    for letter, options, hint in validations:
        dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True, showErrorMessage=True)
        dv.error, dv.errorTitle, dv.prompt = f"请从下拉列表中选择：{hint}", "输入有误", hint
        dv.add(f"{letter}3:{letter}{MAX_DATA_ROWS + 2}")
        ws.data_validations.append(dv)
    return ws


def _column_letter(columns, field):
    return get_column_letter([c.field for c in columns].index(field) + 1)


def _org_rows(orgs):
    code_by_id = {o.pk: o.code for o in orgs}
    for o in orgs:
        yield [
            o.code, o.name, o.short_name, Level(o.level).label, OrgType(o.org_type).label,
            code_by_id.get(o.parent_id, ""), o.secretary_name, o.secretary_title, o.secretary_phone,
            o.contact_name, o.contact_phone, o.contact_email,
            o.members_staff, o.members_student, o.members_retired, o.members_probationary,
            yes_no(o.dual_leader), yes_no(o.is_active),
        ]


def tree_order(orgs):
    """School(s), then each college followed by its branches; anything else at the end."""
    children = {}
    for o in orgs:
        children.setdefault(o.parent_id, []).append(o)
    key = lambda o: (o.sort_order, o.code)  # noqa: E731
    ordered, seen = [], set()

    def visit(o):
        if o.pk in seen:
            return
        seen.add(o.pk)
        ordered.append(o)
        for child in sorted(children.get(o.pk, []), key=key):
            visit(child)

    for root in sorted(children.get(None, []), key=lambda o: ({"school": 0, "college": 1}.get(o.level, 2),) + key(o)):
        visit(root)
    for o in sorted(orgs, key=key):
        visit(o)
    return ordered


def _account_rows():
    users = User.objects.order_by("username").only("id", "username", "full_name", "email", "phone", "employee_id")
    assignments = {}
    for ra in RoleAssignment.objects.active().select_related("organization").only(
        "user_id", "role", "organization__code"
    ).order_by("role", "organization__code"):
        assignments.setdefault(ra.user_id, []).append(ra)
    for u in users:
        base = [u.username, u.full_name, u.email, u.phone]
        roles = assignments.get(u.pk)
        if not roles:
            yield base + ["", "", u.employee_id]
        for ra in roles or ():
            yield base + [Role(ra.role).label, ra.organization.code if ra.organization_id else "", u.employee_id]


def _validations():
    return {
        ORG_SHEET: [
            (_column_letter(ORG_COLUMNS, "level"), [str(x.label) for x in Level], "层级"),
            (_column_letter(ORG_COLUMNS, "org_type"), [str(x.label) for x in OrgType], "类型"),
            (_column_letter(ORG_COLUMNS, "dual_leader"), ["是", "否"], "是或否"),
            (_column_letter(ORG_COLUMNS, "is_active"), ["是", "否"], "是或否"),
        ],
        ACCOUNT_SHEET: [(_column_letter(ACCOUNT_COLUMNS, "role"), [str(x.label) for x in Role], "角色")],
    }


def _save(wb):
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def org_tree_workbook(now=None):
    """Every org (active or not) and every account with its active roles, as import-ready xlsx bytes."""
    when = export_time_text(now)
    wb = Workbook(write_only=True)
    orgs = tree_order(list(Organization.objects.all()))
    validations = _validations()
    _sheet(wb, ORG_SHEET, f"党组织名单（共 {len(orgs)} 个） · 导出时间：{when}（北京时间）", ORG_COLUMNS,
           _org_rows(orgs), validations=validations[ORG_SHEET])
    _sheet(wb, ACCOUNT_SHEET, f"账号与角色名单 · 导出时间：{when}（北京时间）", ACCOUNT_COLUMNS,
           _account_rows(), validations=validations[ACCOUNT_SHEET])
    return _save(wb)


INSTRUCTIONS = [
    ("填写说明", ""),
    ("通用", "第 1 行为标题，第 2 行为表头（请勿修改表头），从第 3 行开始每行填写一条。不要合并单元格，不要使用公式。"),
    ("通用", f"每个工作表最多 {MAX_DATA_ROWS} 行，文件不超过 5 MB。可以只填写其中一个工作表。"),
    ("党组织 · 编码", "唯一标识，只能包含字母、数字、下划线和连字符（如 JX、JX-JG1）。已存在的编码表示修改该党组织，新编码表示新建。"),
    ("党组织 · 层级", "校党委 / 院(处)级党组织 / 党支部；可留空，由类型推断。已有党组织的层级不能通过导入修改。"),
    ("党组织 · 类型", "、".join(str(t.label) for t in OrgType)),
    ("党组织 · 上级编码", "院(处)级党组织的上级为校党委；党支部的上级为院(处)级党组织；校党委留空。上级可以在同一文件中新建。"),
    ("党组织 · 是否有效", "是 / 否（留空为“是”）。党组织不会被删除：填“否”即停用，历史记录保留。"),
    ("党组织 · 未列出的党组织", "默认不变；上传时勾选“停用文件中未列出的党组织”才会停用它们（用于导入完整名单）。"),
    ("账号 · 用户名", "登录用的用户名。已存在的用户名表示修改该账号的姓名/邮箱/手机，新用户名表示新建账号。"),
    ("账号 · 角色", "、".join(str(r.label) for r in Role) + "；留空表示只建账号不分配角色。一人多个角色时写多行，姓名等信息保持一致。"),
    ("账号 · 所属党组织编码", "院级党组织书记/联系人填院(处)级党组织编码；支部书记填党支部编码；评审专家可填所在单位（用于回避）；管理员与校领导留空。"),
    ("账号 · 工号", "可选列。统一身份认证（CAS）登录时按工号找到对应账号；每个工号只能属于一个账号。留空表示清除工号；删除整列则不修改任何账号的工号。"),
    ("账号 · 新账号", "导入后系统为每个新账号生成一次性激活链接，由组织部发给本人设置密码；文件中不填写密码。"),
    ("账号 · 未列出的角色", "导入只新增角色，不会撤销文件中未列出的角色。"),
]


def template_workbook(now=None):
    """The empty import template: the two sheets with headers and drop-downs, plus instructions."""
    when = export_time_text(now)
    wb = Workbook(write_only=True)
    validations = _validations()
    _sheet(wb, ORG_SHEET, f"党组织导入模板 · 生成时间：{when}（北京时间）", ORG_COLUMNS, [], validations=validations[ORG_SHEET])
    _sheet(wb, ACCOUNT_SHEET, f"账号导入模板 · 生成时间：{when}（北京时间）", ACCOUNT_COLUMNS, [],
           validations=validations[ACCOUNT_SHEET])
    ws = wb.create_sheet("填写说明")
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 100
    for index, (label, text) in enumerate(INSTRUCTIONS):
        a, b = WriteOnlyCell(ws, label), WriteOnlyCell(ws, text or None)
        if index == 0:
            a.font = TITLE_FONT
        b.alignment = Alignment(wrap_text=True, vertical="top")
        ws.append([a, b])
    return _save(wb)


def activation_links_workbook(rows, now=None):
    """rows: (username, full name, link). For the admin to hand out; contains secrets."""
    columns = [Column("用户名", "username", 16), Column("姓名", "full_name", 12), Column("激活链接（一次性）", "link", 100)]
    wb = Workbook(write_only=True)
    _sheet(wb, "激活链接", f"新账号激活链接 · 生成时间：{export_time_text(now)}（北京时间） · 链接使用一次后失效，请勿外传", columns, rows)
    return _save(wb)
