"""Additions to the generated OpenAPI schema that hold for every operation."""

from __future__ import annotations

from typing import Any

_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def database_unavailable_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Document the 503 that any operation answers while the database is down or busy
    (``core.api.exceptions.database_unavailable``), so that clients generated from the schema
    know to retry it."""
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            operation.setdefault("responses", {}).setdefault(
                "503",
                {
                    "description": (
                        "The database is unavailable or busy (`database_unavailable`): retry "
                        "after `Retry-After` seconds."
                    ),
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            )
    return result
