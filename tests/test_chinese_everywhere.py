"""Chinese everywhere: every page linked from each demo role's navigation, the public pages and
Django's own messages (password rules, form errors) are in Chinese, with 您 rather than 你."""

import html
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from organizations.models import User

DEMO_USERS = ["zzb_admin", "college1", "college3", "branch1", "judge1", "leader", "norole"]
# Three English words in a row is a sentence leaking from a library; single words (PDF, LOGO, Excel,
# H.264, an e-mail address, a file name) are fine.
ENGLISH_SENTENCE = re.compile(r"\b[A-Za-z]{2,}(?:[ ,;:'’-]+[A-Za-z]{2,}){2,}\b")
NAV = re.compile(r'<nav\b.*?</nav>', re.S)
HREF = re.compile(r'href="(/[^"#?]*)(?:\?[^"]*)?"')
SKIP = ("/accounts/logout", "/static/", "/media/", "/admin/", "/sysadmin/")


def visible_text(page):
    page = re.sub(r"<(script|style|template)\b.*?</\1>", " ", page, flags=re.S | re.I)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.S)
    shown = " ".join(re.findall(r'(?:title|placeholder|aria-label|alt)="([^"]*)"', page))
    text = re.sub(r"<[^>]+>", " ", page)
    text = html.unescape(text + " " + shown)
    text = re.sub(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://\S+|\S+\.(?:pdf|png|jpe?g|mp4|docx?|xlsx|zip)\b", " ", text)
    return re.sub(r"\s+", " ", text)


def english_in(text):
    return ENGLISH_SENTENCE.findall(text)


@pytest.fixture
def demo(db, settings):
    settings.AXES_ENABLED = False
    call_command("seed_demo", phase=3, verbosity=0)
    call_command("seed_judging_demo", verbosity=0)


def nav_links(page):
    links = set()
    for nav in NAV.findall(page):
        links |= {href for href in HREF.findall(nav) if not href.startswith(SKIP)}
    return links


def test_every_page_in_each_roles_navigation_and_the_public_pages_are_in_chinese(demo, client):
    problems, crawled = {}, 0
    for url in [reverse("login"), reverse("showcase:list")]:  # public, before logging in
        found = english_in(visible_text(client.get(url, follow=True).content.decode()))
        if found:
            problems[("public", url)] = found[:5]
    for username in DEMO_USERS:  # one seed for all roles: the demo takes a while to build
        client.force_login(User.objects.get(username=username))
        home = client.get(reverse("home"), follow=True)
        assert home.status_code == 200
        links = nav_links(home.content.decode()) | {reverse("home"), reverse("password_change"),
                                                    reverse("campaigns:notifications")}
        assert len(links) >= 4, (username, links)
        for url in sorted(links):
            response = client.get(url, follow=True)
            assert response.status_code == 200, (username, url, response.status_code)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            crawled += 1
            text = visible_text(response.content.decode())
            found = english_in(text) + (["你 (not 您)"] if "你" in text else [])
            if found:
                problems[(username, url)] = found[:5]
        client.logout()
    assert crawled >= 30
    assert problems == {}, problems


@pytest.fixture
def college1(world, settings):
    settings.AXES_ENABLED = False
    world.users.college.set_password("demo12345")
    world.users.college.save()
    return world.users.college


def test_password_rules_and_errors_are_in_chinese_with_nin(college1, client):
    client.force_login(college1)
    response = client.post(reverse("password_change"), {"old_password": "wrong", "new_password1": "123",
                                                        "new_password2": "123"}, HTTP_ACCEPT_LANGUAGE="en-US,en")
    text = visible_text(response.content.decode())
    assert english_in(text) == [], english_in(text)
    assert "密码太短，请至少输入 8 个字符。" in text and "密码不能全是数字" in text
    assert "您输入的旧密码不正确" in text
    assert "你" not in text
    response = client.post(reverse("password_change"), {"old_password": "demo12345", "new_password1": "password",
                                                        "new_password2": "password"})
    assert "这个密码太常见" in visible_text(response.content.decode())


def test_login_error_is_in_chinese(college1, client):
    response = client.post(reverse("login"), {"username": college1.username, "password": "nope"}, HTTP_ACCEPT_LANGUAGE="en")
    text = visible_text(response.content.decode())
    assert "用户名或密码不正确" in text and english_in(text) == [] and "你" not in text


def test_the_detector_finds_an_english_sentence():
    assert english_in(visible_text("<p>This password is too short.</p>")) == ["This password is too short"]
    assert english_in(visible_text("<p>上传 PDF 或 Excel 文件 a.pdf li@example.edu.cn</p>")) == []
