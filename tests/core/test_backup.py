"""manage.py backup / restore round-trip a seeded campaign with uploads.

Runs on the configured database: SQLite by default, PostgreSQL when DATABASE_URL points to one
(pg_dump/pg_restore of the server's major version must be installed)."""

import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from core import backup
from organizations.models import User

from ..test_permission_matrix import prepare


@pytest.fixture
def seeded(transactional_db, world, settings, tmp_path):
    """The permission matrix's world: a campaign, 附件1 with scan and logo, an attachment, showcase files."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    prepare(world)
    world.media = Path(settings.MEDIA_ROOT)
    world.backups = tmp_path / "backups"
    return world


def run_backup(world, *args):
    call_command("backup", "--dir", str(world.backups), *args, stdout=open("/dev/null", "w"))
    archives = sorted(world.backups.glob("brandcampaign-backup-*.tar.gz"))
    assert archives, "no archive written"
    return archives[-1]


def empty_portal(world):
    """What a fresh server has after `migrate`: tables without data, an empty media folder."""
    call_command("flush", "--noinput")
    shutil.rmtree(world.media)


def test_backup_writes_one_dated_archive_with_database_files_version_and_migrations(seeded):
    archive = run_backup(seeded)
    assert archive.name.startswith("brandcampaign-backup-20") and archive.name.endswith(".tar.gz")
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database_file"] in names
    assert manifest["portal_version"] and manifest["portal_version"] != "unknown"
    assert ["submissions", "0001_initial"] in manifest["migrations"]
    assert manifest["row_counts"]["submissions_form1"] == 1
    assert manifest["files"] and all(f"media/{name}" in names for name in manifest["files"])
    assert {n for n in manifest["files"] if n.startswith("scans/")}


def test_round_trip_restores_identical_rows_and_files_and_a_working_portal(seeded):
    counts, files = backup.row_counts(), backup.local_files(seeded.media)
    attachment_bytes = (seeded.media / seeded.attachment.file.name).read_bytes()
    archive = run_backup(seeded)

    empty_portal(seeded)
    assert not User.objects.exists() and not seeded.media.exists()
    call_command("restore", str(archive), stdout=open("/dev/null", "w"))

    assert backup.row_counts() == counts
    assert backup.local_files(seeded.media) == files
    client = Client()
    login = client.post(reverse("login"), {"username": "college_a", "password": "pw-123456"})
    assert login.status_code == 302 and login["Location"] == reverse("home")
    response = client.get(reverse("submissions:attachment", args=[seeded.attachment.uuid]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == attachment_bytes


def test_restore_refuses_a_database_with_data_and_changes_nothing(seeded):
    archive = run_backup(seeded)
    User.objects.create(username="after-backup")
    with pytest.raises(CommandError, match="已有数据"):
        call_command("restore", str(archive))
    assert User.objects.filter(username="after-backup").exists()


def test_restore_refuses_a_media_folder_with_files(seeded):
    archive = run_backup(seeded)
    call_command("flush", "--noinput")
    with pytest.raises(CommandError, match="已有文件"):
        call_command("restore", str(archive))


def test_restore_force_overwrites_with_the_archive_content(seeded):
    counts, files = backup.row_counts(), backup.local_files(seeded.media)
    archive = run_backup(seeded)
    User.objects.create(username="after-backup")
    (seeded.media / "stray.txt").write_text("not in the backup")
    (seeded.media / seeded.attachment.file.name).unlink()

    call_command("restore", str(archive), "--force", stdout=open("/dev/null", "w"))
    assert not User.objects.filter(username="after-backup").exists()
    assert backup.row_counts() == counts
    assert backup.local_files(seeded.media) == files


def test_restore_refuses_something_that_is_not_a_backup(seeded, tmp_path):
    bogus = tmp_path / "x.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        tar.add(__file__, arcname="hello.py")
    with pytest.raises(CommandError, match="manifest"):
        call_command("restore", str(bogus))


def test_keep_removes_older_archives(seeded):
    seeded.backups.mkdir()
    for day in ("20260101-020000", "20260102-020000", "20260103-020000"):
        (seeded.backups / f"brandcampaign-backup-{day}.tar.gz").write_bytes(b"old")
    newest = run_backup(seeded, "--keep", "2")
    left = sorted(p.name for p in seeded.backups.iterdir())
    assert left == ["brandcampaign-backup-20260103-020000.tar.gz", newest.name]
