import json
import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_reports_database(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["database"] == "ok"
    assert data["status"] == "ok"
    assert "broker" in data


def test_production_deploy_check_has_no_warnings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_TESTING")}
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="brandcampaign.settings",
        SECRET_KEY="x" * 20 + "-production-secret-key-that-is-long-and-random-8f7e6d5c4b3a",
        ALLOWED_HOSTS="portal.example.edu.cn",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DJANGO_ENV="production", DJANGO_SETTINGS_MODULE="brandcampaign.settings")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_embedded_default_uses_sqlite_and_eager_tasks():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "brandcampaign.settings"
    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG, s.TIME_ZONE, s.LANGUAGE_CODE)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "False", "Asia/Shanghai", "zh-hans"]


def test_bucket_setting_switches_uploads_to_s3_compatible_storage():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        DJANGO_SETTINGS_MODULE="brandcampaign.settings",
        AWS_STORAGE_BUCKET_NAME="bc-files",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        AWS_ACCESS_KEY_ID="ci-key",
        AWS_SECRET_ACCESS_KEY="ci-secret",
        AWS_DEFAULT_REGION="us-east-1",
    )
    code = (
        "import django;django.setup();from django.core.files.storage import storages;d = storages['default'];"
        "print(type(d).__name__, d.bucket_name, d.default_acl, d.file_overwrite);"
        "print(d.url('forms/a.pdf'))"  # signed locally, no network
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    first, url = result.stdout.splitlines()
    assert first.split() == ["S3Storage", "bc-files", "private", "False"]
    assert url.startswith("http://127.0.0.1:9000/bc-files/forms/a.pdf?")
    assert "Signature=" in url or "X-Amz-Signature=" in url


def test_healthz_reports_an_unreachable_broker_without_failing(client, db, settings):
    """Redis down (nothing listens on the port): still 200 (the database answers); the time it
    takes is measured in bench/broker_outage_bench.py."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:8129/14"
    response = client.get(reverse("healthz"))
    data = json.loads(response.content)
    assert response.status_code == 200 and data["database"] == "ok"
    assert data["broker"].startswith("error:") and data["worker"].startswith("unknown")


def test_healthz_reports_the_worker_heartbeat(client, db, settings):
    from core import ops

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/14"
    from core.views import broker_status

    if broker_status(settings.CELERY_BROKER_URL) != "ok":
        import pytest

        pytest.skip("no Redis on 127.0.0.1:6379")
    assert json.loads(client.get(reverse("healthz")).content)["worker"]["status"] == "none"
    ops.record_worker_heartbeat("celery@test")
    worker = json.loads(client.get(reverse("healthz")).content)["worker"]
    assert worker["status"] == "ok" and worker["workers"] == 1 and worker["last_seen_seconds"] < 5
