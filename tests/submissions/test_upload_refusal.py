"""An upload from someone who may not upload there is refused before its body is read: no
temporary file, no stored file, the request stream untouched (core.middleware.UploadGuardMiddleware
and CappedUploadMixin.refuse_before_body)."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from submissions import services
from submissions.models import Attachment

BIG = b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024) + b"\n%%EOF\n"  # above the in-memory limit: would hit the temp dir


@pytest.fixture
def entry(world, at):
    at(2026, 11, 3, 10, 0)
    return services.start_brand_entry(world.campaign, world.college_a, by=world.users.college)


@pytest.fixture
def temp_dir(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR)
    return settings.FILE_UPLOAD_TEMP_DIR


def body_was_read(response):
    return response.wsgi_request.environ["wsgi.input"].read_started


def upload(client, url, **extra):
    return client.post(url, {"file": SimpleUploadedFile("案例.pdf", BIG)}, **extra)


def test_anonymous_upload_goes_to_login_without_reading_the_body(client, entry, temp_dir):
    url = reverse("submissions:entry_file", args=[entry.pk, "case_doc"])
    response = upload(client, url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not body_was_read(response) and os.listdir(temp_dir) == []
    ajax = upload(client, url, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert ajax.status_code == 401 and "请重新登录" in ajax.json()["error"] and not body_was_read(ajax)
    assert Attachment.objects.count() == 0


def test_signed_in_user_without_permission_is_refused_before_the_body(world, client_for, entry, temp_dir):
    url = reverse("submissions:entry_file", args=[entry.pk, "case_doc"])
    for user in (world.users.branch, world.users.college_b, world.users.judge):
        response = upload(client_for(user), url, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        assert response.status_code == 403 and "没有在此处上传文件的权限" in response.json()["error"]
        assert not body_was_read(response)
    page = upload(client_for(world.users.branch), url)
    assert page.status_code == 403 and "未保存" in page.content.decode()
    assert os.listdir(temp_dir) == [] and Attachment.objects.count() == 0


def test_scan_upload_checks_permission_before_the_body(world, client_for, at, temp_dir):
    at(2026, 5, 8, 10, 0)
    from .helpers import FORM1_COMPLETE

    form = services.save_form1(world.campaign, world.college_a, FORM1_COMPLETE, by=world.users.college,
                               expected_version=0)
    services.submit_form1(form, by=world.users.college)
    url = reverse("submissions:scan_upload", args=[world.campaign.pk, "form1", world.college_a.pk])
    response = upload(client_for(world.users.college_b), url)
    assert response.status_code == 403 and not body_was_read(response)
    response = upload(client_for(world.users.college), url)  # allowed (3 MB < the 20 MB scan cap)
    assert response.status_code == 302 and body_was_read(response)
    form.refresh_from_db()
    assert form.scan


def test_the_allowed_user_still_uploads(world, client_for, entry, temp_dir):
    url = reverse("submissions:entry_file", args=[entry.pk, "case_doc"])
    response = upload(client_for(world.users.college), url, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 200 and response.json()["ok"]
