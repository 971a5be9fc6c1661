"""Helpers for scripts and benchmarks that start a Spotlab server on this machine."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(
    url: str, server: subprocess.Popen[bytes], *, who: str, timeout: float = 180
) -> None:
    """Wait until ``url``'s health endpoint answers 200; exit with a reason (prefixed ``who``)
    if the server process ends first or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{who}: the server exited early with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{who}: {url} not healthy after {timeout} s")


def production_env(*, data_dir: str, database: str, broker_db: int) -> dict[str, str]:
    """The environment of a server on production settings for a benchmark on loopback:
    PostgreSQL (``database``) and Redis (db ``broker_db``) on 127.0.0.1 as in CI, plain HTTP,
    requests addressed to ``Host: localhost``."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SPOTLAB_DATA_DIR": data_dir,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{broker_db}",
        "LOG_LEVEL": "WARNING",
    }


def psql(command: str) -> None:
    """One SQL command as ``postgres`` on 127.0.0.1 (trust authentication, as in CI)."""
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", command], check=True)


def recreate_database(name: str) -> None:
    """An empty scratch database ``name`` (dropped first if a run left one behind)."""
    psql(f"DROP DATABASE IF EXISTS {name}")
    psql(f"CREATE DATABASE {name}")


def wait_up(port: int, server: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Wait until the server on ``port`` answers its health check as ``Host: localhost``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited early with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/health/", headers={"Host": "localhost"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server on port {port} did not come up in {timeout:g} s")


def manage_shell_json(script: str, env: dict[str, str]) -> Any:
    """Run ``script`` with ``manage.py shell`` under ``env``; what its last line printed, read as
    JSON (the setup of a benchmark's scratch database)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=Path(__file__).resolve().parent.parent, env=env, check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])
