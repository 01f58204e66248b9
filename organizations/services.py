"""Writes to the org tree. Every change is audited; stale edits are refused."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit import log as audit
from audit.changes import save_changes
from core import versioning

from .models import Organization, User


@transaction.atomic
def update_organization(org, data, *, by, expected_version, action="update", note=""):
    current = versioning.lock(Organization.objects, org.pk, expected_version)
    save_changes(current, data, by=by, organization=current, action=action, note=note)
    return current


def deactivate_organization(org, *, by, reason=""):
    if not org.is_active:
        raise ValidationError("该党组织已停用")
    return update_organization(
        org, {"is_active": False}, by=by, expected_version=org.version, action="deactivate", note=reason
    )


def normalize_employee_id(value):
    return (value or "").strip()


@transaction.atomic
def set_employee_id(user, value, *, by, expected=None):
    """Set (or clear, with "") the 工号 of an account: the key a 统一身份认证 login is matched by.

    ``expected``: the 工号 the editor saw; if it changed meanwhile, nothing is written.
    Raises ValidationError (Chinese) for a bad format, a stale edit or a 工号 another account already has."""
    from audit import log as audit

    from .models import User, employee_id_validator

    value = normalize_employee_id(value)
    if value:
        employee_id_validator(value)
    current = User.objects.select_for_update().get(pk=user.pk)
    if expected is not None and current.employee_id != normalize_employee_id(expected):
        shown = f"“{current.employee_id}”" if current.employee_id else "空"
        raise ValidationError(f"该账号的工号刚被他人修改为{shown}，请核对后再保存。")
    if current.employee_id == value:
        return current
    if value:
        holder = User.objects.filter(employee_id=value).exclude(pk=current.pk).first()
        if holder is not None:
            raise ValidationError(f"工号“{value}”已属于账号“{holder.username}”（{holder.display_name}），同一工号只能对应一个账号。")
    before = current.employee_id
    current.employee_id = value
    try:
        with transaction.atomic():  # a concurrent save gave the same 工号 to another account first
            current.save(update_fields=["employee_id"])
    except IntegrityError as exc:
        raise ValidationError(f"工号“{value}”刚刚已被设置给另一个账号，同一工号只能对应一个账号。请刷新页面后核对。") from exc
    audit.record(by, current, "update", {"employee_id": [before, value]})
    return current
# ---------------------------------------------------------------- accounts (组织部 only)

ACCOUNT_FIELDS = ["full_name", "email", "phone"]


class AccountError(ValidationError):
    """A refused account change, with a message for 组织部 (Chinese)."""


def _require_admin(by):
    from . import roles

    if not roles.is_admin(by):
        raise AccountError("只有党委组织部管理员可以管理账号。")


def _clean_account(user, data):
    for name in ACCOUNT_FIELDS:
        if name in data:
            value = (data[name] or "").strip()
            setattr(user, name, User.objects.normalize_email(value) if name == "email" else value)
    try:
        user.full_clean(exclude=["password"], validate_unique=user.pk is None)
    except ValidationError as exc:
        raise AccountError("；".join(exc.messages)) from exc


@transaction.atomic
def create_account(data, *, by):
    """A new account without a password: the person sets it with a one-time link (password_link)."""
    _require_admin(by)
    username = User.normalize_username((data.get("username") or "").strip())
    if not username:
        raise AccountError("请填写用户名。")
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(f"用户名“{username}”已存在。")
    user = User(username=username)
    user.set_unusable_password()
    _clean_account(user, data)
    user.save()
    audit.record(by, user, "create", audit.diff({}, audit.snapshot(user, fields=["username", *ACCOUNT_FIELDS])))
    return user


@transaction.atomic
def update_account(user, data, *, by):
    _require_admin(by)
    current = User.objects.select_for_update().get(pk=user.pk)
    before = audit.snapshot(current, fields=ACCOUNT_FIELDS)
    _clean_account(current, data)
    changes = audit.diff(before, audit.snapshot(current, fields=ACCOUNT_FIELDS))
    if changes:
        current.save(update_fields=list(changes))
        audit.record(by, current, "update", changes)
    return current


@transaction.atomic
def set_account_active(user, active, *, by, reason=""):
    """Deactivate (the person can no longer sign in; their records stay) or reactivate an account."""
    _require_admin(by)
    current = User.objects.select_for_update().get(pk=user.pk)
    if not active and current.pk == by.pk:
        raise AccountError("不能停用您本人正在使用的账号。")
    if current.is_active == active:
        raise AccountError("该账号已是有效状态。" if active else "该账号已停用。")
    current.is_active = active
    current.save(update_fields=["is_active"])
    audit.record(by, current, "deactivate" if not active else "update", {"is_active": [not active, active]},
                 note=(reason or "").strip()[:200])
    return current


@transaction.atomic
def add_role(user, role, organization, *, by):
    """Give an account a role (bound to an org where the role needs one); an old revoked one is reactivated."""
    from . import roles
    from .models import Role, RoleAssignment

    _require_admin(by)
    if role not in Role.values:
        raise AccountError("未知的角色。")
    existing = RoleAssignment.objects.select_for_update().filter(user=user, role=role, organization=organization).first()
    if existing and existing.is_active:
        raise AccountError("该账号已有此角色。")
    ra = existing or RoleAssignment(user=user, role=role, organization=organization)
    try:
        ra.clean()
    except ValidationError as exc:
        raise AccountError("；".join(exc.messages)) from exc
    ra.is_active = True
    try:
        with transaction.atomic():  # a concurrent grant of the same role inserted it first
            ra.save()
    except IntegrityError as exc:
        raise AccountError("该账号已有此角色。") from exc
    roles.forget(user)
    audit.record(by, ra, "update" if existing else "create",
                 {"is_active": [False, True]} if existing else
                 {"user": [None, user.username], "role": [None, role], "organization": [None, str(organization or "") or None]},
                 organization=organization)
    return ra


@transaction.atomic
def revoke_role(assignment, *, by, note=""):
    from . import roles
    from .models import Role, RoleAssignment

    _require_admin(by)
    ra = RoleAssignment.objects.select_for_update(of=("self",)).select_related("organization").get(pk=assignment.pk)
    if not ra.is_active:
        raise AccountError("该角色已撤销。")
    if ra.role == Role.ADMIN and ra.user_id == by.pk:
        raise AccountError("不能撤销您本人的组织部管理员角色。")
    ra.is_active = False
    ra.save(update_fields=["is_active"])
    roles.forget(ra.user)
    audit.record(by, ra, "revoke_role", {"is_active": [True, False]}, organization=ra.organization, note=note)
    return ra


def password_link(user, *, by, sent_by_email=False):
    """The one-time path with which the person sets a new password (valid PASSWORD_RESET_TIMEOUT; void
    once a password is set). Nothing is stored; issuing it is audited."""
    from .importing import activation_path

    _require_admin(by)
    if not user.is_active:
        raise AccountError("账号已停用，请先恢复账号再重置密码。")
    audit.record(by, user, "password_reset", {"password": ["", "已生成一次性设置密码链接"]},
                 note="已发送到邮箱 " + user.email if sent_by_email else "链接已显示给组织部")
    return activation_path(user)


@transaction.atomic
def email_password_link(user, *, by):
    """E-mail the one-time link to the account's address (the link is made by the task, never stored)."""
    from core.tasks import enqueue_on_commit

    from .tasks import send_password_link

    if not user.email:
        raise AccountError("该账号没有登记邮箱，请改用“生成一次性链接”并转交本人。")
    password_link(user, by=by, sent_by_email=True)
    enqueue_on_commit(send_password_link, user.pk)


@transaction.atomic
def unlock_account(user, *, by):
    """Lift the django-axes lockout of an account (every address it was locked from)."""
    from axes.utils import reset

    _require_admin(by)
    n = reset(username=user.username)
    audit.record(by, user, "unlock", {"登录锁定": ["已锁定" if n else "未锁定", "已解除"]}, note=f"清除登录失败记录 {n} 条")
    return n
