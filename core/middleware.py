"""Security headers that Django's own middleware does not set: a Content-Security-Policy.

X-Frame-Options (``XFrameOptionsMiddleware``), X-Content-Type-Options, Referrer-Policy and HSTS
(``SecurityMiddleware``) come from Django itself, configured in ``config/settings``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from core.api.exceptions import error_body

#: The frontend is one Vite bundle served from our origin: no inline script, no inline
#: ``<style>`` (React sets ``style`` through the CSSOM, which a policy does not block), frames
#: decoded into ``blob:`` URLs and thumbnails as ``data:`` URLs, every call to our own API.
APP_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    )
)

#: Swagger UI (drf-spectacular's split view: its settings script is served from our origin)
#: loads its bundle, stylesheet and favicon from jsDelivr, and its template and components use
#: inline styles; it draws icons as ``data:`` images. Nothing else is allowed.
SWAGGER_CDN = "https://cdn.jsdelivr.net"
DOCS_POLICY = "; ".join(
    (
        "default-src 'none'",
        f"script-src 'self' {SWAGGER_CDN}",
        f"style-src 'self' 'unsafe-inline' {SWAGGER_CDN}",
        f"img-src 'self' data: {SWAGGER_CDN}",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
    )
)

DOCS_PREFIX = "/api/docs/"


def policy_for(path: str) -> str:
    return DOCS_POLICY if path.startswith(DOCS_PREFIX) else APP_POLICY


class ContentSecurityPolicyMiddleware:
    """Sets ``Content-Security-Policy`` on every response that does not already have one:
    the API's JSON and files get the same strict policy as the app (a browser that opens
    one directly runs nothing from it), the Swagger UI its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy_for(request.path)
        return response


NULL = "\x00"


class RejectNullCharactersMiddleware:
    """A NUL character in the path is a 404 (no object is named so) and one in the query
    string a 400, before any view runs: no PostgreSQL text can hold one, so a lookup with it
    would fail inside the database (a 500). JSON bodies are covered by DRF's fields, which
    refuse NUL themselves."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NULL in request.path:
            return _refuse(request, 404, "not_found", "Not found.")
        query = request.GET
        if any(NULL in key or any(NULL in v for v in query.getlist(key)) for key in query):
            message = "The query string holds a NUL character."
            return _refuse(request, 400, "null_character", message)
        return self.get_response(request)


def _refuse(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code, message), status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
