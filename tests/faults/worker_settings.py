"""Settings of the Celery worker under fault injection: the dev settings, mail into files.

Everything else (database, broker, result backend, visibility timeout) comes from the
environment exactly as in production; only the mail backend differs, so the test can
count every email the worker sent, even across the worker's deaths.
"""

from config.settings.dev import *  # noqa: F403
from config.settings.dev import env

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")
