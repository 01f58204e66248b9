"""Test settings: the real settings with fast password hashing and isolated media."""

import os
import tempfile

os.environ.setdefault("DJANGO_TESTING", "1")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="brandcampaign-media-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
SEED_DEMO_ALLOWED = True

# A file (not in-memory) SQLite test database, so that a real Celery worker started by a test
# (tests/campaigns/test_reminders_worker.py) can open the same database. pytest-xdist adds a
# per-worker suffix to the name.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"brandcampaign-test-{os.getpid()}.sqlite3")
    }
    # A throw-away database: no fsync (keeps the file-based suite as fast as in-memory).
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA synchronous=OFF"  # noqa: F405
