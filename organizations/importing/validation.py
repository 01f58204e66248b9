"""Checks of one import row (lengths, phones, e-mails, the 党组织 sheet's fields), with Chinese errors."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from ..models import TYPES_BY_LEVEL, Level, Organization, OrgType, code_validator, phone_validator
from .changes import RowError
from .columns import (
    ACCOUNT_COLUMNS, LEVEL_LOOKUP, LEVEL_OF_TYPE, NO, ORG_COLUMNS, ORG_COUNT_FIELDS, ORG_SHEET, ORG_TEXT_FIELDS, TYPE_LOOKUP, YES, _choices_hint, _norm,
)


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
