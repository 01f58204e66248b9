"""Fixtures for the browser journeys (Playwright, sync API, driving the system Chromium).

Two modes:

* ``E2E_BASE_URL`` set (e.g. ``http://127.0.0.1:8000``): drive that server, which must have
  been seeded with ``seed_demo`` (``make serve`` with ``SEED_DEMO=1``). ``E2E_PHASE`` (default 1)
  is the phase the server was seeded with.
* otherwise: pytest-django's ``live_server`` (one per xdist worker) with ``seed_demo`` run in
  the test database before each test.

Reusable pieces for later journeys: ``site`` (where and what), ``browser`` (one Chromium per
session/worker), ``page`` (a fresh context per test, fails the test on any HTTP error of a
page asset), ``login(page, username)`` and ``screenshot(page, name)``.
"""

import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from organizations import demo

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
TIMEOUT_MS = int(os.environ.get("E2E_TIMEOUT_MS", "30000"))


@pytest.fixture(scope="session")
def browser(request):
    """One Chromium per session (per xdist worker)."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        reason = f"Chromium not found at {CHROMIUM} (install the Debian package 'chromium' or set E2E_CHROMIUM)"
        if IN_CI:
            pytest.fail(f"{reason}; CI=true, so browser tests must run", pytrace=False)
        pytest.skip(reason)
    # Playwright's sync API keeps an asyncio loop in this thread; Django's ORM then refuses
    # to run ("SynchronousOnlyOperation") unless told the calls are safe (they are: the loop
    # only drives the browser). Set here, so runs without browser tests are unaffected.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not _remote_url():
        # Once Playwright runs, this thread has a running asyncio loop and Django keeps its
        # database connections per context instead of per thread. Create the test database
        # and start the live server before that, so everything shares one SQLite in-memory DB.
        request.getfixturevalue("django_db_setup")
        request.getfixturevalue("live_server")
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception:
        pw.stop()
        raise
    yield chromium
    chromium.close()
    pw.stop()


def _remote_url():
    return os.environ.get("E2E_BASE_URL", "").strip().rstrip("/")


def pytest_collection_modifyitems(items):
    """In live-server mode, every test that uses ``site`` needs a transactional test database.

    The marker must be on the item (not requested later from a fixture): pytest-django creates
    the test databases only for the aliases that collected tests ask for."""
    if _remote_url():
        return
    for item in items:
        if "site" in getattr(item, "fixturenames", ()) and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture
def site(request):
    """Where the portal under test runs: ``site.url`` (no trailing slash), ``site.phase``."""
    url = _remote_url()
    if url:
        return SimpleNamespace(url=url, phase=int(os.environ.get("E2E_PHASE", "1")), remote=True)
    from django.core.management import call_command

    live_server = request.getfixturevalue("live_server")
    settings = request.getfixturevalue("settings")  # restored after the test
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, live_server.thread.host]
    call_command("seed_demo", phase=1, verbosity=0)
    return SimpleNamespace(url=live_server.url, phase=1, remote=False)


@pytest.fixture
def page(browser, site, request):
    """A fresh browser context (no cookies) per test; asset errors are collected. A test marked
    `bypass_csp` (it injects a test tool such as axe-core) gets a context that ignores the CSP."""
    context = browser.new_context(
        base_url=site.url, locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900},
        bypass_csp=request.node.get_closest_marker("bypass_csp") is not None,
    )
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    pg.http_errors = []  # (status, url) of every response >= 400, e.g. a missing stylesheet
    pg.console_errors = []  # JavaScript errors

    def on_response(response):
        # The portal has no favicon yet; Chromium asks for one on its own, at a random moment.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            pg.http_errors.append((response.status, response.url))

    def on_console(message):
        # "Failed to load resource" repeats a failed response without its URL: http_errors has it.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            pg.console_errors.append(message.text)

    pg.on("response", on_response)
    pg.on("console", on_console)
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))
    yield pg
    context.close()


def _submit_login(page, username, password):
    if "/accounts/login/" not in page.url:
        page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


@pytest.fixture
def login(site):
    """login(page, username, password=demo password) → signs in and waits for the home page.

    Starts from the current page if it is the login page (so ``?next=`` is honoured),
    otherwise opens the login page. Fails with the page's text if the login did not work.
    """

    def do_login(page, username, password=demo.PASSWORD, expect_url=r"/$"):
        _submit_login(page, username, password)
        if "/accounts/login/" in page.url:
            raise AssertionError(f"login as {username!r} failed; page says: {page.inner_text('main')[:300]}")
        if expect_url:
            page.wait_for_url(re.compile(re.escape(site.url) + expect_url))
        return page

    return do_login


@pytest.fixture
def attempt_login():
    """attempt_login(page, username, password): submit the login form, whatever the outcome."""
    return _submit_login


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory):
    configured = os.environ.get("E2E_SCREENSHOT_DIR")
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def screenshot(screenshot_dir):
    """screenshot(page, name) → path of a full-page PNG (kept in E2E_SCREENSHOT_DIR if set)."""

    def take(page, name):
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000, f"screenshot {path} looks empty"
        return path

    return take
