"""The single-page frontend, served by Django from the Vite build."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

NOT_BUILT = """<!doctype html><title>Spotlab</title>
<h1>The frontend is not built</h1>
<p>Run <code>make frontend</code> (or <code>make run</code>, which builds it) and reload.
The API is up at <a href="/api/docs/">/api/docs/</a>.</p>"""


@lru_cache(maxsize=1)
def _index_html(path: Path, mtime: float) -> str:
    return path.read_text(encoding="utf-8")


@require_safe
@ensure_csrf_cookie
def spa_index(request: HttpRequest, route: str = "") -> HttpResponse:
    """Every page of the frontend is this one HTML file; the app routes on the client."""
    index = Path(settings.FRONTEND_DIST_DIR) / "index.html"
    if not index.is_file():
        return HttpResponse(NOT_BUILT, status=503)
    return HttpResponse(_index_html(index, index.stat().st_mtime))
