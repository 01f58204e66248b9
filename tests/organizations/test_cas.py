"""统一身份认证 (CAS) beside local accounts, against a real CAS 3.0 server (django-cas-server, tests/cas_server/).

Tests that use the ``cas_server``/``cas_on`` fixtures get the ``cas_server`` mark (tests/conftest.py)."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.test import Client
from django.urls import reverse
from django_cas_ng.models import SessionTicket

from audit.models import AuditEntry
from organizations.models import RoleAssignment, User

from ..cas_server.fixture import free_port, service_ticket
from ..cas_server.users import MATCHED, PASSWORD, UNMATCHED

PORTAL_SERVICE = "http://testserver/accounts/cas/login/?next=%2F"


@pytest.fixture
def matched(world):
    """college_a (院级书记 of 甲学院) carries 张三's 工号; the CAS user name (zhangsan) is not a portal user name."""
    User.objects.filter(pk=world.users.college.pk).update(employee_id=MATCHED.employee_id)
    return world.users.college


def cas_redirect(client, next_url="/"):
    """GET the portal's CAS login: the service URL it sends the browser to the CAS server with."""
    response = client.get(reverse("cas_login"), {"next": next_url})
    assert response.status_code == 302, response.content.decode()[:500]
    return parse_qs(urlparse(response["Location"]).query)["service"][0], response["Location"]


def present(client, ticket, next_url="/"):
    return client.get(reverse("cas_login"), {"next": next_url, "ticket": ticket})


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_without_cas_server_url_the_portal_is_unchanged(client, db):
    body = client.get(reverse("login")).content.decode()
    assert "统一身份认证登录" not in body and 'id="id_username"' in body
    assert client.get(reverse("cas_login")).status_code == 404


def test_matched_cas_user_lands_on_home_with_the_portal_roles(cas_on, matched, client):
    body = client.get(reverse("login")).content.decode()
    assert "统一身份认证登录" in body and 'id="id_username"' in body  # local login stays beside it
    service, location = cas_redirect(client)
    assert location.startswith(cas_on.url + "login?")
    assert service == PORTAL_SERVICE

    response = present(client, service_ticket(cas_on.url, service, MATCHED.username, PASSWORD))
    assert response.status_code == 302 and response["Location"] == "/"
    assert logged_in_user_id(client) == str(matched.pk)
    home = client.get("/").content.decode()
    assert "院级党组织书记/联系人 · 甲学院党委" in home  # the role is the portal's
    assert SessionTicket.objects.filter(session_key=client.session.session_key).exists()
    assert list(RoleAssignment.objects.filter(user=matched).values_list("role", flat=True)) == ["college_secretary"]
    matched.refresh_from_db()
    assert not matched.is_staff and not matched.is_superuser


def test_next_is_kept_through_cas_and_offsite_next_is_ignored(cas_on, matched, client):
    service, _ = cas_redirect(client, "/orgs/1/")
    response = present(client, service_ticket(cas_on.url, service, MATCHED.username, PASSWORD), "/orgs/1/")
    assert response["Location"] == "/orgs/1/"
    other = Client()
    service, _ = cas_redirect(other, "https://evil.example.com/")
    assert service == PORTAL_SERVICE


def test_unmatched_cas_user_sees_whom_to_ask_and_gets_no_account(cas_on, world, client):
    users_before = User.objects.count()
    service, _ = cas_redirect(client)
    response = present(client, service_ticket(cas_on.url, service, UNMATCHED.username, PASSWORD))
    body = response.content.decode()
    assert response.status_code == 403
    assert "未找到与您对应的平台账号" in body
    assert UNMATCHED.employee_id in body and UNMATCHED.display_name in body
    assert "请联系<strong>党委组织部（电话 0000-12345678）</strong>" in body
    assert "退出统一身份认证" in body
    assert logged_in_user_id(client) is None
    assert User.objects.count() == users_before


def test_cas_create_users_creates_an_account_without_any_role(cas_on, world, settings, client):
    settings.CAS_CREATE_USERS = True
    service, _ = cas_redirect(client)
    response = present(client, service_ticket(cas_on.url, service, UNMATCHED.username, PASSWORD))
    assert response.status_code == 302
    user = User.objects.get(employee_id=UNMATCHED.employee_id)
    assert logged_in_user_id(client) == str(user.pk)
    assert user.full_name == UNMATCHED.display_name and not user.has_usable_password()
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert "尚未分配角色" in client.get("/").content.decode()
    assert AuditEntry.objects.filter(object_id=str(user.pk), action="create").exists()

    again = Client()  # a second login finds the same account
    service, _ = cas_redirect(again)
    present(again, service_ticket(cas_on.url, service, UNMATCHED.username, PASSWORD))
    assert logged_in_user_id(again) == str(user.pk)
    assert User.objects.filter(employee_id=UNMATCHED.employee_id).count() == 1


def test_without_an_employee_id_attribute_the_cas_user_name_is_the_employee_id(cas_on, world, settings, client):
    settings.CAS_EMPLOYEE_ID_ATTRIBUTE = ""
    User.objects.filter(pk=world.users.judge.pk).update(employee_id=MATCHED.username)
    service, _ = cas_redirect(client)
    present(client, service_ticket(cas_on.url, service, MATCHED.username, PASSWORD))
    assert logged_in_user_id(client) == str(world.users.judge.pk)


def test_a_deactivated_account_cannot_sign_in_through_cas(cas_on, matched, client):
    User.objects.filter(pk=matched.pk).update(is_active=False)
    service, _ = cas_redirect(client)
    response = present(client, service_ticket(cas_on.url, service, MATCHED.username, PASSWORD))
    assert response.status_code == 403 and "您的平台账号已停用" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_a_ticket_replayed_a_second_time_is_refused(cas_on, matched, client):
    service, _ = cas_redirect(client)
    ticket = service_ticket(cas_on.url, service, MATCHED.username, PASSWORD)
    assert present(client, ticket).status_code == 302
    assert logged_in_user_id(client) == str(matched.pk)

    thief = Client()
    response = present(thief, ticket)
    assert response.status_code == 403
    assert "登录凭据无效、已过期或已经使用过" in response.content.decode()
    assert logged_in_user_id(thief) is None


def test_a_ticket_issued_for_another_service_is_refused(cas_on, matched, client):
    ticket = service_ticket(cas_on.url, "http://testserver/other-app/", MATCHED.username, PASSWORD)
    response = present(client, ticket)
    assert response.status_code == 403
    assert "登录凭据无效" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_a_ticket_for_the_portal_with_another_next_is_refused(cas_on, matched, client):
    """The service URL includes ?next=: a ticket is only good for the exact URL it was issued for."""
    service, _ = cas_redirect(client, "/orgs/")
    ticket = service_ticket(cas_on.url, service, MATCHED.username, PASSWORD)
    assert present(client, ticket, "/").status_code == 403
    assert logged_in_user_id(client) is None


@pytest.mark.parametrize("ticket", ["ST-made-up", "x" * 5000])
def test_a_forged_ticket_is_refused(cas_on, matched, client, ticket):
    response = present(client, ticket)
    assert response.status_code == 403 and "登录凭据无效" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_cas_server_down_gives_a_clear_message_and_local_login_still_works(world, settings, client):
    settings.CAS_SERVER_URL = f"http://127.0.0.1:{free_port()}/cas/"  # nothing listens there
    settings.CAS_TIMEOUT = 2
    for params in ({"next": "/"}, {"next": "/", "ticket": "ST-whatever"}):
        response = client.get(reverse("cas_login"), params)
        body = response.content.decode()
        assert response.status_code == 503
        assert "统一身份认证服务暂时无法访问" in body and "用本平台的账号和密码登录" in body
        assert logged_in_user_id(client) is None
    response = client.post(reverse("login"), {"username": "branch_a1", "password": "pw-123456"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert logged_in_user_id(client) == str(world.users.branch.pk)


NGINX_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
             b"</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")


@pytest.fixture
def bad_gateway():
    """A local HTTP server that answers every request like an nginx whose CAS upstream is down."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(502)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(NGINX_502)))
            self.end_headers()
            self.wfile.write(NGINX_502)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cas/"
    server.shutdown()
    server.server_close()


def test_a_cas_proxy_answering_502_gives_the_unavailable_page(world, settings, client, bad_gateway):
    settings.CAS_SERVER_URL = bad_gateway
    for params in ({"next": "/"}, {"next": "/", "ticket": "ST-whatever"}):
        response = client.get(reverse("cas_login"), params)
        assert response.status_code == 503 and "统一身份认证服务暂时无法访问" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_logout_of_a_cas_session_also_ends_the_cas_session(cas_on, matched, client):
    browser = requests.Session()  # the CAS side of the same browser (its CAS cookie)
    service, _ = cas_redirect(client)
    present(client, service_ticket(cas_on.url, service, MATCHED.username, PASSWORD, session=browser))
    # while the CAS session lives, the CAS server issues a ticket without asking again
    silent = browser.get(cas_on.url + "login", params={"service": service}, allow_redirects=False)
    assert silent.status_code == 302 and "ticket=" in silent.headers["Location"]

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == cas_on.url + "logout?service=http%3A%2F%2Ftestserver%2Faccounts%2Flogin%2F"
    assert logged_in_user_id(client) is None
    assert not SessionTicket.objects.exists()
    browser.get(response["Location"], allow_redirects=False)
    again = browser.get(cas_on.url + "login", params={"service": service}, allow_redirects=False)
    assert again.status_code == 200 and 'name="password"' in again.text


def test_logout_of_a_local_session_stays_in_the_portal(cas_on, world, client):
    client.post(reverse("login"), {"username": "branch_a1", "password": "pw-123456"})
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert logged_in_user_id(client) is None


def test_cas_logout_completely_off_keeps_the_cas_session(cas_on, matched, settings, client):
    settings.CAS_LOGOUT_COMPLETELY = False
    service, _ = cas_redirect(client)
    present(client, service_ticket(cas_on.url, service, MATCHED.username, PASSWORD))
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert logged_in_user_id(client) is None


# ---------------------------------------------------------------- the local form beside CAS


@pytest.fixture
def local_for_admins_only(settings):
    settings.CAS_SERVER_URL = "https://cas.example.edu.cn/cas/"  # never contacted by these tests
    settings.CAS_LOCAL_LOGIN_ADMIN_ONLY = True


def test_hidden_local_form_leaves_a_way_in_for_zzb_admin(local_for_admins_only, world, client):
    body = client.get(reverse("login")).content.decode()
    assert "统一身份认证登录" in body and 'id="id_username"' not in body
    assert "组织部管理员使用本平台账号登录" in body
    body = client.get(reverse("login") + "?local=1").content.decode()
    assert 'id="id_username"' in body

    response = client.post(reverse("login"), {"username": "admin", "password": "pw-123456", "local": "1"})
    assert response.status_code == 302 and logged_in_user_id(client) == str(world.users.admin.pk)


def test_hidden_local_form_refuses_everyone_else_even_with_the_right_password(local_for_admins_only, world, client):
    response = client.post(reverse("login"), {"username": "college_a", "password": "pw-123456", "local": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "本地账号密码登录仅供组织部管理员使用" in body and "用户名或密码不正确" not in body
    assert logged_in_user_id(client) is None


def test_cas_outage_page_does_not_offer_the_local_form_to_everyone_when_it_is_hidden(local_for_admins_only, world,
                                                                                     settings, client):
    settings.CAS_SERVER_URL = f"http://127.0.0.1:{free_port()}/cas/"
    body = client.get(reverse("cas_login")).content.decode()
    assert "统一身份认证服务暂时无法访问" in body
    assert "仅供组织部管理员使用" in body and "您也可以用本平台的账号和密码登录" not in body


def test_axes_still_locks_the_local_form_when_cas_is_on(local_for_admins_only, world, client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "admin", "password": "wrong", "local": "1"})
    response = client.post(reverse("login"), {"username": "admin", "password": "pw-123456", "local": "1"})
    assert response.status_code == 429 and "账号已暂时锁定" in response.content.decode()
    assert logged_in_user_id(client) is None
