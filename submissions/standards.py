"""Default wording of the reference standards (editable afterwards in the admin).

"五个到位" wording is provisional (domain.md); "七个有力" is confirmed."""

FIVE = [
    ("political", "政治引领到位", "把方向、管大局、保落实，政治功能突出"),
    ("team", "班子建设到位", "领导班子团结有力，民主集中制执行到位"),
    ("system", "制度执行到位", "党内各项制度健全并严格落实"),
    ("staff", "队伍建设到位", "党务干部和党员队伍结构合理、素质过硬"),
    ("role", "作用发挥到位", "党建与事业发展深度融合，成效明显"),
]
SEVEN = [
    ("educate", "教育党员有力", ""),
    ("manage", "管理党员有力", ""),
    ("supervise", "监督党员有力", ""),
    ("organize", "组织师生有力", ""),
    ("publicize", "宣传师生有力", ""),
    ("unite", "凝聚师生有力", ""),
    ("serve", "服务师生有力", ""),
]


def ensure_standard_items(model):
    """Create any missing default item (never overwrites edited wording)."""
    for kind, items in (("five", FIVE), ("seven", SEVEN)):
        for i, (code, name, desc) in enumerate(items):
            model.objects.get_or_create(kind=kind, code=code, defaults={"name": name, "description": desc, "sort_order": i})
