"""The dry run: compare the rows with the database and list what applying would change."""


from django.core.exceptions import ValidationError

from ..models import (
    PARENT_LEVEL, ROLE_ORG_LEVEL, Level, Organization, OrgType, Role, RoleAssignment, User, employee_id_validator,
)
from .changes import AccountChange, Diff, OrgChange, Plan, RoleChange, RowError
from .validation import (
    _max_length, _check_text, _check_phone, _check_email, _parse_org_row, ORG_LABELS, ACCOUNT_LABELS,
)
from .columns import (
    ACCOUNT_SHEET, ORG_BOOL_FIELDS, ORG_COMPARED, ORG_SHEET, OPTIONAL_USER_FIELDS, ROLE_LOOKUP, USER_FIELDS, _choices_hint, _norm, yes_no,
)

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
        for u in User.objects.filter(username__in=names[i:i + 500]).only("id", "username", *USER_FIELDS, *OPTIONAL_USER_FIELDS):
            users[u.username] = u
    # 工号 already held by some account: {工号: username}, to refuse giving one 工号 to two accounts
    wanted_ids = sorted({cells["employee_id"].strip() for _, cells in rows if cells.get("employee_id", "").strip()})
    id_holders = {}
    for i in range(0, len(wanted_ids), 500):
        for employee_id, holder in User.objects.filter(employee_id__in=wanted_ids[i:i + 500]).values_list("employee_id", "username"):
            id_holders[employee_id] = holder
    id_rows = {}  # 工号 -> (first row, username) within the file
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
        if "employee_id" in cells:  # the optional 工号 column is in the file
            employee_id = values["employee_id"] = cells["employee_id"].strip()
            if employee_id:
                try:
                    employee_id_validator(employee_id)
                except ValidationError:
                    plan.errors.append(RowError(sheet, row, "工号", f"工号“{employee_id[:40]}”只能包含字母、数字、下划线和连字符，最多 32 位"))
                else:
                    holder = id_holders.get(employee_id)
                    first = id_rows.setdefault(employee_id, (row, username))
                    if holder and holder != username:
                        plan.errors.append(RowError(sheet, row, "工号", f"工号“{employee_id}”已属于账号“{holder}”，同一工号只能对应一个账号"))
                    elif first[1] != username:
                        plan.errors.append(RowError(sheet, row, "工号", f"工号“{employee_id}”与第 {first[0]} 行的账号“{first[1]}”重复"))
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
            for f in values:
                if f in first_values and values[f] != first_values[f]:
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
        diffs = [Diff(f, ACCOUNT_LABELS[f], getattr(user, f), values[f]) for f in values if getattr(user, f) != values[f]]
        if diffs:
            plan.accounts.append(AccountChange("update", row, username, {d.field: d.new for d in diffs}, diffs, user.pk))
        else:
            plan.unchanged_accounts += 1


def _plan_absent_accounts(plan, rows):
    """revoke_absent: roles no longer listed are revoked; accounts no longer listed are deactivated.

    The file is then the complete list of accounts and roles. 组织部管理员 roles and accounts that hold
    one (and technical superuser accounts) are never touched by an import, so an import cannot lock
    组织部 out; they are named in the warnings instead. 2 queries."""
    listed_users = {User.normalize_username(cells["username"]) for _, cells in rows if cells["username"]}
    listed_roles = set()
    for _, cells in rows:
        role = ROLE_LOOKUP.get(_norm(cells["role"])) if cells["role"] else None
        if cells["username"] and role:
            listed_roles.add((User.normalize_username(cells["username"]), role, cells["org"]))
    active = list(RoleAssignment.objects.filter(is_active=True, user__is_active=True)
                  .select_related("organization").only("id", "role", "user__username", "organization__code")
                  .values_list("pk", "role", "user__username", "organization__code"))
    admins = {username for _pk, role, username, _code in active if role == Role.ADMIN}
    for pk, role, username, code in sorted(active, key=lambda a: (a[2], a[1], a[3] or "")):
        key = (username, role, code or "")
        if key in listed_roles or username not in listed_users:
            continue
        if role == Role.ADMIN:
            plan.warnings.append(RowError(ACCOUNT_SHEET, None, "角色", f"“{username}”的组织部管理员角色文件中未列出，导入不会撤销（请在账号页面处理）"))
            continue
        plan.roles.append(RoleChange("revoke", None, username, role, code or "", pk))
    users = User.objects.filter(is_active=True).only("id", "username", "full_name", "is_superuser").order_by("username")
    for user in users:
        if user.username in listed_users:
            continue
        if user.username in admins or user.is_superuser:
            plan.warnings.append(RowError(ACCOUNT_SHEET, None, "用户名", f"“{user.username}”是组织部管理员或技术管理员，文件中未列出，导入不会停用"))
            continue
        plan.accounts.append(AccountChange("deactivate", None, user.username, {"is_active": False},
                                           [Diff("is_active", "是否有效", "是", "否")], user.pk))


def plan_import(sheets, deactivate_absent=False, revoke_absent=False):
    """The dry run: a Plan of what applying ``sheets`` (from read_workbook) would change."""
    plan = Plan(deactivate_absent=deactivate_absent, revoke_absent=revoke_absent, sheets=tuple(sheets))
    if revoke_absent and not sheets.get(ACCOUNT_SHEET):
        plan.errors.append(RowError(ACCOUNT_SHEET, None, "", "勾选了“停用文件中未列出的账号、撤销未列出的角色”，但文件中没有账号数据；为防止误停用全部账号，已拒绝。"))
        return plan
    if deactivate_absent and not sheets.get(ORG_SHEET):
        plan.errors.append(RowError(ORG_SHEET, None, "", "勾选了“停用文件中未列出的党组织”，但文件中没有党组织数据；为防止误停用全部党组织，已拒绝。"))
        return plan
    org_rows = sheets.get(ORG_SHEET, [])
    existing, parsed, file_codes = _plan_orgs(plan, org_rows, deactivate_absent)
    org_levels = {code: org.level for code, org in existing.items()}
    for code in file_codes:
        org_levels[code] = parsed[code][1]["level"] if code in parsed else None
    _plan_accounts(plan, sheets.get(ACCOUNT_SHEET, []), org_levels)
    if revoke_absent and not plan.errors:
        _plan_absent_accounts(plan, sheets.get(ACCOUNT_SHEET, []))
    return plan
