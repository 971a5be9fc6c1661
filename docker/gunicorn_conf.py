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


# Processes rather than threads for the CPU: the threads of one process share one interpreter
# lock, and a thread back from a database round trip waits for it behind a thread that decodes
# a frame. On 2 cores, 200 annotators' autosave p99 was 157 ms with 2 x 16, 101 ms with 4 x 8,
# 46 ms with 4 x 4 (bench/bench_load.py); more cores, more workers.
workers = _int("WEB_CONCURRENCY", 4)
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so that slow leaks in native libraries cannot build up, but
# rarely: a gthread worker that stops drops the keep-alive connections it holds (browsers resend
# on a fresh one) and, in a narrow race, a connection it accepted in its last moment (an error
# the browser sees). At 2,000 requests, 200 annotators recycled a worker every 50 s.
max_requests = _int("GUNICORN_MAX_REQUESTS", 50_000)
max_requests_jitter = max_requests // 10

# Import Django once in the master and fork the workers from it: a recycled worker then starts
# in milliseconds instead of paying the imports again (seconds of CPU taken from the requests
# of the other workers). Nothing opens a database connection at import time.
preload_app = _int("GUNICORN_PRELOAD", 1) == 1

# The heartbeat file on tmpfs: a container's overlay filesystem can stall it.
worker_tmp_dir = "/dev/shm"

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
