"""Session writes need the CSRF token; the login endpoints are throttled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from rest_framework.throttling import ScopedRateThrottle

from core.models import Project
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def csrf_token(client: Client) -> str:
    """The token the browser app reads from the cookie that GET auth/session/ sets."""
    client.get("/api/v1/auth/session/")
    return str(client.cookies["csrftoken"].value)


def test_session_login_and_writes_need_the_csrf_token(
    people: dict[str, User], project: Project
) -> None:
    client = Client(enforce_csrf_checks=True)
    credentials = {"username": "owner", "password": PASSWORD}
    url = "/api/v1/auth/session/"
    # Login itself is protected: another site cannot log a browser in.
    refused = client.post(url, credentials, content_type="application/json")
    assert refused.status_code == 403
    token = csrf_token(client)
    logged_in = client.post(url, credentials, content_type="application/json",
                            HTTP_X_CSRFTOKEN=token)  # fmt: skip
    assert logged_in.status_code == 200, logged_in.content
    assert logged_in.json()["username"] == "owner"
    token = str(client.cookies["csrftoken"].value)  # rotated at login

    rename = {"name": "Renamed"}
    without = client.patch("/api/v1/projects/alpha/", rename, content_type="application/json")
    assert without.status_code == 403
    assert "CSRF" in without.json()["detail"]
    assert Project.objects.get(slug="alpha").name == "Alpha"
    wrong = client.patch("/api/v1/projects/alpha/", rename, content_type="application/json",
                         HTTP_X_CSRFTOKEN="x" * 64)  # fmt: skip
    assert wrong.status_code == 403
    assert Project.objects.get(slug="alpha").name == "Alpha"
    done = client.patch("/api/v1/projects/alpha/", rename, content_type="application/json",
                        HTTP_X_CSRFTOKEN=token)  # fmt: skip
    assert done.status_code == 200, done.content
    assert Project.objects.get(slug="alpha").name == "Renamed"

    # Reads need no token; logging out is a write like any other.
    assert client.get("/api/v1/projects/alpha/").status_code == 200
    assert client.delete(url).status_code == 403
    assert client.delete(url, HTTP_X_CSRFTOKEN=token).status_code == 204
    assert client.get("/api/v1/projects/alpha/").status_code == 401


def test_token_clients_need_no_csrf_token(people: dict[str, User], project: Project) -> None:
    client = Client(enforce_csrf_checks=True)
    token = client.post(
        "/api/v1/auth/token/",
        {"username": "owner", "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    response = client.patch(
        "/api/v1/projects/alpha/",
        {"name": "By token"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 200


@pytest.fixture
def login_rate(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """Three logins a minute (the rates are read once, when DRF loads, so they are patched on
    the throttle), counted from an empty cache."""
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"login": "3/min"})
    cache.clear()
    yield 3
    cache.clear()


def _login(client: Client, url: str, password: str, **extra: Any) -> Any:
    return client.post(url, {"username": "owner", "password": password},
                       content_type="application/json", **extra)  # fmt: skip


@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/auth/session/"])
def test_login_endpoints_are_throttled(
    people: dict[str, User], project: Project, login_rate: int, url: str
) -> None:
    client = Client()
    statuses = [_login(client, url, "wrong password").status_code for _ in range(login_rate)]
    assert statuses == [400] * login_rate
    # Even the right password is refused now, with how long to wait.
    throttled = _login(client, url, PASSWORD)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["code"] == "throttled"
    # Another address has its own allowance.
    assert _login(client, url, PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_the_throttle_uses_the_configured_rate() -> None:
    """LOGIN_THROTTLE_RATE (default 30/min) is what the throttle applies."""
    from django.conf import settings

    rest_framework: dict[str, Any] = settings.REST_FRAMEWORK
    configured = rest_framework["DEFAULT_THROTTLE_RATES"]["login"]
    assert ScopedRateThrottle.THROTTLE_RATES["login"] == configured
    allowed, _ = ScopedRateThrottle().parse_rate(configured)
    assert allowed is not None
    assert allowed > 0
