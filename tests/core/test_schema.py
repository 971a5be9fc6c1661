"""The OpenAPI schema renders, validates, and documents the kernel's calls."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from tests.conftest import api_client

pytestmark = pytest.mark.django_db


def test_schema_validates_and_lists_the_contract(people) -> None:
    response = api_client(None).get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/auth/token/", "post"),
        ("/api/v1/projects/", "post"),
        ("/api/v1/projects/{slug}/", "get"),
        ("/api/v1/projects/{slug}/members/", "post"),
        ("/api/v1/jobs/{job_id}/", "get"),
    ]:
        assert method in paths[path], (path, method)
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {
        "code",
        "detail",
        "fields",
    }
    # Every operation documents the 503 it answers while the database is down.
    operations = [op for item in paths.values() for op in item.values() if "responses" in op]
    assert len(operations) > 50
    for operation in operations:
        unavailable = operation["responses"]["503"]
        assert unavailable["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
        assert "Retry-After" in unavailable["headers"]


def test_swagger_ui_is_served(people) -> None:
    response = api_client(None).get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
