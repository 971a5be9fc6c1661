"""Health check of the Spotlab web container: GET /api/v1/health/ on the local gunicorn.

The endpoint runs ``SELECT 1`` on the database, so a healthy container can serve requests.
The request carries a Host that ``ALLOWED_HOSTS`` accepts (else Django answers 400) and
``X-Forwarded-Proto: https``, as the TLS-terminating proxy would, so that the check passes with
``SECURE_SSL_REDIRECT=true`` too (the production settings trust that header by default).
Standard library only; exit status 0 means healthy.
"""

from __future__ import annotations

import http.client
import os
import sys

PATH = "/api/v1/health/"


def _host() -> str:
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    for preferred in ("localhost", "127.0.0.1"):
        if preferred in hosts:
            return preferred
    for host in hosts:
        if host != "*":
            # ".example.org" allows the domain and its subdomains.
            return host.lstrip(".")
    return "localhost"


def main() -> int:
    port = int(os.environ.get("HEALTHCHECK_PORT", "8000"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=8)
    try:
        conn.request("GET", PATH, headers={"Host": _host(), "X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        body = response.read(512)
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    if response.status != 200:
        print(f"unhealthy: HTTP {response.status} {body!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
