"""Browser journey for phase 4 (issue 8): 组织部 previews and publishes a brand with its 十佳 badge;
a visitor without an account finds it on a phone, watches the micro-video (seeking works),
and cannot reach it any more once it is withdrawn.

Uses the shared fixtures of tests/e2e/conftest.py (browser, site, login, screenshot). The demo
data comes from `seed_demo --phase 4` (showcase/demo.py): 外国语学院党总支's "译路同行" is
picked but not published."""

import re

import pytest
from playwright.sync_api import expect

from .test_phase1_journey import open_as

pytestmark = [pytest.mark.e2e, pytest.mark.live_server_only]  # re-seeds at phase 4
BRAND = "译路同行"


@pytest.fixture
def phase4_site(site):
    if site.remote:
        if site.phase != 4:
            pytest.skip("needs a server seeded with --phase 4")
        return site
    from django.core.management import call_command

    call_command("seed_demo", phase=4, verbosity=0)
    site.phase = 4
    return site


def test_from_publishing_to_viewing_on_a_phone(browser, phase4_site, login, screenshot):
    site = phase4_site
    phone_context = browser.new_context(base_url=site.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone_context.set_default_timeout(15000)
    phone = phone_context.new_page()

    # 1. 组织部 opens the management page: the brand is picked (a snapshot) but not published
    admin = open_as(browser, site, login, "zzb_admin")
    admin.get_by_role("link", name="成果展示").first.click()
    admin.get_by_role("link", name="发布管理").click()
    row = admin.locator("tr[data-item]", has_text=BRAND)
    expect(row).to_contain_text("未发布")
    detail_path = row.get_by_role("link", name=BRAND).get_attribute("href")
    assert phone.goto(detail_path).status == 404  # a visitor cannot reach it by URL

    # preview, then publish with the badge
    row.get_by_role("link", name=BRAND).click()
    expect(admin.get_by_test_id("preview-banner")).to_be_visible()
    admin.go_back()
    row = admin.locator("tr[data-item]", has_text=BRAND)
    row.locator("select[name=award]").select_option("brand_top10")
    row.get_by_role("button", name="发布").click()
    expect(admin.locator(".alert-success")).to_contain_text(f"已发布“{BRAND}”")
    expect(admin.locator("tr[data-item]", has_text=BRAND)).to_contain_text("已发布")

    # 2. a visitor on a phone: login page → public showcase → search → detail
    phone.goto("/accounts/login/")
    phone.get_by_test_id("public-showcase").click()
    phone.fill("input[name=q]", "红色经典外译")  # words of the brand's typical case
    phone.press("input[name=q]", "Enter")
    expect(phone.get_by_test_id("result-count")).to_have_text(re.compile("共 1 项"))
    phone.locator("a.sc-card", has_text=BRAND).click()
    expect(phone.get_by_role("heading", name=BRAND, exact=True)).to_be_visible()
    expect(phone.get_by_test_id("award")).to_contain_text("十佳党建品牌")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling

    # the micro-video: metadata through the Range-capable file view, a poster frame, seeking
    video = phone.locator("video")
    assert video.get_attribute("preload") == "metadata"
    phone.wait_for_function("() => document.querySelector('video').readyState >= 1")
    assert phone.evaluate("document.querySelector('video').duration") == pytest.approx(6, abs=0.5)
    phone.evaluate("document.querySelector('video').currentTime = 4")
    phone.wait_for_function("() => !document.querySelector('video').seeking && document.querySelector('video').currentTime > 3")
    poster = video.get_attribute("poster")
    if poster:  # extracted by a Celery task: may lag behind on a real worker
        response = phone.request.get(poster)
        assert response.status == 200 and response.headers["content-type"] == "image/jpeg"
    screenshot(phone, "showcase-phone-detail")

    # 3. 组织部 withdraws it again: the visitor's next visit is a 404
    row = admin.locator("tr[data-item]", has_text=BRAND)
    row.get_by_role("button", name="撤回").click()
    expect(admin.locator(".alert-success")).to_contain_text(f"已撤回“{BRAND}”")
    assert phone.goto(detail_path).status == 404
    phone_context.close()
    admin.context.close()


def test_static_bundle_is_built_in_the_background_and_downloaded(page, phase4_site, login, screenshot):
    """组织部 asks for the year's static bundle: the page answers at once, the row shows progress and
    then the download (no CSP violation on the way: no inline style for the progress bar)."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, "zzb_admin")
    page.goto("/showcase/manage/")
    page.get_by_test_id("bundle-page").click()
    expect(page.get_by_role("heading", name=re.compile("静态网页包"))).to_be_visible()
    page.get_by_test_id("bundle-start").click()
    expect(page.get_by_text("已开始生成静态网页包")).to_be_visible()
    download_link = page.get_by_test_id("bundle-download").first
    expect(download_link).to_be_visible(timeout=60000)  # built (eagerly here; htmx polls on a real worker)
    screenshot(page, "showcase-bundle")
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.endswith("品牌展示网页包.zip")
    import zipfile

    names = zipfile.ZipFile(download.path()).namelist()
    assert "index.html" in names and any(n.startswith("items/") for n in names)
    assert errors == []
