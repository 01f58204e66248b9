"""With the database unreachable, users get the Chinese 503 page, not the 500 page."""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse


def refuse(self):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


@contextmanager
def database_down():
    """Every new cursor fails as with a stopped PostgreSQL (undone before the test database is torn down)."""
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", refuse):
        yield


@pytest.mark.parametrize("url", ["/showcase/", "/", "/submissions/progress/"])
def test_signed_in_user_sees_chinese_503_when_database_is_down(world, url):
    client = Client(raise_request_exception=False)
    client.force_login(world.users.admin)
    with database_down():
        response = client.get(url)
    assert response.status_code == 503
    body = response.content.decode()
    assert "系统暂时无法访问" in body and "已记录该错误" not in body
    assert response["Retry-After"] == "30"


def test_anonymous_visitor_sees_chinese_503_when_database_is_down(db):
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.get(reverse("showcase:list"))
    assert response.status_code == 503
    assert "系统暂时无法访问" in response.content.decode()


def test_database_error_outside_a_view_is_a_503_too(world):
    """The session save (a middleware, after the view) failing is answered by handler500 → 503."""
    from django.contrib.sessions.backends.db import SessionStore

    client = Client(raise_request_exception=False)
    client.force_login(world.users.admin)

    def refuse(self, must_create=False):
        raise OperationalError("server closed the connection unexpectedly")

    with mock.patch.object(SessionStore, "save", refuse):
        response = client.get(reverse("login"))  # no database read in the view; the first view after a login renews (saves) the session
    assert response.status_code == 503
    assert "系统暂时无法访问" in response.content.decode()


def test_other_errors_still_get_the_500_page(world, monkeypatch):
    from showcase import views

    def boom(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(views.queries, "search_items", boom)
    response = Client(raise_request_exception=False).get(reverse("showcase:list"))
    assert response.status_code == 500
    assert "系统暂时无法访问" not in response.content.decode()
