"""One error shape for the whole API: ``{"code", "detail", "fields"}``.

``detail`` is a sentence for people, ``code`` is stable for programs, and ``fields`` maps input
field names (dotted paths for nested input) to lists of messages.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.errors import SpotlabError


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    # A declared field named "fields" is collected by the serializer metaclass like any other;
    # it is the error shape's name for per-field messages.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )


def _flatten(data: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested validation errors as ``{"segments.2.onset": ["..."]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, path))
    elif isinstance(data, list) and data and all(isinstance(v, str) for v in data):
        out[prefix or "non_field_errors"] = [str(v) for v in data]
    elif isinstance(data, list):
        for index, value in enumerate(data):
            if value:
                out.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    elif data:
        out[prefix or "non_field_errors"] = [str(data)]
    return out


def error_body(
    code: str, detail: str, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    return {"code": code, "detail": detail, "fields": fields or {}}


logger = logging.getLogger(__name__)

#: How long a client waits before it retries a request the database could not serve.
DATABASE_RETRY_AFTER_S = 5


def database_unavailable(exc: Exception) -> Response:
    """A 503 for a request the database could not serve: down, restarting, out of connections,
    or a lock it waited too long for. Clients keep what they sent and try again (the autosave
    does), so this is no 500: the server is not broken, the database is away."""
    logger.warning("database unavailable: %s", exc)
    set_rollback()
    response = Response(
        error_body(
            "database_unavailable",
            "The database is unavailable or busy at the moment; try again in a few seconds.",
        ),
        status=503,
    )
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, SpotlabError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status)
    if isinstance(exc, OperationalError | InterfaceError):
        return database_unavailable(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next(iter(fields.items()), None)
        detail = f"{first[0]}: {first[1][0]}" if first else "Invalid input."
        response.data = error_body("invalid", detail, fields)
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        response.data = error_body(code, str(exc.detail))
    return response


# -- errors raised before a DRF view runs --------------------------------------------------------
# A URL that matches no route (``/api/v1/videos/-1/``), a request Django refuses while parsing
# it (too many fields) or a failed CSRF check on the session login would otherwise get Django's
# HTML pages; under /api/ they get the one error shape. Wired in config/urls.py and settings.


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("bad_request", "The request could not be read."), status=400)
    return defaults.bad_request(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            error_body("csrf_failed", f"CSRF check failed: {reason or 'no token'}."), status=403
        )
    return django_csrf_failure(request, reason)
