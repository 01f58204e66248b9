"""Browser journey: 组织部 picks and publishes a brand; a visitor finds and watches it on a phone.

Plain Playwright (sync API) against pytest-django's live_server and the system Chromium."""

import os

import pytest

from showcase.models import ShowcaseItem

from ..showcase.conftest import brand_sources, tiny_mp4  # noqa: F401  (fixture)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true",
                       reason="system Chromium not installed"),
]


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; let the test's ORM calls through.
    # Set per test (not at import), so subprocesses of other tests never inherit it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.mark.django_db(transaction=True)
def test_from_publishing_to_viewing_on_a_phone(world, live_server, browser, tiny_mp4):
    brand_sources(world.campaign, world.college_a, "红色引擎", slogan="党建强引擎 发展增动能",
                  connotation="以党建为引擎推动学科建设", case_title="党建引领科研攻关典型案例",
                  case_body="组建党员攻关突击队", video=tiny_mp4)

    # 1. 组织部 signs in, picks the brand (snapshot), previews it and publishes it with the 十佳 badge
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "pw-123456")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/showcase/manage/?year=2026")
    page.click(f"[data-testid=pick-{world.college_a.pk}-brand]")
    page.get_by_text("已收录“红色引擎”").wait_for()
    item = ShowcaseItem.objects.get(organization=world.college_a)
    assert not item.is_published

    # a visitor cannot reach it yet
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    visitor = phone.new_page()
    response = visitor.goto(f"{live_server.url}/showcase/items/{item.pk}/")
    assert response.status == 404

    page.click(f"tr[data-item='{item.pk}'] a")
    page.get_by_test_id("preview-banner").wait_for()
    page.go_back()
    page.select_option(f"tr[data-item='{item.pk}'] select[name=award]", "brand_top10")
    page.click(f"tr[data-item='{item.pk}'] button:has-text('发布')")
    page.get_by_text("已发布“红色引擎”").wait_for()
    item.refresh_from_db()
    assert item.is_published and item.award == "brand_top10"

    # 2. a visitor on a phone: login page → public showcase → search → detail → video
    visitor.goto(f"{live_server.url}/accounts/login/")
    visitor.get_by_test_id("public-showcase").click()
    visitor.fill("input[name=q]", "攻关突击队")  # text of the typical case
    visitor.press("input[name=q]", "Enter")
    visitor.locator("[data-testid=result-count]", has_text="共 1 项").wait_for()
    visitor.click(f"a[data-item='{item.pk}']")
    visitor.get_by_role("heading", name="红色引擎").wait_for()
    assert "十佳党建品牌" in visitor.get_by_test_id("award").inner_text()
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    video = visitor.locator("video")
    assert video.get_attribute("preload") == "metadata"
    assert video.get_attribute("poster")
    # the browser fetched the metadata through the (Range-capable) file view: the duration is known
    visitor.wait_for_function("document.querySelector('video').readyState >= 1", timeout=10000)
    assert visitor.evaluate("document.querySelector('video').duration") == pytest.approx(2, abs=0.3)
    # seeking works (needs Range support on the file view)
    visitor.evaluate("document.querySelector('video').currentTime = 1.5")
    visitor.wait_for_function("!document.querySelector('video').seeking && document.querySelector('video').currentTime > 1")
    poster = visitor.request.get(live_server.url + video.get_attribute("poster"))
    assert poster.status == 200 and poster.headers["content-type"] == "image/jpeg"

    # 3. 组织部 withdraws it; the visitor's next visit is a 404
    page.click(f"tr[data-item='{item.pk}'] button:has-text('撤回')")
    page.get_by_text("已撤回“红色引擎”").wait_for()
    assert visitor.goto(f"{live_server.url}/showcase/items/{item.pk}/").status == 404
    desk.close()
    phone.close()
