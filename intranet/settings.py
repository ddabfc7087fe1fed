"""Brobygger settings: one module, driven by the environment (see .env.example)."""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (production)."
        )
    # Development only: never used when DEBUG is off.
    SECRET_KEY = "brobygger-development-only-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "intranet.apps.IntranetConfig",
    "pages",
    "workflows",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "intranet.apps.UsersConfig",  # wagtail.users, granting only rights one holds
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "viewflow",
    "viewflow.workflow",
    "intranet.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "intranet.apps.StaticFilesConfig",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "intranet.security.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "intranet.security.IdleSessionMiddleware",
    "intranet.locale.UserLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "intranet.urls"
WSGI_APPLICATION = "intranet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # static/: the status report written to a file includes the site's stylesheets.
        "DIRS": [BASE_DIR / "templates", BASE_DIR / "static"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
    {
        # The two long lists only (task table, case timeline), where the Django template
        # language took several times as long; autoescaped (intranet/jinja2.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "intranet.jinja2.environment"},
    },
]

DATA_DIR = Path(os.environ.get("BROBYGGER_DATA_DIR", BASE_DIR / "var"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'brobygger.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Wait for a writer instead of failing at once; SQLite serialises writes.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The reporting indexes carry extra columns for PostgreSQL's index-only reads
    # (workflows.Case); SQLite builds them on their keys alone, which is all it needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    # Our list and case queries join 10 to 17 tables (Wagtail pages are two tables each);
    # PostgreSQL's exhaustive join-order search then spends 20 to 30 ms planning each of them
    # (measured: team queue 29.7 ms planning for 17 ms execution at 10,000 cases). Capping the
    # search at 4 tables cut that to 3.5 ms with a plan at least as fast (docs/benchmarks.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c join_collapse_limit=4"

# On PostgreSQL the tables belong to an owner role that runs the migrations; the application
# logs in as another role that may only read and append to the access log and may not own,
# truncate or alter any table (docs/deployment.md). `manage.py grant_app_role`, run as the
# owner, gives this role its privileges. Unset: one role does everything (development).
DATABASE_APP_ROLE = os.environ.get("DJANGO_DB_APP_ROLE", "")
if DATABASE_APP_ROLE and not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", DATABASE_APP_ROLE):
    raise ImproperlyConfigured(
        "DJANGO_DB_APP_ROLE must be a plain PostgreSQL role name (a-z, 0-9, _)."
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# "default" is Django's own default: each process's memory (Wagtail's per-process lookups).
# "shared" holds what every process serving the site must count together: the public concern
# form's rate limit (workflows/public_intake/services.py). In production it is Django's database
# cache, in a table the migrations make (intranet/migrations/0004_shared_cache.py), so all
# gunicorn workers on all app servers count as one; DJANGO_SHARED_CACHE=memory keeps it in
# each process (development, the tests: one process). It also holds the public content's
# generation (pages/content_cache.py). Rendered public content itself stays in the process:
# its keys change with the generation, so a stale entry is never read, and a process
# restarted with new templates starts empty.
SHARED_CACHE_TABLE = "brobygger_shared_cache"
SHARED_CACHES = {
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": SHARED_CACHE_TABLE,
        # Expired rows are culled when the table passes MAX_ENTRIES (Django's default 300 is
        # below a busy hour's requests: a limit keeps a row for each it counts, two hours),
        # and every night (intranet.throttle.expired_prune). Django's cull then deletes
        # 1/CULL_FREQUENCY of the rows still current too, in key order: other addresses
        # filling the table would wipe a spent limit's counts. Of 2**62 that is none: only
        # expired rows are ever deleted (tests/test_throttle.py sends that attack).
        "OPTIONS": {"MAX_ENTRIES": 10000, "CULL_FREQUENCY": 2**62},
    },
    "memory": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"},
}
_shared_cache = os.environ.get("DJANGO_SHARED_CACHE", "memory" if DEBUG else "database")
if _shared_cache not in SHARED_CACHES:
    raise ImproperlyConfigured(
        f"DJANGO_SHARED_CACHE must be one of {', '.join(SHARED_CACHES)}, not {_shared_cache!r}."
    )
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": SHARED_CACHES[_shared_cache],
    "public_content": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "public-content",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff_home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
# Our own strings first, then our Danish for third-party strings (Wagtail, viewflow).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_thirdparty"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# In development whitenoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "brobygger@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Production hardening; all of it is off only under DEBUG for local work over http.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# Idle timeout: a session ends after this long without use. Requests renew it, writing the
# session at most once a SESSION_RENEW_SECONDS (intranet.security.IdleSessionMiddleware).
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_COOKIE_AGE", str(30 * 60)))
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail's preview views override this for themselves
# The client's address (intranet.throttle.client_ip; the login lockout and the rate limits
# count its IPv6 /64, intranet.throttle.client_limit_key): behind DJANGO_TRUSTED_PROXY_COUNT
# proxies the one they wrote into X-Forwarded-For; without a proxy REMOTE_ADDR alone, as
# anyone can write the header.
_behind_proxy = env_bool("DJANGO_BEHIND_PROXY", False)
_proxy_count = os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "1" if _behind_proxy else "0").strip()
if not (_proxy_count.isascii() and _proxy_count.isdigit()) or (
    _behind_proxy and int(_proxy_count) < 1
):
    raise ImproperlyConfigured(
        "DJANGO_TRUSTED_PROXY_COUNT must be the number of proxies in front of gunicorn (1 or more)."
    )
TRUSTED_PROXY_COUNT = int(_proxy_count)
if TRUSTED_PROXY_COUNT and not _behind_proxy:
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT needs DJANGO_BEHIND_PROXY=1.")
if _behind_proxy:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Login throttling: five failed attempts for one username from one address lock that
# pair out for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "intranet.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "intranet.throttle.client_limit_key"

# Content-Security-Policy: no inline scripts or styles and nothing from other hosts.
# Wagtail's admin needs inline scripts; intranet.security relaxes that for /admin/ only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

WAGTAIL_SITE_NAME = "Brobygger"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        # Danish stemming on PostgreSQL; ignored by the SQLite backend.
        "SEARCH_CONFIG": "danish",
    }
}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "xlsx", "csv", "txt"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # intranets are closed: no avatars from other hosts
WAGTAILADMIN_COMMENTS_ENABLED = True
# One password reset, limited (intranet/password_reset.py): not also Wagtail's under /admin/.
WAGTAIL_PASSWORD_RESET_ENABLED = False

# Background jobs (Django's task framework; django-tasks until Django 6). "default" runs
# Wagtail's own tasks (search and reference index updates) at once, in the request, as
# before. "background" keeps ours in the database for `manage.py db_worker
# --backend background` (deploy/systemd/brobygger-worker.service; ./dev serve starts one):
# the web import of historical cases (workflows/jobs.py).
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # Wagtail's background tasks log two lines per page save: noise, not news.
    "loggers": {"django_tasks": {"level": "WARNING"}},
}
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL

# Retention (docs/privacy.md)
# Closed cases are anonymised this many days after closing (manage.py anonymise_cases).
BROBYGGER_ANONYMISE_AFTER_DAYS = int(os.environ.get("BROBYGGER_ANONYMISE_AFTER_DAYS", "1825"))
# The access log outlives the case data by half a year (manage.py prune_access_log).
BROBYGGER_ACCESS_LOG_RETENTION_DAYS = int(
    os.environ.get("BROBYGGER_ACCESS_LOG_RETENTION_DAYS", str(BROBYGGER_ANONYMISE_AFTER_DAYS + 183))
)
# An import of historical cases (its row errors and review list) is kept this many days
# after it finished (manage.py prune_case_imports); its uploaded file only until it ran.
BROBYGGER_IMPORT_RETENTION_DAYS = int(os.environ.get("BROBYGGER_IMPORT_RETENTION_DAYS", "90"))
if not 1 <= BROBYGGER_IMPORT_RETENTION_DAYS <= BROBYGGER_ANONYMISE_AFTER_DAYS:
    # An import's review list names people: gone before their cases are anonymised.
    raise ImproperlyConfigured(
        "BROBYGGER_IMPORT_RETENTION_DAYS must be at least 1 and at most "
        "BROBYGGER_ANONYMISE_AFTER_DAYS."
    )
# Emergency access to a case outside one's team lasts this many hours (docs/privacy.md).
BROBYGGER_EMERGENCY_ACCESS_HOURS = float(os.environ.get("BROBYGGER_EMERGENCY_ACCESS_HOURS", "8"))
if not 0 < BROBYGGER_EMERGENCY_ACCESS_HOURS <= 24 * 7:
    raise ImproperlyConfigured("BROBYGGER_EMERGENCY_ACCESS_HOURS must be above 0 and at most 168.")
# At most this many emergency accesses a staff member may take a day (Danish time).
BROBYGGER_EMERGENCY_ACCESS_PER_DAY = int(os.environ.get("BROBYGGER_EMERGENCY_ACCESS_PER_DAY", "3"))
if BROBYGGER_EMERGENCY_ACCESS_PER_DAY < 1:
    raise ImproperlyConfigured("BROBYGGER_EMERGENCY_ACCESS_PER_DAY must be at least 1.")
# Besides the users with the data protection role: more addresses (comma-separated, e.g. the
# data protection officer's shared mailbox) told of every emergency access at once.
BROBYGGER_DPO_EMAIL = [
    address.strip()
    for address in os.environ.get("BROBYGGER_DPO_EMAIL", "").split(",")
    if address.strip()
]
if BROBYGGER_ANONYMISE_AFTER_DAYS < 1 or BROBYGGER_ACCESS_LOG_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("Retention periods must be at least one day.")
# Status reports exported for publication hide counts below this (docs/status_report.md).
BROBYGGER_SUPPRESSION_THRESHOLD = int(os.environ.get("BROBYGGER_SUPPRESSION_THRESHOLD", "3"))
if BROBYGGER_SUPPRESSION_THRESHOLD < 2:
    raise ImproperlyConfigured("BROBYGGER_SUPPRESSION_THRESHOLD must be at least 2.")
