"""The org tree (校党委 → 院(处)级党组织 → 党支部), accounts and their roles."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

phone_validator = RegexValidator(r"^[0-9+\-() ]{5,20}$", "请输入有效的电话号码")
code_validator = RegexValidator(r"^[A-Za-z0-9_\-]{1,32}$", "编码只能包含字母、数字、下划线和连字符")
employee_id_validator = RegexValidator(r"^[A-Za-z0-9_\-]{1,32}$", "工号只能包含字母、数字、下划线和连字符，最多 32 位")


class Level(models.TextChoices):
    SCHOOL = "school", "校党委"
    COLLEGE = "college", "院(处)级党组织"
    BRANCH = "branch", "党支部"


class OrgType(models.TextChoices):
    SCHOOL_COMMITTEE = "school_committee", "校党委"
    COLLEGE_COMMITTEE = "college_committee", "学院党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    DIRECT_BRANCH = "direct_branch", "直属党支部"
    ORGAN_COMMITTEE = "organ_committee", "机关党委"
    RETIRED_COMMITTEE = "retired_committee", "离退休党委"
    TEACHER = "teacher", "教工党支部"
    UNDERGRADUATE = "undergraduate", "本科生党支部"
    GRADUATE = "graduate", "研究生党支部"
    ORGAN = "organ", "机关党支部"
    RETIRED = "retired", "离退休党支部"
    JOINT = "joint", "师生联合党支部"


TYPES_BY_LEVEL = {
    Level.SCHOOL: {OrgType.SCHOOL_COMMITTEE},
    Level.COLLEGE: {
        OrgType.COLLEGE_COMMITTEE,
        OrgType.GENERAL_BRANCH,
        OrgType.DIRECT_BRANCH,
        OrgType.ORGAN_COMMITTEE,
        OrgType.RETIRED_COMMITTEE,
    },
    Level.BRANCH: {
        OrgType.TEACHER,
        OrgType.UNDERGRADUATE,
        OrgType.GRADUATE,
        OrgType.ORGAN,
        OrgType.RETIRED,
        OrgType.JOINT,
    },
}
PARENT_LEVEL = {Level.COLLEGE: Level.SCHOOL, Level.BRANCH: Level.COLLEGE}


class OrganizationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def colleges(self):
        return self.filter(level=Level.COLLEGE)

    def branches(self):
        return self.filter(level=Level.BRANCH)


class Organization(models.Model):
    """A party organisation. Never deleted: merged or split orgs are deactivated."""

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    code = models.CharField("编码", max_length=32, unique=True, validators=[code_validator])
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    org_type = models.CharField("类型", max_length=30, choices=OrgType.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级党组织", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    secretary_name = models.CharField("书记姓名", max_length=30, blank=True)
    secretary_title = models.CharField("书记职务", max_length=50, blank=True)
    secretary_phone = models.CharField("书记电话", max_length=20, blank=True, validators=[phone_validator])
    contact_name = models.CharField("联系人", max_length=30, blank=True)
    contact_phone = models.CharField("联系人手机", max_length=20, blank=True, validators=[phone_validator])
    contact_email = models.EmailField("联系人邮箱", blank=True)
    members_staff = models.PositiveIntegerField("教工党员数", default=0)
    members_student = models.PositiveIntegerField("学生党员数", default=0)
    members_retired = models.PositiveIntegerField("离退休党员数", default=0)
    members_probationary = models.PositiveIntegerField("预备党员数", default=0)
    dual_leader = models.BooleanField("书记为\"双带头人\"", default=False)
    is_active = models.BooleanField("有效", default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["level", "sort_order", "code"]
        indexes = [models.Index(fields=["level", "is_active"])]

    def __str__(self):
        return self.name

    @property
    def members_total(self):
        return self.members_staff + self.members_student + self.members_retired

    @property
    def members_full(self):
        return max(self.members_total - self.members_probationary, 0)

    def clean(self):
        if self.org_type and self.level and self.org_type not in TYPES_BY_LEVEL[self.level]:
            raise ValidationError({"org_type": "类型与层级不匹配"})
        expected = PARENT_LEVEL.get(self.level)
        if expected is None and self.parent_id:
            raise ValidationError({"parent": "校党委不能有上级党组织"})
        if expected and (self.parent is None or self.parent.level != expected):
            raise ValidationError({"parent": f"上级党组织必须是{Level(expected).label}"})


class User(AbstractUser):
    """An account. Created by 组织部 only; there is no self sign-up."""

    full_name = models.CharField("姓名", max_length=30, blank=True)
    phone = models.CharField("手机", max_length=20, blank=True, validators=[phone_validator])
    # The campus 工号: the key that matches a 统一身份认证 (CAS) login to this account (organizations/cas.py).
    employee_id = models.CharField("工号", max_length=32, blank=True, default="", validators=[employee_id_validator])

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"
        constraints = [
            models.UniqueConstraint(fields=["employee_id"], condition=~Q(employee_id=""), name="unique_employee_id"),
        ]

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.get_full_name() or self.username


class Role(models.TextChoices):
    ADMIN = "admin", "组织部管理员"
    JUDGE = "judge", "评审专家"
    COLLEGE_SECRETARY = "college_secretary", "院级党组织书记/联系人"
    BRANCH_SECRETARY = "branch_secretary", "支部书记"
    APPROVER = "approver", "校领导(审定)"


ROLE_ORG_LEVEL = {
    Role.COLLEGE_SECRETARY: Level.COLLEGE,
    Role.BRANCH_SECRETARY: Level.BRANCH,
}


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class RoleAssignment(models.Model):
    """One role of one person, bound to an org where the role needs one.

    A judge's org (optional) is their home org, used for 回避 (conflicts)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name="账号")
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="role_assignments", verbose_name="所属党组织"
    )
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organization"], name="unique_role_per_org"),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(organization__isnull=True), name="unique_global_role"
            ),
        ]

    def __str__(self):
        if self.organization_id:
            return f"{self.get_role_display()} · {self.organization}"
        return self.get_role_display()

    def clean(self):
        level = ROLE_ORG_LEVEL.get(self.role)
        if level and (self.organization is None or self.organization.level != level):
            raise ValidationError({"organization": f"该角色必须绑定一个{Level(level).label}"})
