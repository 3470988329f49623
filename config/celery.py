"""The Celery application; tasks live in each app's tasks.py and are found automatically."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("enforcement_academy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Operational tasks live in the project package, which is not an installed app.
app.autodiscover_tasks(["config"])
