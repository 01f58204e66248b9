"""Crafted input never reaches a 500: every URL of the URL conf, with hostile path and query values.

Which URLs: the resolver is walked (`get_resolver()`); a URL the fuzz does not know fails
`test_every_url_is_fuzzed`. Real ids come from the permission matrix (its rows and `prepare()`),
hostile ids replace each path parameter in turn. Which query parameters: the explicit table PARAMS;
`test_params_table_is_complete` requests every URL with a QueryDict that records every key read
(views, forms, templates, middleware) and fails on a key the table lacks.

Roles are sampled: every (parameter, value) pair as one role the page answers 200 to, every
parameter hostile at once as each role, hostile path values as that role and anonymously.
The sysadmin (Django admin) is fuzzed per registered model: changelist with hostile parameters,
change/history/delete with hostile object ids.
"""

import re
from contextlib import contextmanager
from types import SimpleNamespace
from unittest import mock

import pytest
from django.contrib import admin
from django.http import QueryDict
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from ..factories import UserFactory
from ..test_permission_matrix import MATRIX, ROLES, prepare, user_for

HOSTILE_VALUES = [
    "abc", "-1", "0", "99999999999999999999", "²", "\x00", "a\x00b", "x" * 5000,
    "1' OR 1=1--", "1; DROP TABLE core_auditentry", "{{ 7|add:7 }}{% debug %}", "<script>alert(1)</script>",
    "../../etc/passwd", "zz-unknown-choice", "2026-13-45T99:99", "%", "\u202e\ufeff", "１２",
]
HOSTILE_PATH = {
    "int": ["0", "99999999999999999999"],
    "str": ["abc", "\x00", "1' OR 1=1--", "{{7*7}}", "y" * 2000],
    "slug": ["abc", "0" * 200],
    "uuid": ["00000000-0000-0000-0000-000000000000"],
    "path": ["abc", "\x00", "99999999999999999999", "1' OR 1=1--"],
}

# Query parameters each view reads (keys anyone reads on every page are in GLOBAL_PARAMS).
GLOBAL_PARAMS = set()
PARAMS = {
    "login": {"next", "local"},
    "notify:deliveries": {"channel", "page", "q", "robot", "status"},
    "similarity:campaign": {"flagged", "kind"},
    "logout": {"next"},
    "audit:audit": {"org", "actor", "model", "action", "page"},
    "organizations:tree": {"inactive", "type"},
    "organizations:people": {"role"},
    "organizations:export": {"format"},
    "organizations:pending_activation": {"format"},
    "submissions:progress": {"campaign", "type", "state"},
    "submissions:formal_check": {"track", "state"},
    "submissions:form1": {"preview"},
    "submissions:form2": {"preview"},
    "submissions:row": {"preview"},
    "submissions:attachment": {"download"},
    "submissions:scan_file": {"download"},
    "submissions:outcome_file": {"purpose"},
    "showcase:list": {"q", "year", "org_type", "award", "kind", "page"},
    "showcase:library": {"q", "year", "type", "page"},
    "showcase:manage": {"year"},
    "showcase:booklets": {"year"},
    "showcase:bundle": {"year"},
    "reviews:index": {"campaign"},
    "reviews:rubric": {"round"},
    "reviews:room_poll": {"seen"},
    "dashboard:index": {"campaign", "type", "state"},
    "dashboard:matrix": {"campaign", "type", "state"},
    "dashboard:export": {"campaign", "type", "state"},
    "campaigns:reminders": {"at"},
    "campaigns:reminder_log": {"status", "deadline", "q", "page"},
    "campaigns:notifications": {"unread", "page"},
}

# Named URLs that have no permission-matrix row (POST-only actions): their real path parameters.
EXTRA_KWARGS = {
    "logout": lambda w: {},
    "password_change_done": lambda w: {},
    "campaigns:revoke_extension": lambda w: {"pk": w.campaign.pk, "ext_pk": 1},
    "campaigns:notification_read": lambda w: {"pk": 1},
    "campaigns:notifications_read_all": lambda w: {},
}
UNNAMED = {"favicon.ico"}


def walk(patterns=None, prefix="", route=""):
    """(name or route, converters {kwarg: type}) for every URL outside the admin."""
    out = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            out += walk(p.url_patterns, ns, route + str(p.pattern))
        elif isinstance(p, URLPattern):
            full = route + str(p.pattern)
            converters = {k: type(c).__name__.replace("Converter", "").lower()
                          for k, c in p.pattern.converters.items()}
            out.append((prefix + p.name if p.name else full, converters))
    return out


def url_names():
    return {name for name, _ in walk()}


def targets():
    """name → (kwargs(world), expected status per role) from the matrix's first row of each name."""
    found = {}
    for param in MATRIX:
        name, kwargs, expected = param.values
        found.setdefault(name, (kwargs, expected))
    for name, kwargs in EXTRA_KWARGS.items():
        found.setdefault(name, (kwargs, {}))
    return found


def primary_role(expected):
    """A role that gets the page itself: a non-admin one if any, else the admin, else anonymous."""
    for role in ("branch", "college", "judge", "norole", "admin", "anon"):
        if expected.get(role) == 200:
            return role
    return "admin"


class Fuzzer:
    def __init__(self, world):
        self.world = world
        self.clients = {}
        self.failures = []
        self.requests = 0

    def client(self, role):
        if role not in self.clients:
            c = Client()
            user = self.world.superuser if role == "superuser" else user_for(self.world, role)
            if user is not None:
                c.force_login(user)
            self.clients[role] = c
        return self.clients[role]

    def get(self, role, url, params=None):
        self.requests += 1
        try:
            status = self.client(role).get(url, params or {}).status_code
        except Exception as exc:  # noqa: BLE001 - every uncaught exception is a 500 in production
            status = f"{exc.__class__.__name__}: {str(exc)[:120]}"
        if not isinstance(status, int) or status >= 500:
            shown = {k: (v[:40] + "…" if len(v) > 40 else v) for k, v in (params or {}).items()}
            self.failures.append(f"{role} GET {url[:120]} {shown!r} → {status}")


def hostile_urls(name, kwargs, converters):
    for key, kind in converters.items():
        for value in HOSTILE_PATH.get(kind, HOSTILE_PATH["str"]):
            try:
                yield reverse(name, kwargs={**kwargs, key: value})
            except NoReverseMatch:
                continue


def fuzz_url(f, name, converters):
    kwargs_fn, expected = targets()[name]
    kwargs = kwargs_fn(f.world)
    url = reverse(name, kwargs=kwargs)
    role = primary_role(expected)
    params = sorted(PARAMS.get(name, ()))
    for p in params:
        for value in HOSTILE_VALUES:
            f.get(role, url, {p: value})
    if params:
        for i, r in enumerate(ROLES):
            value = HOSTILE_VALUES[i % len(HOSTILE_VALUES)]
            f.get(r, url, {p: value for p in params})
            f.get(r, url, {p: HOSTILE_VALUES[(i + 5) % len(HOSTILE_VALUES)] for p in params})
    # a parameter nobody reads, and a repeated one
    f.get(role, url, {"zz\x00": "1"})
    for bad in hostile_urls(name, kwargs, converters):
        f.get(role, bad)
        if expected.get("anon") not in (302, None):
            f.get("anon", bad)


def groups():
    by_ns = {}
    for name, converters in walk():
        if name in UNNAMED:
            continue
        by_ns.setdefault(name.split(":")[0] if ":" in name else "(root)", []).append((name, converters))
    return by_ns


@pytest.fixture
def fuzz(world):
    prepare(world)
    world.superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    return Fuzzer(world)


@pytest.mark.parametrize("group", sorted(groups()))
def test_no_crafted_get_reaches_a_5xx(fuzz, group):
    for name, converters in groups()[group]:
        fuzz_url(fuzz, name, converters)
    assert fuzz.requests > 0
    assert not fuzz.failures, f"{len(fuzz.failures)} of {fuzz.requests} requests failed:\n" + "\n".join(fuzz.failures[:40])


def test_unnamed_urls_survive_hostile_parameters(fuzz):
    for route in UNNAMED:
        for value in HOSTILE_VALUES[:8]:
            fuzz.get("anon", "/" + route, {"q": value})
    assert not fuzz.failures, fuzz.failures


def test_sysadmin_survives_hostile_parameters_and_ids(fuzz):
    """Every registered model: changelist with hostile filters/search/order; hostile object ids."""
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        changelist = reverse("admin:%s_%s_changelist" % info)
        for i, value in enumerate(("\x00", "x" * 3000, "1' OR 1=1--", "²", "{{7*7}}")):
            fuzz.get("superuser", changelist, {"q": value, "o": value, "p": value, "all": value})
            fuzz.get("superuser", changelist, {"_to_field": value, "e": value, "zz__gt": value})
        for action in ("change", "history", "delete"):
            for value in ("abc", "99999999999999999999", "\x00", "1' OR 1=1--"):
                try:
                    fuzz.get("superuser", reverse("admin:%s_%s_%s" % (*info, action), args=[value]))
                except NoReverseMatch:
                    pass
        fuzz.get("anon", changelist, {"q": "\x00"})
    fuzz.get("superuser", reverse("admin:index"), {"q": "\x00"})
    assert not fuzz.failures, f"{len(fuzz.failures)} of {fuzz.requests} failed:\n" + "\n".join(fuzz.failures[:40])


def test_every_url_is_fuzzed():
    """A new URL needs a matrix row (or EXTRA_KWARGS) so that the fuzz has real path parameters."""
    known = set(targets()) | UNNAMED
    missing = sorted(url_names() - known)
    assert not missing, f"URLs the fuzz cannot fill: {missing}"


class RecordingQueryDict(QueryDict):
    read = set()

    def __getitem__(self, key):
        RecordingQueryDict.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        RecordingQueryDict.read.add(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        RecordingQueryDict.read.add(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        RecordingQueryDict.read.add(key)
        return super().__contains__(key)


@contextmanager
def recording():
    RecordingQueryDict.read = set()
    with mock.patch("django.core.handlers.wsgi.QueryDict", RecordingQueryDict):
        yield RecordingQueryDict.read


def test_params_table_is_complete(fuzz):
    """Each URL, as a role that reaches its view, reads only query keys PARAMS lists for it."""
    unlisted = {}
    for name, _ in walk():
        if name in UNNAMED:
            continue
        kwargs_fn, expected = targets()[name]
        url = reverse(name, kwargs=kwargs_fn(fuzz.world))
        with recording() as read:
            fuzz.get(primary_role(expected), url)
        extra = read - PARAMS.get(name, set()) - GLOBAL_PARAMS
        if extra:
            unlisted[name] = sorted(extra)
    assert not fuzz.failures, fuzz.failures
    assert not unlisted, f"query parameters read but not fuzzed (add them to PARAMS): {unlisted}"


def test_recording_querydict_sees_what_a_view_reads(fuzz):
    """The completeness check above can fail: the audit page's filters are all seen."""
    with recording() as read:
        fuzz.get("admin", reverse("audit:audit"))
    assert {"org", "actor", "model", "action", "page"} <= read


def test_nul_in_query_or_form_body_is_refused_in_chinese(fuzz):
    response = fuzz.client("anon").get("/showcase/", {"q": "品牌\x00"})
    assert response.status_code == 400
    assert "空字符" in response.content.decode()
    response = fuzz.client("anon").post(reverse("login"), "username=admin%00&password=x",
                                        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    # multipart bodies are left to the forms (CharField refuses NUL): an error on the form, no 500
    response = fuzz.client("anon").post(reverse("login"), {"username": "admin\x00", "password": "x"})
    assert response.status_code == 200 and "空字符" not in response.content.decode()
    assert response.context["form"].errors


def test_invalid_filter_values_are_ignored_not_applied(fuzz):
    """/submissions/progress/?campaign=abc shows the current campaign, as with no parameter."""
    c = fuzz.client("admin")
    plain = c.get(reverse("submissions:progress"))
    crafted = c.get(reverse("submissions:progress"), {"campaign": "abc", "type": "zz", "state": "²"})
    assert crafted.status_code == plain.status_code == 200
    assert crafted.context["campaign"] == plain.context["campaign"] == fuzz.world.campaign
    assert crafted.context["org_type"] is None and crafted.context["state"] is None
    assert len(crafted.context["lines"]) == len(plain.context["lines"]) > 0


def test_nul_in_a_multipart_text_field_is_stripped_when_the_view_reads_it(rf):
    """Upload forms post multipart: the body is parsed by the view, and its text fields come without NUL."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.edge import RejectNulMiddleware

    seen = {}

    def view(request):
        seen["caption"] = request.POST.get("caption")
        seen["file"] = request.FILES["file"].read()
        from django.http import HttpResponse

        return HttpResponse("ok")

    request = rf.post("/x/", {"caption": "照片\x00说明", "file": SimpleUploadedFile("a.txt", b"a\x00b")})
    response = RejectNulMiddleware(view)(request)
    assert response.status_code == 200
    assert seen == {"caption": "照片说明", "file": b"a\x00b"}  # file bytes untouched


# Form fields that views read raw from request.POST (grep request.POST.get): hostile values for each.
POST_FIELDS = ["action", "version", "next", "year", "campaign", "entry", "judges", "caption", "note", "remove",
               "track", "digest", "attachment", "reason", "abstain_reason", "items", "title", "organizations",
               "organization", "deadline", "branch", "rank", "comment", "c_1", "points"]
POST_VALUES = ["abc", "99999999999999999999", "²", "x" * 5000, "1' OR 1=1--", "{{7*7}}", "", "-1"]


@pytest.mark.parametrize("group", sorted(groups()))
def test_no_crafted_post_reaches_a_5xx(fuzz, group):
    """Every URL, POSTed (multipart, as a role that may use it) with hostile values in the raw-read fields."""
    for name, _ in groups()[group]:
        if name in {"logout", "organizations:import_apply"}:
            continue
        kwargs_fn, expected = targets()[name]
        url = reverse(name, kwargs=kwargs_fn(fuzz.world))
        role = next((r for r in ("branch", "college", "judge", "admin") if expected.get(r) in (200, 302, 405)), "admin")
        for i, value in enumerate(POST_VALUES):
            fuzz.requests += 1
            data = {f: POST_VALUES[(i + j) % len(POST_VALUES)] for j, f in enumerate(POST_FIELDS)}
            try:
                status = fuzz.client(role).post(url, data).status_code
            except Exception as exc:  # noqa: BLE001
                status = f"{exc.__class__.__name__}: {str(exc)[:160]}"
            if not isinstance(status, int) or status >= 500:
                fuzz.failures.append(f"{role} POST {url} #{i} → {status}")
    assert not fuzz.failures, f"{len(fuzz.failures)} of {fuzz.requests} failed:\n" + "\n".join(fuzz.failures[:40])
