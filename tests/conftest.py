import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine

from campaigns.models import SHANGHAI
from campaigns.services import create_campaign
from organizations.models import Role

from .factories import BranchFactory, CollegeFactory, SchoolFactory, UserFactory, give_role

# A fixed "today" inside phase 1 of the 2026 campaign (default calendar: deadline May 15).
PHASE1_NOW = dt.datetime(2026, 5, 8, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def at():
    """Travel to a Shanghai wall-clock time: at(2026, 5, 15, 23, 0)."""
    travellers = []

    def go(*args):
        t = time_machine.travel(dt.datetime(*args, tzinfo=SHANGHAI), tick=False)
        t.start()
        travellers.append(t)

    yield go
    for t in reversed(travellers):
        t.stop()


@pytest.fixture
def world(db):
    """Two colleges with two branches each, one account per role, the 2026 campaign."""
    school = SchoolFactory()
    college_a = CollegeFactory(name="甲学院党委", code="A", parent=school)
    college_b = CollegeFactory(name="乙学院党委", code="B", parent=school)
    branch_a1 = BranchFactory(name="甲一支部", code="A-1", parent=college_a)
    branch_a2 = BranchFactory(name="甲二支部", code="A-2", parent=college_a)
    branch_b1 = BranchFactory(name="乙一支部", code="B-1", parent=college_b)
    branch_b2 = BranchFactory(name="乙二支部", code="B-2", parent=college_b)
    users = SimpleNamespace(
        admin=give_role(UserFactory(username="admin"), Role.ADMIN),
        judge=give_role(UserFactory(username="judge"), Role.JUDGE, college_a),
        college=give_role(UserFactory(username="college_a"), Role.COLLEGE_SECRETARY, college_a),
        college_b=give_role(UserFactory(username="college_b"), Role.COLLEGE_SECRETARY, college_b),
        branch=give_role(UserFactory(username="branch_a1"), Role.BRANCH_SECRETARY, branch_a1),
        branch_b=give_role(UserFactory(username="branch_b1"), Role.BRANCH_SECRETARY, branch_b1),
        norole=UserFactory(username="norole"),
    )
    campaign = create_campaign(2026)
    return SimpleNamespace(
        school=school, college_a=college_a, college_b=college_b, branch_a1=branch_a1, branch_a2=branch_a2,
        branch_b1=branch_b1, branch_b2=branch_b2, users=users, campaign=campaign,
    )


def mark_renewed(client):
    """What a sign-in through the login page leaves in the session: renewed now (core/sessions.py), so
    the next page views do not write it (force_login bypasses the middleware)."""
    import time

    from core.sessions import RENEWED_KEY

    session = client.session
    session[RENEWED_KEY] = int(time.time())
    session.save()


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client logged in as that user (None → anonymous)."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
            mark_renewed(c)
        return c

    return make


# ---------------------------------------------------------------- 统一身份认证: a real CAS server


@pytest.fixture(scope="session")
def cas_server(tmp_path_factory):
    """A running django-cas-server (tests/cas_server/) on a free port: ``.url`` ends with "/cas/".

    One per session (per xdist worker). Without the package the tests are skipped, except with
    CI=true, where they fail: they must run."""
    import importlib.util
    import os

    if importlib.util.find_spec("cas_server") is None:
        reason = "django-cas-server is not installed (pip install -r requirements-dev.txt)"
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason}; CI=true, so the CAS tests must run", pytrace=False)
        pytest.skip(reason)
    from .cas_server import fixture

    server = fixture.start(tmp_path_factory.mktemp("cas-server"))
    yield server
    fixture.stop(server)


@pytest.fixture
def cas_on(settings, cas_server):
    """The portal with 统一身份认证 switched on against the test CAS server (CAS 3.0, 工号 in employeeNumber)."""
    from .cas_server import users

    settings.CAS_SERVER_URL = cas_server.url
    settings.CAS_VERSION = "3"
    settings.CAS_EMPLOYEE_ID_ATTRIBUTE = users.EMPLOYEE_ID_ATTRIBUTE
    settings.CAS_DISPLAY_NAME_ATTRIBUTE = users.DISPLAY_NAME_ATTRIBUTE
    settings.CAS_HELP_CONTACT = "党委组织部（电话 0000-12345678）"
    return cas_server


def pytest_collection_modifyitems(items):
    for item in items:
        if "cas_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.cas_server)
def reset_celery_connections():
    """Drop kombu's process-wide pools so the next publish uses the current broker settings."""
    from kombu import pools

    from brandcampaign.celery import app

    pools.reset()
    app._pool = None
    app.__dict__.pop("amqp", None)


@pytest.fixture
def broker_down():
    """Celery pointed at a Redis port where nothing listens: every publish fails as in an outage.
    `broker_down.restore()` brings "the broker" back (tasks run in-process again)."""
    from brandcampaign.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    reset_celery_connections()
    app.conf.update(broker_url="redis://127.0.0.1:8129/14", task_always_eager=False)

    def restore():
        app.conf.update(saved)
        reset_celery_connections()

    yield type("BrokerDown", (), {"restore": staticmethod(restore)})
    restore()
