"""Security headers: the frontend's Content-Security-Policy (and that the built app runs under
it in Chromium), Swagger UI's own policy, the headers on API responses, HSTS in production."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from core.middleware import APP_POLICY, DOCS_POLICY, SWAGGER_CDN
from tests.conftest import PASSWORD, api_client
from tests.core.test_settings import GOOD_KEY, run_python

COMMON = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def directives(policy: str) -> dict[str, str]:
    pairs = (part.strip().partition(" ") for part in policy.split(";"))
    return {name: value for name, _, value in pairs}


def test_the_app_policy_is_the_strict_one() -> None:
    assert directives(APP_POLICY) == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data: blob:",
        "media-src": "'self' blob:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "worker-src": "'self' blob:",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "object-src": "'none'",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/projects/alpha", "/login"])
def test_frontend_pages_carry_the_policy_and_headers(path: str) -> None:
    response = Client().get(path)
    assert response.status_code in (200, 503)  # 503: the frontend is not built
    assert response["Content-Security-Policy"] == APP_POLICY
    for header, value in COMMON.items():
        assert response[header] == value


@pytest.mark.django_db
def test_the_built_index_needs_nothing_the_policy_refuses() -> None:
    response = Client().get("/")
    if response.status_code == 503:
        pytest.skip("the frontend is not built")
    html = response.content.decode()
    # No inline script or style, no handler attribute, nothing from another origin.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "<style" not in html
    assert re.findall(r"\son\w+=", html) == []
    assert re.findall(r'(?:src|href)="(?:https?:)?//', html) == []


@pytest.mark.django_db
def test_api_responses_carry_the_headers(people: Any, project: Any) -> None:
    for response in (
        api_client(None).get("/api/v1/health/"),
        api_client(people["annotator"]).get("/api/v1/projects/alpha/"),
        api_client(people["outsider"]).get("/api/v1/projects/alpha/"),
    ):
        assert response["Content-Security-Policy"] == APP_POLICY
        for header, value in COMMON.items():
            assert response[header] == value


@pytest.mark.django_db
def test_swagger_ui_has_its_own_policy_that_allows_what_it_loads() -> None:
    response = Client().get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == DOCS_POLICY
    assert response["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    assert 'id="swagger-ui"' in html
    # Every script is a file: the settings script from our origin, the bundle from the CDN.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    external = [url for url in sources if url.startswith(("http:", "https:", "//"))]
    assert external
    assert all(url.startswith(SWAGGER_CDN + "/") for url in external)
    local = [url for url in sources if url.startswith("/")]
    assert len(local) == 1
    script = Client().get(local[0])
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content
    policy = directives(DOCS_POLICY)
    assert policy["script-src"] == f"'self' {SWAGGER_CDN}"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'"


def test_production_responses_carry_hsts(tmp_path: Any) -> None:
    """Under the production settings, a page requested over HTTPS gets HSTS and the other
    headers; plain HTTP is redirected to HTTPS."""
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "secure = Client().get('/login', secure=True,"
        " HTTP_HOST='spotlab.example')\n"
        "plain = Client().get('/login', HTTP_HOST='spotlab.example')\n"
        "print(json.dumps({'hsts': secure.get('Strict-Transport-Security'),"
        " 'csp': secure.get('Content-Security-Policy'),"
        " 'nosniff': secure.get('X-Content-Type-Options'),"
        " 'plain': [plain.status_code, plain.get('Location')]}))\n"
    )
    result = run_python(
        script,
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SPOTLAB_DATA_DIR=str(tmp_path),
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="spotlab.example",
    )
    assert result.returncode == 0, result.stderr

    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {
        "hsts": "max-age=31536000; includeSubDomains; preload",
        "csp": APP_POLICY,
        "nosniff": "nosniff",
        "plain": [301, "https://spotlab.example/login"],
    }


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_app_runs_under_its_policy_in_chromium(
    live_server: Any, page: Any, people: Any, project: Any
) -> None:
    """Logging in and opening a project in Chromium: no CSP violation is reported, neither as
    a console message nor as a ``securitypolicyviolation`` event."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.on("pageerror", lambda error: messages.append(str(error)))
    page.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', event =>"
        " window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI));"
    )
    page.goto(f"{live_server.url}/projects/alpha")
    page.wait_for_url("**/login?next=*")
    page.get_by_test_id("login-username").fill("curator")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/projects/alpha")
    page.get_by_test_id("project-title").wait_for()
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__cspViolations")
    assert violations == []
    assert [text for text in messages if "Content Security Policy" in text] == []
