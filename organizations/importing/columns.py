"""The import format: sheets, columns, limits, and the Chinese labels accepted for choices."""

from dataclasses import dataclass

from ..models import TYPES_BY_LEVEL, Level, OrgType, Role

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
    optional: bool = False  # the column may be absent from an uploaded file (then that field is left unchanged)


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
    Column("工号", "employee_id", 14, optional=True),
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
OPTIONAL_USER_FIELDS = ["employee_id"]  # compared and written only when the file has the column

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
