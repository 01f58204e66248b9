"""统一身份认证 login cost: full CAS logins against the real test CAS server (tests/cas_server/).

Run: .venv/bin/python bench/cas_bench.py [n]    (prints numbers, asserts nothing)

Per login: the portal's redirect to CAS (includes the reachability check of the CAS server),
the CAS server issuing a ticket (login form + POST, not the portal's cost), and the portal
validating the ticket (serviceValidate round trip + 工号 match + session)."""

import os
import statistics
import sys
import tempfile
import time
from urllib.parse import parse_qs, urlparse

from _setup import ROOT, setup

sys.path.insert(0, str(ROOT))
from tests.cas_server import fixture  # noqa: E402
from tests.cas_server.users import DISPLAY_NAME_ATTRIBUTE, EMPLOYEE_ID_ATTRIBUTE, MATCHED, PASSWORD  # noqa: E402


def ms(values):
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return f"median {statistics.median(values) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"


def main(n):
    server = fixture.start(tempfile.mkdtemp(prefix="cas-bench-"))
    try:
        os.environ.update(CAS_SERVER_URL=server.url, CAS_EMPLOYEE_ID_ATTRIBUTE=EMPLOYEE_ID_ATTRIBUTE,
                          CAS_DISPLAY_NAME_ATTRIBUTE=DISPLAY_NAME_ATTRIBUTE)
        setup()
        from django.test import Client

        from organizations.models import User

        User.objects.create_user("bench_user", employee_id=MATCHED.employee_id)
        redirect_t, issue_t, validate_t = [], [], []
        for _ in range(n):
            c = Client()
            t0 = time.perf_counter()
            r = c.get("/accounts/cas/login/", {"next": "/"})
            t1 = time.perf_counter()
            service = parse_qs(urlparse(r["Location"]).query)["service"][0]
            ticket = fixture.service_ticket(server.url, service, MATCHED.username, PASSWORD)
            t2 = time.perf_counter()
            r = c.get("/accounts/cas/login/", {"next": "/", "ticket": ticket})
            t3 = time.perf_counter()
            assert r.status_code == 302 and c.session.get("_auth_user_id"), r.status_code
            redirect_t.append(t1 - t0)
            issue_t.append(t2 - t1)
            validate_t.append(t3 - t2)
        print(f"{n} CAS logins (SQLite, runserver CAS server on this machine)")
        print(f"  portal → CAS redirect (with reachability check): {ms(redirect_t)}")
        print(f"  CAS server issues the ticket (not the portal):   {ms(issue_t)}")
        print(f"  portal validates ticket, matches 工号, logs in:   {ms(validate_t)}")
    finally:
        fixture.stop(server)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
