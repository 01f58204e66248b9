"""Backup and restore of the whole portal: database, uploaded files, version and migration state.

One archive per run, `brandcampaign-backup-YYYYMMDD-HHMMSS.tar.gz`:

    manifest.json   created_at, portal version, engine, applied migrations, row count per table,
                    every stored file (name, size, sha256), or the S3 keys when S3 storage is configured
    db.sqlite3      SQLite: a consistent copy through sqlite3's online backup API (safe while serving)
    db.dump         PostgreSQL: `pg_dump --format=custom` (restored with `pg_restore`)
    media/...       the files of the local storage (MEDIA_ROOT); absent with S3 (the bucket keeps them)

`restore` refuses a database or media folder that already holds data unless forced. See docs/backup.md.
"""

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
PREFIX = "brandcampaign-backup-"
# Tables `migrate` fills by itself: a freshly migrated database still counts as empty.
BOOKKEEPING_TABLES = {"django_migrations", "django_content_type", "auth_permission", "django_session"}


class BackupError(Exception):
    pass


# ---------------------------------------------------------------- facts about this portal


def portal_version():
    version_file = Path(settings.BASE_DIR) / "VERSION"
    try:
        out = subprocess.run(["git", "describe", "--always", "--tags", "--dirty"], cwd=settings.BASE_DIR,
                             capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    if version_file.exists():
        return version_file.read_text(encoding="utf-8").strip()
    return "unknown"


def engine():
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"不支持的数据库类型：{vendor}（仅支持 SQLite 与 PostgreSQL）")
    return vendor


def applied_migrations():
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def row_counts():
    """Rows per table, every table of the database (not only Django's models)."""
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def uses_local_storage():
    return isinstance(default_storage, FileSystemStorage)


def media_root():
    return Path(default_storage.location) if uses_local_storage() else None


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def local_files(root):
    """name (posix, relative) → (size, sha256) of every file under root."""
    root = Path(root)
    if not root.exists():
        return {}
    files = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        files[path.relative_to(root).as_posix()] = {"size": path.stat().st_size, "sha256": sha256_of(path)}
    return files


def storage_keys(storage=None, prefix=""):
    """Every key of a (remote) storage, by walking listdir: the S3 manifest."""
    storage = storage or default_storage
    dirs, files = storage.listdir(prefix)
    keys = [f"{prefix}{f}" for f in files]
    for d in dirs:
        keys += storage_keys(storage, f"{prefix}{d}/")
    return keys


def database_is_empty():
    return not {t: n for t, n in row_counts().items() if n and t not in BOOKKEEPING_TABLES}


def media_is_empty():
    root = media_root()
    if root is None or not root.exists():
        return True
    return not any(p.is_file() for p in root.rglob("*"))


# ---------------------------------------------------------------- backup


def _pg_env_and_args(db):
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


def _run(cmd, env):
    try:
        out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    except FileNotFoundError as exc:
        raise BackupError(f"找不到 {cmd[0]}：请安装与数据库服务器同一主版本的 PostgreSQL 客户端") from exc
    if out.returncode != 0:
        raise BackupError(f"{cmd[0]} 失败：{out.stderr.strip()[:2000]}")
    return out


def _dump_database(workdir):
    db = connection.settings_dict
    if engine() == "sqlite":
        target = workdir / "db.sqlite3"
        src = sqlite3.connect(db["NAME"])
        dst = sqlite3.connect(target)
        try:
            with dst:
                src.backup(dst)  # online backup: a consistent snapshot even while the portal writes
        finally:
            src.close()
            dst.close()
        return "db.sqlite3"
    env, args = _pg_env_and_args(db)
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args, "--file",
          str(workdir / "db.dump"), db["NAME"]], env)
    return "db.dump"


def backup(directory, *, keep=None, now=None):
    """Write one archive into `directory`; return its path. `keep`: delete older archives beyond that many."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    now = timezone.localtime(now or timezone.now())
    name = f"{PREFIX}{now:%Y%m%d-%H%M%S}.tar.gz"
    final = directory / name
    with tempfile.TemporaryDirectory(prefix="backup-", dir=directory) as tmp:
        workdir = Path(tmp)
        db_member = _dump_database(workdir)
        root = media_root()
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "portal_version": portal_version(),
            "engine": engine(),
            "database_file": db_member,
            "migrations": applied_migrations(),
            "row_counts": row_counts(),
            "storage": "local" if root else "s3",
        }
        if root:
            manifest["files"] = local_files(root)
        else:
            manifest["s3_bucket"] = getattr(default_storage, "bucket_name", "")
            manifest["s3_keys"] = storage_keys()
        partial = workdir / (name + ".partial")
        with tarfile.open(partial, "w:gz", compresslevel=1) as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(workdir / db_member, arcname=db_member)
            if root:
                for rel in manifest["files"]:
                    tar.add(root / rel, arcname=f"media/{rel}")
        os.replace(partial, final)  # an archive that exists is complete
    if keep:
        for old in sorted(directory.glob(f"{PREFIX}*.tar.gz"))[:-keep]:
            old.unlink()
    return final


# ---------------------------------------------------------------- restore


def read_manifest(archive):
    with tarfile.open(archive, "r:*") as tar:
        try:
            return json.load(tar.extractfile("manifest.json"))
        except KeyError as exc:
            raise BackupError("这不是本平台的备份文件（缺少 manifest.json）") from exc


def unknown_migrations(manifest):
    """Migrations recorded in the archive that this code does not have (an archive from a newer portal)."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(f"{app}.{name}" for app, name in manifest["migrations"] if (app, name) not in known)


def _restore_sqlite(path):
    name = connection.settings_dict["NAME"]
    connections.close_all()
    src = sqlite3.connect(path)
    dst = sqlite3.connect(name)
    try:
        with dst:
            src.backup(dst)  # replaces the whole target database, schema included
    finally:
        src.close()
        dst.close()


def _restore_postgresql(path, force):
    db = connection.settings_dict
    connections.close_all()
    env, args = _pg_env_and_args(db)
    extra = ["--clean", "--if-exists"]  # drops what a migrated-but-empty database already has
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", *extra,
          *args, "--dbname", db["NAME"], str(path)], env)


def _safe_members(tar, prefix):
    for member in tar.getmembers():
        if not member.name.startswith(prefix) or not member.isfile():
            continue
        rel = member.name[len(prefix):]
        if rel.startswith("/") or ".." in Path(rel).parts:
            raise BackupError(f"备份文件中有不安全的路径：{member.name}")
        yield member, rel


def restore(archive, *, force=False):
    """Restore `archive` into this portal's database and media folder. Returns the manifest."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件：{archive}")
    manifest = read_manifest(archive)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不支持的备份格式：{manifest.get('format')}")
    if manifest["engine"] != engine():
        raise BackupError(f"备份来自 {manifest['engine']} 数据库，当前配置为 {engine()}：请使用同类数据库恢复")
    newer = unknown_migrations(manifest)
    if newer and not force:
        raise BackupError(f"备份来自更新版本的平台（本代码没有迁移 {', '.join(newer[:5])}）：请先升级代码，或使用 --force")
    if not force:
        if not database_is_empty():
            raise BackupError("目标数据库已有数据，拒绝覆盖。确需覆盖请加 --force（会先清除现有数据）")
        if not media_is_empty():
            raise BackupError(f"目标文件目录 {media_root()} 已有文件，拒绝覆盖。确需覆盖请加 --force")
    root = media_root()
    with tarfile.open(archive, "r:*") as tar, tempfile.TemporaryDirectory(prefix="restore-") as tmp:
        db_member = manifest["database_file"]
        tar.extract(db_member, tmp, filter="data")
        db_path = Path(tmp) / db_member
        if manifest["engine"] == "sqlite":
            _restore_sqlite(db_path)
        else:
            _restore_postgresql(db_path, force)
        if root is not None and manifest.get("storage") == "local":
            if force and root.exists():
                for child in root.iterdir():
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
            root.mkdir(parents=True, exist_ok=True)
            for member, rel in _safe_members(tar, "media/"):
                target = root / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
    connections.close_all()
    return manifest


def verify(manifest):
    """Differences between the restored portal and the archive's manifest (empty list: identical)."""
    problems = []
    counts = row_counts()
    for table, n in manifest["row_counts"].items():
        if counts.get(table) != n:
            problems.append(f"表 {table}：备份 {n} 行，恢复后 {counts.get(table)} 行")
    root = media_root()
    if root is not None and manifest.get("storage") == "local":
        restored = local_files(root)
        for name, info in manifest["files"].items():
            if restored.get(name, {}).get("sha256") != info["sha256"]:
                problems.append(f"文件 {name} 校验和不一致或缺失")
    return problems


def describe(manifest):
    files = manifest.get("files") or manifest.get("s3_keys") or []
    created = dt.datetime.fromisoformat(manifest["created_at"])
    return (f"备份时间 {created:%Y-%m-%d %H:%M:%S}，平台版本 {manifest['portal_version']}，"
            f"{manifest['engine']} 数据库 {sum(manifest['row_counts'].values())} 行 / {len(manifest['row_counts'])} 张表，"
            f"{len(manifest['migrations'])} 个迁移，{len(files)} 个文件")


def pending_migrations():
    """Migrations of this code not applied in the (restored) database."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return sorted(set(loader.disk_migrations) - set(loader.applied_migrations))
