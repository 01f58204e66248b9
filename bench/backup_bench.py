"""Backup and restore timings: the phase-1 demo plus BENCH_BACKUP_MB of uploaded files (default 200 MB).

Prints the archive size, backup and restore seconds and MB/s. DATABASE_URL may point to PostgreSQL
(use a throw-away database). Nothing is asserted."""

import os
import shutil
import tempfile
import time
from pathlib import Path

from _setup import setup

setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from core import backup  # noqa: E402

MB = int(os.environ.get("BENCH_BACKUP_MB", "200"))
work = Path(tempfile.mkdtemp(prefix="backup-bench-"))
settings.MEDIA_ROOT = str(work / "media")
call_command("seed_demo", phase=1, verbosity=0)
videos = Path(settings.MEDIA_ROOT) / "bench-videos"
videos.mkdir(parents=True, exist_ok=True)
for i in range(max(1, MB // 50)):
    (videos / f"v{i}.mp4").write_bytes(os.urandom(min(MB, 50) * 1024 * 1024))
total = sum(p.stat().st_size for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())

t0 = time.perf_counter()
archive = backup.backup(work / "backups")
t_backup = time.perf_counter() - t0
call_command("flush", "--noinput")
shutil.rmtree(settings.MEDIA_ROOT)
t0 = time.perf_counter()
manifest = backup.restore(archive)
t_restore = time.perf_counter() - t0
problems = backup.verify(manifest)
print(f"media {total / 2**20:.0f} MB, {len(manifest['files'])} files; {sum(manifest['row_counts'].values())} rows")
print(f"archive {archive.stat().st_size / 2**20:.0f} MB")
print(f"backup  {t_backup:.1f} s ({total / 2**20 / t_backup:.0f} MB/s)")
print(f"restore {t_restore:.1f} s ({total / 2**20 / t_restore:.0f} MB/s), verify: {'ok' if not problems else problems[:3]}")
shutil.rmtree(work)
