"""Every URL × every role → expected HTTP status (GET).

A new URL gets a new row. 302 for anonymous users means "sent to the login page"."""

import pytest
from django.urls import reverse

ROLES = ["anon", "norole", "branch", "college", "judge", "admin"]


def row(name, expected, kwargs=None):
    """expected: dict role → status, or a single status for all signed-in roles."""
    return pytest.param(name, kwargs or (lambda w: {}), expected, id=name)


LOGIN = 302
ADMIN_ONLY = {"anon": LOGIN, "norole": 403, "branch": 403, "college": 403, "judge": 403, "admin": 200}

MATRIX = [
    row("home", {"anon": LOGIN, "norole": 200, "branch": 200, "college": 200, "judge": 200, "admin": 200}),
    row("healthz", {r: 200 for r in ROLES}),
    row("login", {"anon": 200, "norole": 302, "branch": 302, "college": 302, "judge": 302, "admin": 302}),
    row("password_change", {"anon": LOGIN, "norole": 200, "branch": 200, "college": 200, "judge": 200, "admin": 200}),
    row("organizations:tree", ADMIN_ONLY),
    row("organizations:people", ADMIN_ONLY),
    row("organizations:detail", {"anon": LOGIN, "norole": 403, "branch": 403, "college": 200, "judge": 403, "admin": 200},
        lambda w: {"pk": w.college_a.pk}),
    row("organizations:detail", {"anon": LOGIN, "norole": 403, "branch": 200, "college": 200, "judge": 403, "admin": 200},
        lambda w: {"pk": w.branch_a1.pk}),
    row("organizations:detail", {"anon": LOGIN, "norole": 403, "branch": 403, "college": 403, "judge": 403, "admin": 200},
        lambda w: {"pk": w.branch_b1.pk}),
    row("organizations:edit", ADMIN_ONLY, lambda w: {"pk": w.branch_a1.pk}),
    row("campaigns:list", ADMIN_ONLY),
    row("campaigns:detail", ADMIN_ONLY, lambda w: {"pk": w.campaign.pk}),
    row("campaigns:edit", ADMIN_ONLY, lambda w: {"pk": w.campaign.pk}),
    row("core:audit", ADMIN_ONLY),
    row("campaigns:reminders_current", {"anon": LOGIN, "norole": 403, "branch": 403, "college": 403, "judge": 403, "admin": 302}),
    row("campaigns:reminders", ADMIN_ONLY, lambda w: {"pk": w.campaign.pk}),
    row("campaigns:reminder_log", ADMIN_ONLY, lambda w: {"pk": w.campaign.pk}),
    row("campaigns:reminder_settings", ADMIN_ONLY, lambda w: {"pk": w.campaign.pk}),
    row("campaigns:reminder_manual", ADMIN_ONLY, lambda w: {"pk": w.campaign.pk}),
    row("campaigns:notifications", {"anon": LOGIN, "norole": 200, "branch": 200, "college": 200, "judge": 200, "admin": 200}),
    # a notification of the branch secretary: only its owner may open it (others: 404)
    row("campaigns:notification_open", {"anon": LOGIN, "norole": 404, "branch": 302, "college": 404, "judge": 404, "admin": 404},
        lambda w: {"pk": _notification_for(w.users.branch).pk}),
]


def _notification_for(user):
    from campaigns.models import Notification

    return Notification.objects.create(user=user, title="提醒", url="/")


def user_for(world, role):
    return None if role == "anon" else getattr(world.users, role)


@pytest.mark.parametrize("name,kwargs,expected", MATRIX)
def test_permission_matrix(world, client_for, name, kwargs, expected):
    url = reverse(name, kwargs=kwargs(world))
    got = {}
    for role in ROLES:
        response = client_for(user_for(world, role)).get(url)
        got[role] = response.status_code
        if role == "anon" and response.status_code == 302 and expected[role] == LOGIN and name != "login":
            assert reverse("login") in response["Location"]
    assert got == {r: expected[r] for r in ROLES}


def test_every_url_has_a_matrix_row():
    """A URL added without a permission row fails here."""
    from django.urls import get_resolver

    covered = {p.values[0] for p in MATRIX} | set(EXTRA_COVERED)
    names = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                if p.namespace in {"admin"}:
                    continue
                walk(p.url_patterns, ns)
            elif p.name:
                names.add(prefix + p.name)

    walk(get_resolver().url_patterns)
    missing = sorted(names - covered)
    assert not missing, f"URLs without a permission-matrix row: {missing}"


# POST-only or action URLs are covered by their own tests (named here so the check above knows).
EXTRA_COVERED = {
    "logout": "tests/core/test_auth.py",
    "password_change_done": "static confirmation page",
    "campaigns:revoke_extension": "tests/campaigns/test_campaign_views.py",
    "campaigns:notification_read": "POST only: tests/campaigns/test_reminder_views.py",
    "campaigns:notifications_read_all": "POST only: tests/campaigns/test_reminder_views.py",
}
