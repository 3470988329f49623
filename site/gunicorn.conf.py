"""gunicorn settings for Enforcement Academy in production.

Run from the repository root:  .venv/bin/gunicorn -c site/gunicorn.conf.py
Django reads its own settings from the environment (see site/env.example); the
GUNICORN_* variables below tune only the web server.
"""

import os
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# The WSGI application, imported with the repository root as working directory.
wsgi_app = "config.wsgi:application"
chdir = str(_ROOT)

# Loopback only: nginx in front terminates TLS and forwards to this address.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# Sync workers: 2 * cores + 1, capped so a large host does not exhaust database
# connections (each worker keeps one open for CONN_MAX_AGE seconds).
workers = _int_env("GUNICORN_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 12))
worker_class = "sync"

# A request that runs longer than this is killed; spreadsheet imports are the slowest.
timeout = _int_env("GUNICORN_TIMEOUT", 60)
# Time a worker gets to finish its current request on restart or shutdown.
graceful_timeout = _int_env("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5

# Recycle workers now and then (guards against slow leaks); jitter keeps them
# from all restarting at once.
# Load Django and Wagtail once in the master: a respawned worker starts in milliseconds
# instead of re-importing for ~2 s of CPU (Django opens database connections lazily, per
# worker, so preloading shares none). Recycle workers rarely: under a synchronised exam
# start every recycle costs a core for seconds (bench/quizzes_save_load.py).
preload_app = True
max_requests = _int_env("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int_env("GUNICORN_MAX_REQUESTS_JITTER", 1000)

# Trust X-Forwarded-* headers only from nginx on the same host.
forwarded_allow_ips = "127.0.0.1"

# Logs to stdout/stderr, collected by journald under systemd.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The client address as nginx saw it (X-Forwarded-For), not 127.0.0.1.
access_log_format = (
    '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(L)ss "%(f)s" "%(a)s"'
)

proc_name = "enforcement-academy"
