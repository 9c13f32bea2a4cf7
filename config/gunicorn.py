"""gunicorn's settings for Homeward (`gunicorn -c config/gunicorn.py config.wsgi`; `bin/serve` runs it).

Every figure comes from the environment, with defaults measured on a 2-core machine by bench/load/run.py
(docs/performance.md): the requests are CPU-bound (templates, ORM), so one worker process per core plus one
covers the waits on PostgreSQL, and two threads per worker overlap a query with another request's rendering.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread" if threads > 1 else "sync"
# Load the app once in the master: workers share its memory pages and start in milliseconds.
preload_app = True
# A request slower than this is a bug, not a wait: the worker is replaced and the request fails visibly.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5  # behind a reverse proxy that keeps connections open
# Recycle workers now and then (at different times), so a slow leak never takes the service down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None  # the proxy logs requests; addresses are personal data
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
# Only the proxy in front may say the request was HTTPS (TRUSTED_PROXY_COUNT decides what Django trusts).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    # The master loaded the app (preload_app) and may have opened a database connection: never share one.
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
