"""Browser journey: 组织部 imports a spreadsheet, a new secretary activates their account."""

import os
import shutil

import pytest

from organizations.models import Organization, Role, User

from ..factories import CollegeFactory, SchoolFactory, UserFactory, give_role
from ..organizations.test_import import make_xlsx, org_row

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="system Chromium not installed"),
]


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


def login(page, base, username, password):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")


def test_admin_imports_and_new_secretary_activates(live_server, transactional_db, browser, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    school = SchoolFactory()
    CollegeFactory(code="A", name="甲学院党委", parent=school)
    give_role(UserFactory(username="zzb", password="pw-123456"), Role.ADMIN)
    data = make_xlsx(
        [org_row("A-9", "甲九教工党支部", "教工党支部", "A", 教工党员数=9)],
        [{"用户名": "newsec", "姓名": "新书记", "角色": "支部书记", "所属党组织编码": "A-9"}],
    )
    upload = tmp_path / "名单.xlsx"
    upload.write_bytes(data)

    page = browser.new_page()
    login(page, live_server.url, "zzb", "pw-123456")
    page.goto(live_server.url + "/orgs/")
    page.click("text=批量导入")
    page.set_input_files("input[type=file]", str(upload))
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=apply-form]")
    assert "甲九教工党支部" in page.inner_text("[data-testid=org-creates]")
    assert not Organization.objects.filter(code="A-9").exists()  # the preview wrote nothing
    page.click("[data-testid=apply-form] button[type=submit]")
    page.wait_for_selector("[data-testid=links]")
    link = page.inner_text("[data-testid=links] code")
    assert Organization.objects.filter(code="A-9", parent__code="A").exists()

    newcomer = browser.new_context().new_page()
    newcomer.goto(link)
    newcomer.fill("#id_new_password1", "Qiming-2026!")
    newcomer.fill("#id_new_password2", "Qiming-2026!")
    newcomer.click("main button[type=submit]")
    newcomer.wait_for_url(live_server.url + "/accounts/login/")
    login(newcomer, live_server.url, "newsec", "Qiming-2026!")
    newcomer.wait_for_url(live_server.url + "/")
    assert "新书记" in newcomer.inner_text("[data-testid=user-menu]")
    newcomer.goto(link)
    assert "激活链接无效" in newcomer.content()
    assert User.objects.get(username="newsec").has_usable_password()
