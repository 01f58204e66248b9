"""Phones (issue 14 part 6): each role's main pages at 390 px wide. Fails when a table cell is narrower
than two characters (28 px) or a button (or the page itself) runs past the right edge of the screen.
Tables may scroll sideways inside their own box: a button in such a box is reachable, not cut."""

import pytest

from .test_phase1_journey import open_as

pytestmark = [pytest.mark.e2e, pytest.mark.live_server_only]

PHONE = {"width": 390, "height": 844}
MIN_CELL_PX = 28

# (username, paths); "{brand}" / "{branch}" are the judging tracks, "{assignment}" judge2's first task
PAGES = [
    ("zzb_admin", ["/", "/submissions/progress/", "/submissions/current/check/", "/submissions/current/outcomes/",
                   "/orgs/", "/orgs/people/", "/audit/", "/campaigns/", "/dashboard/", "/reviews/",
                   "/reviews/t/{brand}/", "/reviews/t/{brand}/judges/", "/reviews/t/{branch}/ranking/",
                   "/reviews/t/{branch}/decision/", "/reviews/t/{branch}/approval/"]),
    ("college1", ["/", "/submissions/my/form1/", "/submissions/my/form2/", "/submissions/my/entries/",
                  "/submissions/my/outcomes/"]),
    ("branch1", ["/", "/submissions/my/row/", "/submissions/my/outcomes/"]),
    ("judge2", ["/", "/reviews/my/", "/reviews/a/{assignment}/"]),
    ("leader", ["/", "/reviews/", "/reviews/t/{branch}/ranking/", "/reviews/t/{branch}/approval/",
                "/submissions/progress/"]),
]

MEASURE = """(minCell) => {
  const vw = document.documentElement.clientWidth;
  const visible = (el) => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const inScroller = (el) => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX; if ((o === 'auto' || o === 'scroll') && p.scrollWidth > p.clientWidth) return true; }
    return false; };
  const label = (el) => (el.innerText || el.value || el.getAttribute('aria-label') || el.tagName).trim().slice(0, 30);
  const narrow = [...document.querySelectorAll('main td, main th')]
    .filter((c) => visible(c) && c.innerText.trim() && c.getBoundingClientRect().width < minCell)
    .map((c) => `${label(c)} (${Math.round(c.getBoundingClientRect().width)}px)`);
  const cut = [...document.querySelectorAll('main .btn, main button, nav .btn')]
    .filter((b) => visible(b) && !inScroller(b) && !b.closest('.collapse:not(.show)'))
    .filter((b) => { const r = b.getBoundingClientRect(); return r.right > vw + 1 || r.left < -1; })
    .map((b) => `${label(b)} (${Math.round(b.getBoundingClientRect().left)}–${Math.round(b.getBoundingClientRect().right)}px)`);
  return {narrow, cut, pageWidth: document.documentElement.scrollWidth, vw};
}"""


@pytest.fixture
def judging_site(site):
    if site.remote:
        pytest.skip("re-seeds the judging demo")
    from django.core.management import call_command

    call_command("seed_demo", phase=3, verbosity=0)
    call_command("seed_judging_demo", force=True, verbosity=0)
    site.phase = 3
    return site


def _ids():
    from organizations.models import User
    from campaigns.models import Campaign
    from reviews.models import Assignment, JudgingTrack

    from reviews import services

    judge = User.objects.get(username="judge2")
    branch = JudgingTrack.objects.filter(campaign=Campaign.objects.current()).get(track="branch")
    services.propose(branch, by=User.objects.get(username="zzb_admin"))  # so the 审定 pages have a list
    return {"brand": JudgingTrack.objects.filter(campaign=Campaign.objects.current()).get(track="brand").pk, "branch": JudgingTrack.objects.filter(campaign=Campaign.objects.current()).get(track="branch").pk,
            "assignment": Assignment.objects.filter(judge=judge, track__track="brand").order_by("pk").first().pk}


def test_every_roles_main_pages_fit_a_390px_phone(browser, judging_site, login, screenshot):
    ids = _ids()
    problems = []
    for username, paths in PAGES:
        page = open_as(browser, judging_site, login, username)
        page.set_viewport_size(PHONE)
        for path in paths:
            url = path.format(**ids)
            response = page.goto(url)
            assert response.ok, f"{username} {url}: HTTP {response.status}"
            found = page.evaluate(MEASURE, MIN_CELL_PX)
            name = f"phone-{username}-{url.strip('/').replace('/', '-') or 'home'}"
            screenshot(page, name)
            if found["narrow"]:
                problems.append(f"{username} {url}: cells narrower than {MIN_CELL_PX}px: {found['narrow'][:5]}")
            if found["cut"]:
                problems.append(f"{username} {url}: buttons past the screen edge: {found['cut'][:5]}")
            if found["pageWidth"] > found["vw"] + 1:
                problems.append(f"{username} {url}: the page is {found['pageWidth']}px wide (screen {found['vw']}px)")
        page.context.close()
    assert not problems, "\n".join(problems)
