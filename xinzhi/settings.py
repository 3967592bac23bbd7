"""Django settings for Xinzhi.

Everything that differs between a laptop and production is read from the environment:
``DATABASE_URL``, ``SECRET_KEY``, ``DEBUG``, ``ALLOWED_HOSTS``, ``XINZHI_VAR_DIR``.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("XINZHI_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or (
    "dev-only-insecure-key-set-SECRET_KEY-in-production" if DEBUG else ""
)
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]

INSTALLED_APPS = [
    "xinzhi.core.admin_site.XinzhiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "auditlog",
    "axes",
    "ninja",  # serves the API docs page's Swagger UI from its own static files, not a CDN
    "xinzhi.core",
    "xinzhi.accounts",
    "xinzhi.regions",
    "xinzhi.industries",
    "xinzhi.enterprises",
    "xinzhi.investment",
    "xinzhi.unicorns",
    "xinzhi.cultivation",
    "xinzhi.platforms",
    "xinzhi.evaluation",
    "xinzhi.programs",
    "xinzhi.monitoring",
    "xinzhi.jobs",
    "xinzhi.notifications",
    "xinzhi.supervision",
    "xinzhi.web",
]

MIDDLEWARE = [
    "xinzhi.core.request_id.RequestIdMiddleware",  # first: every log line of the request carries its id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "xinzhi.web.middleware.LocaleMiddleware",  # cookie, else zh-hans (not Accept-Language)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "xinzhi.web.middleware.LoadedUserMiddleware",  # request.user without the lazy wrapper
    "xinzhi.web.middleware.BadParameterMiddleware",  # malformed query parameters: 400 in Chinese, not 500
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (django-csp), below
    "xinzhi.web.middleware.NoStoreMiddleware",  # Cache-Control: private, no-store for signed-in pages and the API
    "auditlog.middleware.AuditlogMiddleware",
    # last, as django-axes requires: locks out repeated failed logins
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xinzhi.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # the platform's own pages first: its registration/ (password change) and error pages win over the
        # admin's, and ninja/swagger.html gives the API docs the platform's header
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "xinzhi.monitoring.context_processors.monitoring_status",
            ],
        },
    },
]
WSGI_APPLICATION = "xinzhi.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'xinzhi.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (pages, API) work while an import commits.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 30,
         # BEGIN IMMEDIATE: a transaction takes the write lock first and waits (timeout) for another writer,
         # instead of failing with "database is locked" when it upgrades from reading to writing
         "transaction_mode": "IMMEDIATE"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login throttling (django-axes)
    "xinzhi.accounts.backends.ModelBackend",  # Django's, loading the user's division with the user
]
AXES_FAILURE_LIMIT = int(os.environ.get("XINZHI_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours: a locked-out login may try again after 15 minutes
# lock by username AND address together: nobody can lock any account out from one address, and one
# address trying many accounts is locked per account (issue 12 item 12)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# the client's address behind the reverse proxy: the header is configurable (accounts.client_ip)
AXES_CLIENT_IP_CALLABLE = "xinzhi.accounts.client_ip.client_ip"
XINZHI_CLIENT_IP_HEADER = os.environ.get("XINZHI_CLIENT_IP_HEADER", "")
XINZHI_PROXY_COUNT = int(os.environ.get("XINZHI_PROXY_COUNT", "1"))
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# Caches. "default" is per process (rendered fragments keyed by the data's version, reference lookups);
# "sessions" is shared by every worker process (files under var/), so a logout or a password change ends
# the session everywhere at once while a request still reads its session without a database query;
# "responses" holds API list answers keyed by the data versions of their tables (core.response_cache),
# per process: a worker that has not seen a page yet reads it once from the database.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}},
    "sessions": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                 "LOCATION": str(VAR_DIR / "cache" / "sessions"), "OPTIONS": {"MAX_ENTRIES": 20000}},
    "responses": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": 3600,
                  "OPTIONS": {"MAX_ENTRIES": 3000}},
}
#: serve API lists from the "responses" cache while their tables are unchanged (off: always from the database)
XINZHI_RESPONSE_CACHE = _env_bool("XINZHI_RESPONSE_CACHE", True)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600  # a working day
CSRF_COOKIE_HTTPONLY = False  # the API docs page and htmx read it
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS: with DEBUG off the browser is told to use HTTPS only (HSTS, one year unless XINZHI_HSTS_SECONDS says
# otherwise) and cookies are sent over HTTPS only (above). TLS ends at the reverse proxy, which says so in a
# header (XINZHI_PROXY_SSL_HEADER, e.g. "X-Forwarded-Proto"; unset: requests are taken as they come).
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("XINZHI_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("XINZHI_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_SSL_REDIRECT = _env_bool("XINZHI_SSL_REDIRECT", False)
if os.environ.get("XINZHI_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + os.environ["XINZHI_PROXY_SSL_HEADER"].upper().replace("-", "_"), "https")

# Content-Security-Policy (django-csp): every script, style, font and image is served by the platform itself
# (vendored ECharts, Swagger UI), so only 'self' is allowed. No inline script runs (no inline <script>, no
# on…= handlers: web/static/web/busy.js wires data-autosubmit) and no <style> element; style *attributes*
# stay allowed (style-src-attr) because ECharts writes its tooltips as HTML with style attributes — they
# cannot run code. Forms post only here; no page may be framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

AUDITLOG_INCLUDE_ALL_MODELS = False

# Logging: every server error (a 500 page, an API 500, a failed import) is written with its traceback to a
# rotating file under var/log/ (errors.log, 10 MB × 10 files) and to stderr (gunicorn's and the container's
# log; on an interactive terminal without the traceback, core.logs). Warnings and the platform's own INFO
# messages go to stderr only. XINZHI_LOG_DIR moves the files,
# XINZHI_LOG_LEVEL sets what reaches stderr.
LOG_DIR = Path(os.environ.get("XINZHI_LOG_DIR", VAR_DIR / "log"))
LOG_DIR.mkdir(parents=True, exist_ok=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "verbose": {"format": "%(asctime)s %(levelname)s %(name)s [pid %(process)d] [req %(request_id)s] %(message)s"},
        # one JSON object per line for a log collector: XINZHI_LOG_FORMAT=json
        "json": {"()": "xinzhi.core.request_id.JsonFormatter"},
        # stderr: the same, but on an interactive terminal without the traceback (it is in the errors file)
        "terminal": {"()": "xinzhi.core.logs.TerminalFormatter", "log_file": str(LOG_DIR / "errors.log"),
                     "format": "%(asctime)s %(levelname)s %(name)s [pid %(process)d] [req %(request_id)s] %(message)s"},
    },
    # every record carries the id of the request it was written in (core.request_id; "-" outside one)
    "filters": {"request_id": {"()": "xinzhi.core.request_id.RequestIdFilter"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "filters": ["request_id"],
                   "formatter": "json" if os.environ.get("XINZHI_LOG_FORMAT") == "json" else "terminal",
                   "level": os.environ.get("XINZHI_LOG_LEVEL", "INFO")},
        "errors_file": {"class": "logging.handlers.RotatingFileHandler", "filename": str(LOG_DIR / "errors.log"),
                        "maxBytes": 10 * 1024 * 1024, "backupCount": 10, "encoding": "utf-8",
                        "formatter": "verbose", "filters": ["request_id"], "level": "ERROR", "delay": True},
    },
    "root": {"handlers": ["stderr", "errors_file"], "level": "WARNING"},
    "loggers": {
        # django.request logs every 5xx with its traceback (and 4xx as warnings); Django's own handlers
        # (console only with DEBUG on, mail_admins) are replaced so nothing is lost with DEBUG off
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "xinzhi": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# Where data files live (reference data, parameters); overridable for tests.
XINZHI_DATA_DIR = BASE_DIR / "data"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Jobs (docs/operations.md): long work runs on a Dramatiq queue when a broker is configured
# (``XINZHI_BROKER_URL=redis://127.0.0.1:6379/0``, workers: ``xinzhi worker``); without one it runs in a
# thread of the web process, so ``make run`` needs nothing else. ``XINZHI_JOBS_MODE=sync`` runs a job in
# the request that asks for it (tests).
XINZHI_BROKER_URL = os.environ.get("XINZHI_BROKER_URL", "")
XINZHI_BROKER_NAMESPACE = os.environ.get("XINZHI_BROKER_NAMESPACE", "xinzhi")
XINZHI_JOBS_MODE = os.environ.get("XINZHI_JOBS_MODE", "")
#: an import commit of at least this many rows runs as a job (the request returns at once)
XINZHI_IMPORT_JOB_ROWS = int(os.environ.get("XINZHI_IMPORT_JOB_ROWS", "5000"))

# Notifications by e-mail (docs/operations.md): sent only when an SMTP server is configured; each user
# chooses the kinds they want by mail (通知设置). ``XINZHI_SITE_URL`` makes the links in mails absolute.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "xinzhi@localhost")
XINZHI_NOTIFICATION_EMAIL = bool(EMAIL_HOST)
XINZHI_SITE_URL = os.environ.get("XINZHI_SITE_URL", "")
