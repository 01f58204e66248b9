"""Content-Security-Policy in a real browser: no page of any role triggers a CSP violation.

Each role signs in and opens every page its navigation links to (plus a few pages one level deeper);
a `securitypolicyviolation` listener (installed before any page script) and the console (Chromium
logs each refused script/style there) must stay silent. The replaced inline handlers still work:
a select submits its form, a confirm can be dismissed."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " @" + e.sourceFile + ":" + e.lineNumber);
});
"""

ROLES = ["zzb_admin", "judge1", "college1", "branch1", "leader", "norole"]
EXTRA_PAGES = {
    "anon": ["/accounts/login/", "/showcase/", "/showcase/cases/"],
    "zzb_admin": ["/sysadmin/", "/showcase/manage/booklets/", "/reviews/", "/campaigns/notifications/",
                  "/showcase/manage/", "/dashboard/", "/campaigns/reminders/", "/notify/deliveries/", "/orgs/people/",
                  "/submissions/standards/", "/showcase/cases/"],
    "college1": ["/submissions/my/form1/", "/submissions/my/form2/", "/submissions/my/entries/"],
    "branch1": ["/submissions/my/row/"],
}


def watch(page):
    page.context.add_init_script(RECORD_VIOLATIONS)
    page.csp_console = []
    page.on("console", lambda m: page.csp_console.append(m.text) if "Content Security Policy" in m.text
            or "Permissions-Policy" in m.text else None)


def violations(page):
    found = page.evaluate("window.__cspViolations || []")
    return found + page.csp_console


def nav_hrefs(page):
    hrefs = page.eval_on_selector_all("#mainnav a[href^='/']", "els => els.map(e => e.getAttribute('href'))")
    return [h for h in dict.fromkeys(hrefs) if not h.startswith("/accounts/logout")]


def visit_all(page, paths):
    seen = {}
    for path in paths:
        response = page.goto(path)
        page.wait_for_load_state("load")
        assert response.status < 500, f"{path} answered {response.status}"
        header = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in header and "unsafe-inline" not in header.split("script-src")[1].split(";")[0]
        assert "style-src 'self'" in header and "unsafe-inline" not in header.split("style-src")[1].split(";")[0]
        seen[page.url] = violations(page)
        page.csp_console.clear()
    return seen


# One level deeper: (page, link selector) whose first match is opened too (URLs with a year or an id).
DEEPER = {
    "zzb_admin": [("/showcase/manage/", "[data-testid=bundle-page]"), ("/showcase/", "a[href^='/showcase/items/']"),
                  ("/orgs/people/", "a[href^='/orgs/people/'][href$='/']:not([href='/orgs/people/'])")],
}


def deeper_hrefs(page, username):
    hrefs = []
    for path, selector in DEEPER.get(username, []):
        page.goto(path)
        link = page.locator(selector).first
        if link.count():
            hrefs.append(link.get_attribute("href"))
    return hrefs


@pytest.mark.parametrize("username", ROLES)
def test_no_csp_violation_on_a_roles_main_pages(page, site, login, username):
    watch(page)
    login(page, username)
    paths = ["/"] + nav_hrefs(page) + EXTRA_PAGES.get(username, [])
    paths += deeper_hrefs(page, username)
    seen = visit_all(page, paths)
    assert len(seen) >= 2
    bad = {url: v for url, v in seen.items() if v}
    assert not bad, f"CSP violations for {username}: {bad}"
    assert page.console_errors == [], page.console_errors


def test_no_csp_violation_for_anonymous_visitors(page, site):
    watch(page)
    seen = visit_all(page, EXTRA_PAGES["anon"])
    bad = {url: v for url, v in seen.items() if v}
    assert not bad, f"CSP violations: {bad}"


def test_the_policy_really_blocks_inline_script(page, site):
    """The listener above can fail: an injected inline script is refused and reported."""
    watch(page)
    page.goto("/accounts/login/")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                           document.body.appendChild(s); }""")
    page.wait_for_function("() => window.__cspViolations.length > 0")
    assert page.evaluate("window.__ran") is None
    assert any("script-src" in v for v in violations(page))


def test_the_policy_really_blocks_inline_style(page, site):
    """The same for styles: an injected style attribute and <style> block are refused and reported."""
    watch(page)
    page.goto("/accounts/login/")
    page.evaluate("""() => { document.body.insertAdjacentHTML('beforeend', '<div id="probe" style="color: rgb(1, 2, 3)">x</div>');
                           const s = document.createElement('style'); s.textContent = '#probe { font-size: 77px; }';
                           document.head.appendChild(s); }""")
    page.wait_for_function("() => window.__cspViolations.length >= 2")
    probe = page.evaluate("() => { const s = getComputedStyle(document.getElementById('probe')); return [s.color, s.fontSize]; }")
    assert probe[0] != "rgb(1, 2, 3)" and probe[1] != "77px"
    assert sum("style-src" in v for v in violations(page)) >= 2


def test_replaced_inline_handlers_still_work(page, site, login):
    watch(page)
    login(page, "zzb_admin")
    page.goto("/reviews/")
    select = page.locator("select[name=campaign]")
    value = select.locator("option").last.get_attribute("value")
    with page.expect_navigation():
        select.select_option(value)
    expect(page).to_have_url(re.compile(rf"/reviews/\?campaign={value}$"))
    assert violations(page) == []


def test_a_dismissed_confirm_stops_the_submit(page, site, login):
    watch(page)
    login(page, "college1")
    page.goto("/submissions/my/form1/")
    if site.remote and not page.get_by_test_id("submit").count():
        pytest.skip("college1's 附件1 was already submitted on this shared server (needs a fresh phase-1 seed)")
    url = page.url
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_test_id("submit").click()
    page.wait_for_timeout(300)  # a submit that went through would navigate; give it the chance to
    assert asked and "确认提交附件1" in asked[0]
    assert page.url == url
    expect(page.get_by_test_id("submit")).to_be_visible()
    assert violations(page) == []
