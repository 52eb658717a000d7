"""Production gunicorn settings, read from the environment.

    gunicorn -c gunicorn.conf.py linkwell.wsgi:application

Meant to sit behind a reverse proxy (nginx) on the same host, which terminates TLS and
buffers slow clients; see docs/operations.md. Every value can be overridden by its variable.
"""

import logging
import multiprocessing
import os

from linkwell.logs import logging_config


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


wsgi_app = "linkwell.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Gunicorn's rule of thumb (docs, "How Many Workers?"): 2 × cores + 1. Threads > 1 switch to
# the gthread worker, which keeps connections alive without tying up a process per client.
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# A request that takes longer than this has hung: the master kills and replaces the worker.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On restart or SIGTERM, workers get this long to finish the requests they are serving.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle each worker after a while (jittered, so they do not all restart at once) to bound
# the effect of any slow memory growth.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Only the proxy may say which scheme the client used (X-Forwarded-Proto): the address(es) of
# the reverse proxy, comma-separated. Django trusts the header through SECURE_PROXY_SSL_HEADER.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# The access log: path without the query string (%(U)s, not %(r)s) and no referrer — both can
# carry a name or NHS number typed into the caseload search. Headers are never logged.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's own lines through the same JSON formatter and identifier filter as the app's.
logconfig_dict = logging_config(
    root_level="WARNING",
    loggers={
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
)

# Load Django and import every view once, in the master, then fork: a worker started after a
# crash or at max_requests serves at once rather than importing the app on its first request.
# The master then holds the code, so restart the service (not a HUP reload) after an upgrade.
preload_app = True


def when_ready(server):
    from django.db import connections
    from django.urls import reverse

    reverse("healthz")  # builds the URL resolver, importing every view and API router
    connections.close_all()  # forked workers must not share a database connection


# Python warnings (e.g. from a library) as JSON lines too, rather than raw text on stderr.
logging.captureWarnings(True)
