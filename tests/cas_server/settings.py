"""A tiny, separate Django project: a real CAS 3.0 server (django-cas-server) for the portal's tests.

Started by the ``cas_server`` fixture (tests/cas_server/fixture.py) with its own SQLite file
(CAS_TEST_DB) on a free local port. Never part of the portal."""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
PORTAL_VENDOR = HERE.parent.parent / "static" / "vendor"

SECRET_KEY = "cas-test-server-only-not-a-secret"
DEBUG = True  # runserver serves the static files
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "cas_server",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.cas_server.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ.get("CAS_TEST_DB", str(HERE / "cas.sqlite3"))}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"
LANGUAGE_CODE = "zh-hans"
STATIC_URL = "/static/"
STATICFILES_DIRS = [("portal", PORTAL_VENDOR), HERE / "static"]
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "WARNING"}}

# django-cas-server: no CDN, no PyPI look-ups, no info boxes (their JS needs jQuery).
CAS_COMPONENT_URLS = {
    "bootstrap3_css": "/static/portal/bootstrap/bootstrap.min.css",
    "bootstrap4_css": "/static/portal/bootstrap/bootstrap.min.css",
    "bootstrap3_js": "/static/portal/bootstrap/bootstrap.bundle.min.js",
    "bootstrap4_js": "/static/portal/bootstrap/bootstrap.bundle.min.js",
    "jquery": "/static/cas_test/jquery-stub.js",
    "html5shiv": "/static/cas_test/noop.js",
    "respond": "/static/cas_test/noop.js",
}
CAS_LOGO_URL = None
CAS_FAVICON_URL = None
CAS_NEW_VERSION_HTML_WARNING = False
CAS_NEW_VERSION_EMAIL_WARNING = False
CAS_INFO_MESSAGES = {}
CAS_INFO_MESSAGES_ORDER = []
CAS_SHOW_POWERED = False
CAS_AUTH_CLASS = "cas_server.auth.DjangoAuthUser"
CAS_SLO_TIMEOUT = 5
CAS_TICKET_VALIDITY = 60
