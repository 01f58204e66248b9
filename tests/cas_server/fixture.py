"""Start the test CAS server (tests/cas_server/settings.py) as its own process, and talk to it like a browser."""

import os
import re
import socket
import subprocess
import sys
import time
from html import unescape
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

REPO = Path(__file__).resolve().parent.parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(workdir, timeout=60):
    """Migrate + seed a fresh SQLite, then ``runserver`` on a free port. Returns (url, process, log path)."""
    import requests

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CAS_"))}
    env.update(DJANGO_SETTINGS_MODULE="tests.cas_server.settings", CAS_TEST_DB=str(Path(workdir) / "cas.sqlite3"),
               PYTHONPATH=str(REPO))
    log_path = Path(workdir) / "cas-server.log"
    subprocess.run([sys.executable, "-m", "tests.cas_server.seed"], cwd=REPO, env=env, check=True, timeout=timeout)
    log = open(log_path, "wb")
    proc = subprocess.Popen([sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/cas/"
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url + "login", timeout=2).status_code == 200:
                return SimpleNamespace(url=url, process=proc, log=log_path)
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the test CAS server did not start; its log:\n{log_path.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


def stop(server):
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


def _hidden_inputs(html):
    fields = {}
    for tag in re.findall(r"<input[^>]+>", html):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                fields[name.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def service_ticket(cas_url, service, username, password, session=None):
    """Sign in at the CAS server as a browser would and return the service ticket it issues for ``service``."""
    import requests

    s = session or requests.Session()
    page = s.get(cas_url + "login", params={"service": service}, allow_redirects=False, timeout=10)
    if page.status_code == 200 and "password" in page.text:
        data = _hidden_inputs(page.text)
        data.update(username=username, password=password)
        page = s.post(cas_url + "login", params={"service": service}, data=data, allow_redirects=False, timeout=10)
    assert page.status_code in (302, 303), f"CAS login did not redirect: {page.status_code} {page.text[:500]}"
    location = page.headers["Location"]
    assert location.startswith(service.split("?")[0]), location
    return parse_qs(urlparse(location).query)["ticket"][0]
