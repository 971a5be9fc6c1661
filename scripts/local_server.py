"""Helpers for scripts and benchmarks that start a Spotlab server on this machine."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request


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
