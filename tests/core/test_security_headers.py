"""Content-Security-Policy, Permissions-Policy and session expiry after inactivity."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import time_machine
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_sends_a_csp_without_inline_script(db, client):
    response = client.get(reverse("login"))
    csp = directives(response["Content-Security-Policy"])
    assert csp["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert any(v.startswith("'nonce-") for v in csp["script-src"])
    assert csp["style-src"] == ["'self'"]  # no 'unsafe-inline': no style="" attribute, no <style> block
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]


# Templates never served to a browser by the portal: WeasyPrint's PDFs and the static bundle's zip.
NOT_BROWSER_TEMPLATES = ("/pdf/", "showcase/bundle/")
INLINE_STYLE = re.compile(r"""\sstyle\s*=|<style[\s>]""", re.IGNORECASE)


def test_no_template_served_to_a_browser_has_inline_style():
    """CSP's style-src has no 'unsafe-inline': an inline style="" or <style> would be refused (and the
    page look broken). Layout helpers belong in static/css/portal.css."""
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        rel = path.relative_to(ROOT / "templates").as_posix()
        if any(part in f"/{rel}" for part in NOT_BROWSER_TEMPLATES):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if INLINE_STYLE.search(line):
                offenders.append(f"{rel}:{n}: {line.strip()[:100]}")
    assert not offenders, "\n".join(offenders)


def test_no_portal_script_writes_a_style_attribute():
    """JS may set element.style.x (CSSOM, allowed by CSP), but not a style attribute in markup or setAttribute."""
    bad = re.compile(r"""setAttribute\(\s*["']style["']|style\s*=\s*\\?["']|\.cssText\s*=""")
    offenders = [f"{p.name}:{n}" for p in sorted((ROOT / "static" / "js").glob("*.js"))
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1) if bad.search(line)]
    assert not offenders, offenders


def test_htmx_does_not_inject_its_indicator_style(db, client):
    assert "\"includeIndicatorStyles\":false" in client.get(reverse("login")).content.decode()


def test_csp_nonce_changes_per_request_and_is_available_to_templates(db, client):
    first = client.get(reverse("login"))
    second = client.get(reverse("login"))
    nonce = lambda r: re.search(r"'nonce-([^']+)'", r["Content-Security-Policy"]).group(1)  # noqa: E731
    assert nonce(first) != nonce(second)
    assert f'nonce="{nonce(first)}"' in first.content.decode()  # base.html's script tags carry it


def test_permissions_policy_denies_camera_microphone_and_location(db, client):
    value = client.get(reverse("showcase:list"))["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in value


def test_templates_have_no_inline_script_or_event_handler():
    """What the CSP would block in the browser: <script> without src, on*= attributes, javascript: URLs."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\son[a-z]+\s*=\s*[\"']", r"href=[\"']javascript:"):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert not offenders, offenders


def test_session_ends_after_two_hours_without_a_request(world):
    client = Client()
    start = dt.datetime(2026, 5, 8, 9, 0, tzinfo=dt.timezone.utc)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(world.users.college)
        assert client.get(reverse("home")).status_code == 200
        for _ in range(3):  # active every 100 minutes: still signed in 5 hours later
            clock.shift(dt.timedelta(minutes=100))
            assert client.get(reverse("home")).status_code == 200
        clock.shift(dt.timedelta(hours=2, minutes=1))
        response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def _session_writes(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in ctx.captured_queries
            if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")]


def test_a_page_view_writes_the_session_at_most_once_a_minute(world):
    """Sliding expiry without an UPDATE per request (core/sessions.py): the first view after a
    minute renews, the views in between only read."""
    client = Client()
    start = dt.datetime(2026, 5, 8, 9, 0, tzinfo=dt.timezone.utc)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(world.users.college)
        assert len(_session_writes(client, reverse("home"))) == 1  # never renewed yet
        clock.shift(dt.timedelta(seconds=30))
        assert _session_writes(client, reverse("home")) == []
        clock.shift(dt.timedelta(seconds=29))
        assert _session_writes(client, reverse("home")) == []
        clock.shift(dt.timedelta(seconds=2))
        assert len(_session_writes(client, reverse("home"))) == 1


def test_idle_limit_is_kept_to_within_the_renewal_interval(world):
    """Renewed at 09:00, last seen at 09:00:59 (not renewed): still signed in 118 min later, signed out
    once 120 min have passed since the renewal."""
    client = Client()
    start = dt.datetime(2026, 5, 8, 9, 0, tzinfo=dt.timezone.utc)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(world.users.college)
        assert client.get(reverse("home")).status_code == 200
        clock.shift(dt.timedelta(seconds=59))
        assert client.get(reverse("home")).status_code == 200
        clock.shift(dt.timedelta(minutes=118))
        assert client.get(reverse("home")).status_code == 200  # renews: 1 h 59 min after the last renewal
        clock.shift(dt.timedelta(minutes=120, seconds=1))
        response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_idle_timeout_comes_from_the_environment():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_TESTING"}
    env.update(DJANGO_SETTINGS_MODULE="brandcampaign.settings", SESSION_IDLE_MINUTES="30")
    code = "import django;django.setup();from django.conf import settings as s;print(s.SESSION_COOKIE_AGE, s.SESSION_RENEW_SECONDS)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["1800", "60"], out.stderr
    env.pop("SESSION_IDLE_MINUTES")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["7200", "60"], out.stderr
