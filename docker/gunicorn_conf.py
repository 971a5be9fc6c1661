"""Gunicorn settings of the Spotlab web container.

The bind address is given on the command line (0.0.0.0:8000). Everything else can be tuned from
the environment; ``GUNICORN_CMD_ARGS`` still overrides any value below.

Threaded workers (gthread): uploads of multi-GiB videos and Range requests for browser proxies
keep a connection busy for a long time, and a thread waiting on a slow client must not block a
whole process. ``timeout`` is the silence after which a worker process is restarted; with gthread
it does not cut off a long upload that is still streaming.
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


workers = _int("WEB_CONCURRENCY", 4)
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 8)
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so that slow leaks in native libraries cannot build up.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# The heartbeat file on tmpfs: a container's overlay filesystem can stall it.
worker_tmp_dir = "/dev/shm"

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
