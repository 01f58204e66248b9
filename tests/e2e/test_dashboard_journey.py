"""Browser journey (issue 7): 组织部 opens the dashboard, the three charts draw with the local Chart.js,
filters narrow the matrix, a small export downloads at once and a big one goes through the job page."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.live_server_only]


def test_admin_dashboard_charts_filters_and_exports(page, site, login, screenshot, settings):
    if site.remote:
        pytest.skip("sets EXPORT_ASYNC_ROW_THRESHOLD, so it needs the live server")
    login(page, "zzb_admin")
    page.get_by_role("link", name="数据看板").click()
    expect(page.locator("h1")).to_contain_text("数据看板")
    # every canvas got a Chart.js chart (drawn from the vendored file, no network)
    page.wait_for_load_state("load")
    assert page.evaluate("() => ['chart-deadlines','chart-outcomes','chart-entries']"
                         ".every(id => !!Chart.getChart(document.getElementById(id)))")
    # the org × item matrix loads after the page (htmx, dashboard:matrix)
    expect(page.locator("[data-testid=matrix] tbody tr[data-org]").first).to_be_visible()
    all_rows = page.locator("[data-testid=matrix] tbody tr[data-org]").count()
    assert all_rows >= 5
    page.select_option("select[name=state]", "not_started")
    with page.expect_navigation():
        page.get_by_role("button", name="筛选").click()
    expect(page.locator("[data-testid=matrix] tbody tr[data-org]").first).to_be_visible()
    narrowed = page.locator("[data-testid=matrix] tbody tr[data-org]").count()
    assert 0 < narrowed <= all_rows
    assert "state=not_started" in page.locator("a[data-export=status]").get_attribute("href")
    screenshot(page, "dashboard")
    with page.expect_download() as download:
        page.locator("a[data-export=entries]").click()
    wb = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert "筛选：状态：未开始" in wb.active["A1"].value
    settings.EXPORT_ASYNC_ROW_THRESHOLD = 1
    page.locator("a[data-export=form2]").click()
    page.wait_for_url("**/dashboard/jobs/**")
    expect(page.locator("[data-testid=job-status]")).to_have_attribute("data-status", "done")
    with page.expect_download() as download:
        page.locator("[data-testid=job-download]").click()
    wb = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert wb.sheetnames[0] == "汇总" and len(wb.sheetnames) == narrowed + 1
    assert page.http_errors == [] and page.console_errors == []
