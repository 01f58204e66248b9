"""Spreadsheets of the org tree and accounts, in exactly the import format (so they round-trip).

Layout of each data sheet: row 1 a title with the export time (Asia/Shanghai), row 2 the
Chinese headers (frozen, with an auto-filter), data from row 3. No merged cells and no formulas:
the importer refuses both.
"""

from django.utils import timezone

from core import xlsx

from .importing import ACCOUNT_COLUMNS, ACCOUNT_SHEET, MAX_DATA_ROWS, ORG_COLUMNS, ORG_SHEET, Column, yes_no
from .models import Level, Organization, OrgType, Role, RoleAssignment, User

XLSX_CONTENT_TYPE = xlsx.CONTENT_TYPE


def export_time_text(now=None):
    return xlsx.export_time_text(now or timezone.now())


def _cols(columns):
    """The import format's columns as writer columns: text columns stay text (leading zeros, long numbers)."""
    return [xlsx.Col(c.header, c.width, "text" if c.text else "") for c in columns]


def _sheet(wb, name, heading, columns, rows, *, validations=()):
    choices = [xlsx.Choice(_column_index(columns, field), tuple(options), hint, rows=MAX_DATA_ROWS)
               for field, options, hint in validations]
    return wb.add_sheet(name, heading, _cols(columns), rows, choices=choices)


def _column_index(columns, field):
    return [c.field for c in columns].index(field)


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
    users = User.objects.order_by("username").only("id", "username", "full_name", "email", "phone")
    assignments = {}
    for ra in RoleAssignment.objects.active().select_related("organization").only(
        "user_id", "role", "organization__code"
    ).order_by("role", "organization__code"):
        assignments.setdefault(ra.user_id, []).append(ra)
    for u in users:
        base = [u.username, u.full_name, u.email, u.phone]
        roles = assignments.get(u.pk)
        if not roles:
            yield base + ["", ""]
        for ra in roles or ():
            yield base + [Role(ra.role).label, ra.organization.code if ra.organization_id else ""]


def _validations():
    return {
        ORG_SHEET: [
            ("level", [str(x.label) for x in Level], "层级"),
            ("org_type", [str(x.label) for x in OrgType], "类型"),
            ("dual_leader", ["是", "否"], "是或否"),
            ("is_active", ["是", "否"], "是或否"),
        ],
        ACCOUNT_SHEET: [("role", [str(x.label) for x in Role], "角色")],
    }


def org_tree_workbook(now=None):
    """Every org (active or not) and every account with its active roles, as import-ready xlsx bytes."""
    now = now or timezone.now()
    wb = xlsx.Workbook()
    orgs = tree_order(list(Organization.objects.all()))
    validations = _validations()
    _sheet(wb, ORG_SHEET, xlsx.title(f"党组织名单（共 {len(orgs)} 个）", now=now), ORG_COLUMNS,
           _org_rows(orgs), validations=validations[ORG_SHEET])
    _sheet(wb, ACCOUNT_SHEET, xlsx.title("账号与角色名单", now=now), ACCOUNT_COLUMNS,
           _account_rows(), validations=validations[ACCOUNT_SHEET])
    return wb.to_bytes()


INSTRUCTIONS = [
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
    ("账号 · 新账号", "导入后系统为每个新账号生成一次性激活链接，由组织部发给本人设置密码；文件中不填写密码。"),
    ("账号 · 未列出的角色", "导入只新增角色，不会撤销文件中未列出的角色。"),
]


def template_workbook(now=None):
    """The empty import template: the two sheets with headers and drop-downs, plus instructions."""
    now = now or timezone.now()
    wb = xlsx.Workbook()
    validations = _validations()
    _sheet(wb, ORG_SHEET, xlsx.title("党组织导入模板", now=now), ORG_COLUMNS, [], validations=validations[ORG_SHEET])
    _sheet(wb, ACCOUNT_SHEET, xlsx.title("账号导入模板", now=now), ACCOUNT_COLUMNS, [],
           validations=validations[ACCOUNT_SHEET])
    wb.add_sheet("填写说明", xlsx.title("党组织与账号导入 · 填写说明", now=now),
                 [xlsx.Col("项目", 24), xlsx.Col("说明", 100, "wrap")], INSTRUCTIONS)
    return wb.to_bytes()


def activation_links_workbook(rows, now=None):
    """rows: (username, full name, link). For the admin to hand out; contains secrets."""
    columns = [Column("用户名", "username", 16), Column("姓名", "full_name", 12), Column("激活链接（一次性）", "link", 100)]
    wb = xlsx.Workbook()
    _sheet(wb, "激活链接", xlsx.title("新账号激活链接", details=["链接使用一次后失效，请勿外传"], now=now or timezone.now()),
           columns, rows)
    return wb.to_bytes()
