"""The demo university used by `seed_demo`, the README and the browser tests."""

# Higher apps add their demo content here (registered in their AppConfig.ready()), so this
# low-level app never imports them: fn(campaign, phase, orgs_by_code, users_by_username).
SEEDERS = []


def register_seeder(fn):
    if fn not in SEEDERS:
        SEEDERS.append(fn)
    return fn


COLLEGES = [
    # code, name, type, secretary, branches: (suffix, name, type, dual_leader)
    ("JX", "机械工程学院党委", "college_committee", "王建国", [
        ("JG1", "机械工程系教工党支部", "teacher", True),
        ("JG2", "智能制造系教工党支部", "teacher", True),
        ("BK1", "机械本科生第一党支部", "undergraduate", False),
        ("BK2", "机械本科生第二党支部", "undergraduate", False),
        ("YJS", "机械研究生党支部", "graduate", False),
    ]),
    ("KY", "资源与安全工程学院党委", "college_committee", "李振华", [
        ("JG1", "采矿工程系教工党支部", "teacher", True),
        ("JG2", "安全工程系教工党支部", "teacher", False),
        ("BK1", "资源本科生党支部", "undergraduate", False),
        ("YJS", "资源研究生党支部", "graduate", False),
        ("LH", "矿山智能化师生联合党支部", "joint", True),
    ]),
    ("CL", "材料与冶金学院党委", "college_committee", "张丽萍", [
        ("JG1", "材料科学系教工党支部", "teacher", True),
        ("JG2", "冶金工程系教工党支部", "teacher", True),
        ("BK1", "材料本科生党支部", "undergraduate", False),
        ("BK2", "冶金本科生党支部", "undergraduate", False),
        ("YJS", "材料冶金研究生党支部", "graduate", False),
    ]),
    ("JS", "计算机与信息工程学院党委", "college_committee", "陈志强", [
        ("JG1", "计算机系教工党支部", "teacher", True),
        ("JG2", "信息工程系教工党支部", "teacher", False),
        ("BK1", "计算机本科生党支部", "undergraduate", False),
        ("BK2", "信息本科生党支部", "undergraduate", False),
        ("YJS", "计算机研究生党支部", "graduate", False),
    ]),
    ("MY", "马克思主义学院党总支", "general_branch", "刘红梅", [
        ("JG1", "思政理论教研室党支部", "teacher", True),
        ("JG2", "形势与政策教研室党支部", "teacher", False),
        ("YJS", "马院研究生党支部", "graduate", False),
        ("BK1", "马院本科生党支部", "undergraduate", False),
        ("LH", "马院师生联合党支部", "joint", False),
    ]),
    ("WY", "外国语学院党总支", "general_branch", "赵雅琴", [
        ("JG1", "英语系教工党支部", "teacher", True),
        ("JG2", "日语系教工党支部", "teacher", False),
        ("BK1", "外语本科生党支部", "undergraduate", False),
        ("YJS", "外语研究生党支部", "graduate", False),
        ("LH", "翻译实践师生联合党支部", "joint", False),
    ]),
    ("JG", "机关党委", "organ_committee", "孙立军", [
        ("ZZB", "党委组织部党支部", "organ", False),
        ("XCB", "党委宣传部党支部", "organ", False),
        ("JWC", "教务处党支部", "organ", False),
        ("KYC", "科研处党支部", "organ", False),
        ("CWC", "财务处党支部", "organ", False),
    ]),
    ("LT", "离退休党委", "retired_committee", "周德明", [
        ("LT1", "离休干部党支部", "retired", False),
        ("LT2", "退休教工第一党支部", "retired", False),
        ("LT3", "退休教工第二党支部", "retired", False),
        ("LT4", "退休机关党支部", "retired", False),
        ("LT5", "老教授协会党支部", "retired", False),
    ]),
    ("TSG", "图书馆直属党支部", "direct_branch", "吴晓燕", []),
]

MEMBER_PROFILES = {
    "teacher": (18, 0, 0, 1),
    "undergraduate": (1, 45, 0, 20),
    "graduate": (1, 36, 0, 8),
    "joint": (8, 22, 0, 6),
    "organ": (14, 0, 0, 0),
    "retired": (0, 0, 32, 0),
}

PASSWORD = "demo12345"

# username, full name, role, org code (None for global roles)
ACCOUNTS = [
    ("zzb_admin", "组织部 管理员", "admin", None),
    ("judge1", "评审专家一（机械学院）", "judge", "JX"),
    ("judge2", "评审专家二", "judge", "JS"),
    ("judge3", "评审专家三", "judge", "MY"),
    ("judge4", "评审专家四", "judge", None),
    ("judge5", "评审专家五", "judge", None),
    ("college1", "王建国", "college_secretary", "JX"),
    ("college2", "李振华", "college_secretary", "KY"),
    ("college3", "刘红梅", "college_secretary", "MY"),
    ("branch1", "机械教工一支部书记", "branch_secretary", "JX-JG1"),
    ("branch2", "采矿教工一支部书记", "branch_secretary", "KY-JG1"),
    ("leader", "校领导（审定）", "approver", None),
    ("norole", "未分配角色的账号", None, None),
]
