"""The org tree / accounts export, the import template and the activation links, read back by openpyxl
and calamine with hostile text; the export still round-trips through the portal's own importer."""

import io

import openpyxl
import pytest
from django.urls import reverse

from organizations.exports import activation_links_workbook, org_tree_workbook, template_workbook
from organizations.importing import ORG_COLUMNS, plan_import, read_workbook
from organizations.models import Organization, User

from ..xlsx_checks import (
    needs_unchecked_lengths,
    EXPECTED,
    FORMULA,
    HOSTILE,
    HOSTILE_SURROGATE,
    KINDS,
    LONG,
    check_hostile,
    open_both,
    store_hostile,
    surrogate_on_load,
)

MUST_HOLD = {
    "党组织": ["名称", "简称", "书记姓名", "书记职务", "书记电话", "联系人", "联系人手机", "联系人邮箱"],
    "账号": ["姓名", "邮箱", "手机"],
}


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@needs_unchecked_lengths
def test_org_export_survives_hostile_text_in_every_text_column(world, client_for):
    c = client_for(world.users.admin)
    reference = None
    for hostile in ["quote"] + [k for k in KINDS if k != "quote"]:
        store_hostile(HOSTILE[hostile])
        response = c.get(reverse("organizations:export"))
        assert response.status_code == 200
        holding = check_hostile(response.content, hostile)
        if reference is None:
            reference = holding
            book = openpyxl.load_workbook(io.BytesIO(response.content))
            for pos, ws in enumerate(book.worksheets):
                names = {ws.cell(row=2, column=col).value for p, where, col in holding if p == pos and where == "data"}
                assert set(MUST_HOLD[ws.title]) <= names, (ws.title, set(MUST_HOLD[ws.title]) - names)
        else:
            assert holding == reference, (hostile, reference ^ holding)
    disconnect = surrogate_on_load()
    try:
        data = org_tree_workbook()
    finally:
        disconnect()
    assert check_hostile(data, "surrogate")


def test_org_export_with_a_formula_like_name_shows_it_as_text_and_the_importer_refuses_it_clearly(world):
    """The importer takes a leading "=" for a formula on the way in; the export never makes one."""
    Organization.objects.filter(code="A-1").update(name=FORMULA)
    data = org_tree_workbook()
    book, sheets = open_both(data)
    row = next(r for r in book["党组织"].iter_rows(min_row=3) if r[0].value == "A-1")
    assert row[1].value == FORMULA and row[1].data_type == "s"
    assert FORMULA in [r[1] for r in sheets["党组织"]]
    plan_error = pytest.raises(Exception, read_workbook, data)
    assert "包含公式" in str(plan_error.value)


def test_round_trip_with_quotes_in_names_changes_nothing(world, client_for):
    Organization.objects.filter(code="A").update(name='甲"匠心"学院党委', short_name="甲'院")
    Organization.objects.filter(code="A-1").update(secretary_title='"双带头人"书记')
    User.objects.filter(username="branch_a1").update(full_name="O'Brien \"小王\"")
    export = client_for(world.users.admin).get(reverse("organizations:export")).content
    plan = plan_import(read_workbook(export), deactivate_absent=True)
    assert plan.errors == [] and not plan.has_changes, (plan.orgs, plan.accounts, plan.roles)
    assert plan.unchanged_orgs == 7


def test_template_opens_in_both_readers_with_drop_downs(db):
    book, sheets = open_both(template_workbook())
    assert book.sheetnames == ["党组织", "账号", "填写说明"]
    ws = book["党组织"]
    assert ws["A1"].value.startswith("党组织导入模板 · 导出时间：") and ws["A1"].value.endswith("（北京时间）")
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    level_col = openpyxl.utils.get_column_letter([c.field for c in ORG_COLUMNS].index("level") + 1)
    assert lists[f"{level_col}3:{level_col}5002"] == '"校党委,院(处)级党组织,党支部"'
    assert sheets["填写说明"][1] == ["项目", "说明"] and len(sheets["填写说明"]) > 5
    assert not plan_import(read_workbook(template_workbook())).has_changes


def test_activation_links_sheet_survives_hostile_names():
    rows = [("u1", HOSTILE["formula"], "https://portal.example/accounts/activate/abc/"),
            ("u2", HOSTILE_SURROGATE, "https://portal.example/accounts/activate/def/"), ("u3", LONG, "x")]
    data = activation_links_workbook(rows)
    assert check_hostile(data, "formula") == {(0, "data", 2)}
    assert check_hostile(data, "surrogate") == {(0, "data", 2)} and check_hostile(data, "long") == {(0, "data", 2)}
    book, sheets = open_both(data)
    assert book.active["C3"].value == rows[0][2] and book.active["C3"].hyperlink is None  # a link stays text
    assert sheets["激活链接"][3][1] == EXPECTED["surrogate"]
