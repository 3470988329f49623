"""Settings shared by every environment; everything that differs is read from the environment.

See DESIGN.md §3: SQLite, in-process tasks and a local-memory cache are the embedded
default; PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL, CACHE_URL) are switched
on by environment variables, not by code that exists only in production.
"""

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_secret(name: str, default: str | None = None) -> str:
    """A key or password exactly as set. django-environ reads a value that starts with "$"
    as the name of another variable, and a generated secret may well start with one."""
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable")
    return value


SECRET_KEY = env_secret("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "people",
    "laws",
    "powers",
    "quizzes",
    "courses",
    "cases",
    "certification",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.sites",
    # wagtail.users, with the user admin scoped to the organisation tree.
    "people.wagtail_users.UsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Only with DATABASE_REPLICA_URL: read-only views read from the replica.
    "config.db_router.ReplicaReadMiddleware",
    "people.middleware.NulCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "people.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "people.passwords.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "people.middleware.SecurityHeadersMiddleware",
    # Last, so it sees the outcome of authentication (django-axes docs).
    "axes.middleware.AxesMiddleware",
]

# The JSON API validates its own parameters (see people.middleware.NulCharacterMiddleware).
NUL_CHECK_EXEMPT_PREFIXES = ("/certificate/api/",)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "people.context_processors.roles",
            ],
        },
    },
]

# Database: SQLite by default. WAL lets readers run beside a writer, and IMMEDIATE
# transactions take the write lock up front, so concurrent writers wait (busy timeout)
# instead of failing half-way with "database is locked".
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
            ),
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# A PostgreSQL streaming replica, when there is one: dashboards, exports and API reads go
# there, everything else to the primary (config/db_router.py, docs/scaling.md). Unset, the
# router and its middleware do nothing.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # A replica that is down must be noticed in seconds, not after the kernel's timeout.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    # Tests never create a database of their own for it: it mirrors the default one.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]
# Seconds between two checks that the replica answers (per web process).
DATABASE_REPLICA_CHECK_SECONDS = env.int("DATABASE_REPLICA_CHECK_SECONDS", default=5)
# Seconds after a write during which that user reads from the primary only.
DATABASE_REPLICA_STICKY_SECONDS = env.int("DATABASE_REPLICA_STICKY_SECONDS", default=10)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://enforcement-academy")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis restart must cost cache misses, not server errors (config/cache.py).
    CACHES["default"]["BACKEND"] = "config.cache.ResilientRedisCache"

# Sessions: in the database by default, which every web node shares. With several nodes
# and CACHE_URL on Redis, "django.contrib.sessions.backends.cached_db" reads them from
# Redis and keeps them in the database, so a Redis restart signs nobody out
# (docs/scaling.md). "django.contrib.sessions.backends.cache" keeps them in Redis only.
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends.db")

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in limits (docs/sign-in.md, people/signin.py). 5 failed logins for one username from
# one address lock that username from that address for 15 minutes: a guesser elsewhere
# cannot lock an officer out. Attempts during a lock are refused without being counted,
# so a lock ends 15 minutes after its fifth failure.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "people.signin.SignInHandler"
AXES_CLIENT_IP_CALLABLE = "people.signin.client_address"
AXES_LOCKOUT_CALLABLE = "people.signin.lockout_response"
# And an address with 100 failed logins in a clock hour, whatever the usernames, is refused
# until the hour ends. Only failures count: a township's officers share one office address.
SIGNIN_ADDRESS_FAILURE_LIMIT = env.int("SIGNIN_ADDRESS_FAILURE_LIMIT", default=100)
SIGNIN_ADDRESS_FAILURE_WINDOW = env.int("SIGNIN_ADDRESS_FAILURE_WINDOW_SECONDS", default=3600)
# Peers whose X-Real-IP header names the client: our own nginx (site/nginx/) on this host.
SIGNIN_TRUSTED_PROXIES = env.list("SIGNIN_TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_TEMPLATE = "pages/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static_collected"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
# Uploads. With several web nodes, MEDIA_ROOT is a folder every node mounts (NFS or
# another shared filesystem), so a file uploaded through one node is served by any other
# (docs/scaling.md); STORAGES["default"] is the file-system storage on that folder.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Request bodies other than files; each upload form checks its own file size.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="培训考核平台 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with no broker configured, tasks run in-process (the embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = env.bool(
    "CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
# A task is acknowledged only after it finishes, so a worker that dies mid-task
# leaves it on the queue for another worker; tasks are written to be safe to rerun.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis broker: a task taken by a worker that then died (acks late) goes back on the queue
# after this many seconds. It must exceed CELERY_TASK_TIME_LIMIT, or a task still running
# would be handed to a second worker; the fault-injection tests set it low.
# A broker that hangs without closing the connection must fail a publish in seconds, not
# hold a web worker until gunicorn kills it (kombu waits forever by default). Workers
# poll with a 1 s BRPOP, well inside this.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=3600),
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=3.0),
    "socket_connect_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=3.0),
}
CELERY_BEAT_SCHEDULE: dict = {
    # Finish attempts whose time ran out, whether or not the officer comes back.
    "quizzes-attempts-expire": {"task": "quizzes.tasks.attempts_expire", "schedule": 60.0},
    # Reminders to officers whose status changed or who are at risk; weekly supervisor
    # digests ride on the same run (each sent once per week by a unique constraint).
    "certification-reminders-daily": {
        "task": "certification.reminders_daily",
        "schedule": crontab(hour=7, minute=30),
    },
    # Today's status of every officer, which area dashboards count (docs/scaling.md). Run
    # again during the day after a bulk change; changes in between are computed live.
    "certification-status-snapshot": {
        "task": "certification.status_snapshot_refresh",
        "schedule": crontab(hour=0, minute=10),
    },
    # The yearly hours totals the dashboards read, compared with the ledger they sum.
    "courses-hours-totals-check": {
        "task": "courses.tasks.hours_totals_check",
        "schedule": crontab(hour=2, minute=30),
    },
    # Each officer's digest of last month's law changes in their fields. Daily, so a
    # missed first of the month catches up; a unique (officer, month) sends it once.
    "certification-law-digest": {
        "task": "certification.law_digest_send",
        "schedule": crontab(hour=8, minute=0),
    },
}

# An attempt is closed this long after its deadline, so a save sent in the last second
# of a slow connection still counts.
QUIZZES_DEADLINE_GRACE_SECONDS = env.int("QUIZZES_DEADLINE_GRACE_SECONDS", default=30)

# Wagtail
WAGTAIL_SITE_NAME = "执法学院 · 乡镇综合行政执法培训考核平台"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Lesson videos are uploaded as documents and played by the browser's own player.
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "doc", "xlsx", "xls", "odt", "txt", "zip", "pptx"]
WAGTAILDOCS_EXTENSIONS += ["mp4", "webm"]
# Recordings a Moodle question may link to (quizzes/formats/files.py).
WAGTAILDOCS_EXTENSIONS += ["mp3", "ogg", "wav", "m4a"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 200 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAIL_PASSWORD_RESET_ENABLED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "people.security": {"level": "INFO"},
    },
}

# Domain labels shown in the chrome.
PRODUCT_NAME = _("Enforcement Academy")
