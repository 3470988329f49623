"""Test settings: small and fast (MD5 hasher, local-memory cache, tasks run immediately)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": env.cache("TEST_CACHE_URL", default="locmemcache://tests")}
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "zh-hans"
# Tests never run collectstatic: WhiteNoise looks files up on request instead of scanning
# the (absent) STATIC_ROOT at start-up and warning about it in every test.
WHITENOISE_AUTOREFRESH = True
# The editor pings the server every 10 s to show who else is editing. In the browser tests
# the live server shares one in-memory SQLite connection between its threads, and a ping
# landing inside a page's save breaks the save's savepoint; one ping an hour is enough.
WAGTAIL_EDITING_SESSION_PING_INTERVAL = 3_600_000
