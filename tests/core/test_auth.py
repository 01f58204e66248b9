import pytest
from django.test import override_settings
from django.urls import reverse


def test_login_page_is_chinese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "登录党建特色品牌创建平台" in response.content.decode()


def test_wrong_password_gets_a_clear_message(world, client):
    response = client.post(reverse("login"), {"username": "branch_a1", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_repeated_failures_lock_the_account(world, client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "branch_a1", "password": "wrong"})
    # even the right password is refused while locked
    response = client.post(reverse("login"), {"username": "branch_a1", "password": "pw-123456"})
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_right_password_logs_in_and_lands_on_home(world, client):
    response = client.post(reverse("login"), {"username": "branch_a1", "password": "pw-123456"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "我的待办" in response.content.decode()


def test_logout_is_post_only_and_logs_out(world, client_for):
    c = client_for(world.users.branch)
    assert c.get(reverse("logout")).status_code == 405
    response = c.post(reverse("logout"))
    assert response.status_code == 302
    assert c.get(reverse("home")).status_code == 302


def test_user_without_role_sees_a_clear_page(world, client_for):
    response = client_for(world.users.norole).get(reverse("home"))
    assert response.status_code == 200
    assert "尚未分配角色" in response.content.decode()


def test_there_is_no_self_signup(client, db):
    assert client.get("/accounts/signup/").status_code == 404
    assert client.get("/accounts/register/").status_code == 404


@override_settings(DEBUG=False)
def test_unknown_url_gives_chinese_404_without_trace(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert "Traceback" not in body and "URLconf" not in body


@pytest.mark.django_db
def test_forged_post_without_csrf_is_refused_in_chinese(world):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users.admin)
    response = c.post(reverse("campaigns:list"), {"year": "2030"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
    from campaigns.models import Campaign

    assert not Campaign.objects.filter(year=2030).exists()
