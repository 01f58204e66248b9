"""Settings for the 党建特色品牌 portal.

Everything comes from the environment. With nothing set, the portal runs on
SQLite, runs Celery tasks in-process (no broker) and writes e-mail to the console:
the "embedded default" used by `make run`. `DJANGO_ENV=production` switches on the
hardening that `manage.py check --deploy` asks for.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"
TESTING = env_bool("DJANGO_TESTING")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env("SECRET_KEY") or (
    # Only for the embedded default; production refuses to start without one.
    "dev-insecure-key-only-for-local-use-7c1f0b8e2a4d4f6e9b3a5c7d9e1f3a5b"
)
if PRODUCTION and not env("SECRET_KEY"):
    raise RuntimeError("DJANGO_ENV=production requires SECRET_KEY")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Who users contact to reset a password or unlock an account (login, lockout and mail texts)
PORTAL_CONTACT = env("PORTAL_CONTACT", "党委组织部（电话 0000-0000000）")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "axes",
    "core",
    "audit",
    "organizations",
    "notify",
    "campaigns",
    "submissions",
    "reviews",
    "dashboard",
    "showcase",
    "django_cas_ng",  # 统一身份认证 (CAS): its session-ticket table, for single sign-out; off unless CAS_SERVER_URL
    "similarity",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.sessions.SessionRenewalMiddleware",  # sliding expiry, one session write per minute (core/sessions.py)
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.edge.RejectNulMiddleware",
    "core.edge.DatabaseUnavailableMiddleware",
    "core.middleware.UploadGuardMiddleware",  # before any view reads an upload body (docs/operations.md)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "campaigns.middleware.CampaignLookupsMiddleware",
]

ROOT_URLCONF = "brandcampaign.urls"
WSGI_APPLICATION = "brandcampaign.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organizations.context_processors.portal",
                "campaigns.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",  # unset or empty: SQLite
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # connections are kept as on PostgreSQL (DB_CONN_MAX_AGE, one per thread): opening one costs ~0.9 ms of
    # CPU per request (Django registers its SQL functions on every new connection), a tenth of a scoring page
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # WAL: the web process and the reminder loop/worker read while the other writes, and each
    # small commit (one per reminder marked sent) costs no full fsync.
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organizations.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "organizations.backends.PortalModelBackend",  # password sign-in; model permissions for staff only
    "organizations.cas.PortalCASBackend",  # only answers authenticate(ticket=..., service=...)
]
AUTH_PASSWORD_VALIDATORS = [  # Django's rules, worded in the portal's Chinese (organizations/passwords.py)
    {"NAME": "organizations.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "organizations.passwords.CommonPasswordValidator"},
    {"NAME": "organizations.passwords.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock an account+address for 15 minutes after 5 failed logins.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Behind a reverse proxy the client address comes from X-Forwarded-For: set AXES_PROXY_COUNT to the
# number of proxies in front of gunicorn (1 for a single nginx), else lockouts would key on nginx's address.
if env("AXES_PROXY_COUNT"):
    AXES_IPWARE_PROXY_COUNT = int(env("AXES_PROXY_COUNT"))
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"  # never served publicly: files go through permission-checked views
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if env("AWS_STORAGE_BUCKET_NAME"):
    # S3-compatible object storage (MinIO, OSS, COS ...) via django-storages.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
WHITENOISE_USE_FINDERS = not PRODUCTION

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: with no broker configured, tasks run in-process (eager) so the embedded
# default needs nothing else running.
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
BROKER_STATUS_URL = CELERY_BROKER_URL
# Broker outages (docs/operations.md): the web process gives up publishing within about a second
# (the job row stays "排队中" and the sweeper re-sends it); the worker and beat retry forever.
CELERY_BROKER_CONNECTION_TIMEOUT = float(env("CELERY_BROKER_CONNECTION_TIMEOUT", "1"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 5,
                                   "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.3}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_TASK_REJECT_ON_WORKER_LOST = True

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
         "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1}}
        if REDIS_URL and not TESTING
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if env("EMAIL_HOST"):
    EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "30"))  # seconds; the reminder lease is sized from it
# The reminder lease (campaigns.reminders.send_lease) is 2 × EMAIL_TIMEOUT, never below this floor.
REMINDER_LEASE_MIN_SECONDS = int(env("REMINDER_LEASE_MIN_SECONDS", "60"))
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "党委组织部 <zzb@example.edu.cn>")

# 企业微信 / 钉钉 notices (the notify app; README "企业微信与钉钉通知"). Group robots are configured by
# 组织部 in the portal; their webhook URLs and secrets are stored encrypted with NOTIFY_ENCRYPTION_KEY
# (Fernet keys, comma-separated, newest first). Unset: derived from SECRET_KEY, embedded default only.
NOTIFY_ENCRYPTION_KEY = env("NOTIFY_ENCRYPTION_KEY", "")
NOTIFY_HTTP_TIMEOUT = float(env("NOTIFY_HTTP_TIMEOUT", "5"))
NOTIFY_WEBHOOK_HOSTS = env_list("NOTIFY_WEBHOOK_HOSTS", "qyapi.weixin.qq.com,oapi.dingtalk.com")
NOTIFY_BACKOFF_SECONDS = [int(s) for s in env_list("NOTIFY_BACKOFF_SECONDS", "60,300,900,3600,10800")]
# Per-person 企业微信 application messages: off unless all three are set.
WECOM_CORP_ID = env("WECOM_CORP_ID", "")
WECOM_AGENT_ID = env("WECOM_AGENT_ID", "")
WECOM_APP_SECRET = env("WECOM_APP_SECRET", "")
WECOM_API_BASE = env("WECOM_API_BASE", "https://qyapi.weixin.qq.com").rstrip("/")
WECOM_USERID_FIELD = env("WECOM_USERID_FIELD", "username")  # the account field that holds the 企业微信 userid

# Uploads: keep request bodies in memory only up to 2.5 MB, then stream to disk.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 5_242_880
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR") or None  # where large uploads stream to before checks

# Signed out after this many minutes without a request (a request renews the session, at most one write per
# SESSION_RENEW_SECONDS: core/sessions.py). Unsaved text is not lost: the forms keep a local draft copy in the
# browser (static/js/portal.js) and offer to restore it.
SESSION_IDLE_MINUTES = int(env("SESSION_IDLE_MINUTES", "120"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = min(60, SESSION_COOKIE_AGE // 20)
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe gunicorn over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Portal-specific knobs.
PDF_FONT_FAMILY = env("PDF_FONT_FAMILY", "WenQuanYi Micro Hei")
SEED_DEMO_ALLOWED = DEBUG or env_bool("ALLOW_DEMO_SEED")
# Exports with more estimated data rows than this run as a background ExportJob (progress bar + download link).
EXPORT_ASYNC_ROW_THRESHOLD = int(env("EXPORT_ASYNC_ROW_THRESHOLD", "3000"))

# 统一身份认证 (CAS single sign-on, django-cas-ng). Off unless CAS_SERVER_URL is set; see README
# "统一身份认证（CAS）". A CAS login is matched to a portal account by 工号; roles come from the portal only.
CAS_SERVER_URL = env("CAS_SERVER_URL") or None  # e.g. https://cas.example.edu.cn/cas/ (with the trailing /)
if CAS_SERVER_URL and not CAS_SERVER_URL.endswith("/"):
    CAS_SERVER_URL += "/"
CAS_VERSION = env("CAS_VERSION", "3")  # 1, 2, 3 or CAS_2_SAML_1_0
CAS_EMPLOYEE_ID_ATTRIBUTE = env("CAS_EMPLOYEE_ID_ATTRIBUTE", "")  # empty: the CAS user name itself is the 工号
CAS_DISPLAY_NAME_ATTRIBUTE = env("CAS_DISPLAY_NAME_ATTRIBUTE", "")  # e.g. cn, displayName; only shown/used for new accounts
CAS_CREATE_USERS = env_bool("CAS_CREATE_USERS")  # unmatched 工号 → a new account without any role
CAS_LOCAL_LOGIN_ADMIN_ONLY = env_bool("CAS_LOCAL_LOGIN_ADMIN_ONLY")  # local password login only for 组织部管理员
CAS_LOGOUT_COMPLETELY = env_bool("CAS_LOGOUT_COMPLETELY", True)  # 退出登录 also ends the CAS session
CAS_HELP_CONTACT = env("CAS_HELP_CONTACT", "党委组织部")  # whom an unmatched user is told to ask
CAS_TIMEOUT = float(env("CAS_TIMEOUT", "5"))  # seconds for each call to the CAS server (reachability, ticket check)
CAS_VERIFY_SSL_CERTIFICATE = env_bool("CAS_VERIFY_SSL_CERTIFICATE", True)
CAS_ROOT_PROXIED_AS = env("CAS_ROOT_PROXIED_AS") or None  # the portal's public origin, if the proxy hides it
CAS_REDIRECT_URL = "/"
CAS_CREATE_USER = False  # django-cas-ng's own user creation: never (organizations.cas decides)
CAS_LOGIN_MSG = None
CAS_LOGGED_MSG = None
CAS_STORE_NEXT = False
CAS_CHECK_NEXT = True


def CAS_SESSION_FACTORY():  # noqa: N802 (a setting django-cas-ng calls)
    from organizations.cas import http_session

    return http_session()
# Security headers. Content-Security-Policy (django-csp): scripts only from the portal itself (no inline
# script, no inline on*= handler; a nonce is available as {{ CSP_NONCE }} for an inline block if ever needed);
# styles likewise only from the portal's own CSS files: no style="" attribute and no <style> block in a page
# template (layout helpers live in static/css/portal.css; htmx's injected indicator <style> is switched off
# by the htmx-config meta in base.html; JS sets styles through the CSSOM, which CSP allows). The WeasyPrint
# templates (*/pdf/, showcase/bundle/) keep their <style>: they are never served to a browser by the portal.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

MIDDLEWARE += ["csp.middleware.CSPMiddleware", "core.edge.PermissionsPolicyMiddleware",  # noqa: F405
               "organizations.cas.CasFormActionMiddleware"]
TEMPLATES[0]["OPTIONS"]["context_processors"].append("csp.context_processors.nonce")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "media-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if env("CSP_REPORT_URI"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = env("CSP_REPORT_URI")
PERMISSIONS_POLICY = env(
    "PERMISSIONS_POLICY",
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), magnetometer=(), gyroscope=(), "
    "accelerometer=(), fullscreen=(self)",
)
# Background jobs (core.jobs, docs/operations.md): a running job refreshes its heartbeat every
# JOB_HEARTBEAT_SECONDS; one silent for JOB_STALE_SECONDS is re-queued once, then failed visibly.
JOB_HEARTBEAT_SECONDS = int(env("JOB_HEARTBEAT_SECONDS", "10"))
JOB_STALE_SECONDS = int(env("JOB_STALE_SECONDS", "60"))
JOB_RESEND_AFTER_SECONDS = int(env("JOB_RESEND_AFTER_SECONDS", "900"))  # queued, never started: send again
JOB_HEARTBEAT_THREAD = not TESTING
# The sweeper (core.ops): orphan upload temp files and unreferenced storage files older than these.
ORPHAN_TEMP_MAX_AGE_HOURS = int(env("ORPHAN_TEMP_MAX_AGE_HOURS", "24"))
ORPHAN_FILE_GRACE_HOURS = int(env("ORPHAN_FILE_GRACE_HOURS", "24"))
ORPHAN_FILE_DELETE = env_bool("ORPHAN_FILE_DELETE")  # off: the sweeper only logs what it would delete

# Who sends the bytes of a permission-checked file (core.http): "python" (the embedded default,
# streamed by Django), "nginx" (X-Accel-Redirect to the internal location of deploy/nginx.conf,
# django-sendfile2) or, with S3 storage, a 302 to a signed URL valid FILE_URL_EXPIRY seconds.
FILE_DELIVERY = env("FILE_DELIVERY", "s3" if env("AWS_STORAGE_BUCKET_NAME") else "python")
SENDFILE_BACKEND = "django_sendfile.backends.nginx"
SENDFILE_ROOT = str(MEDIA_ROOT)
SENDFILE_URL = env("SENDFILE_URL", "/protected-media")
FILE_URL_EXPIRY = int(env("FILE_URL_EXPIRY", "300"))
