"""The one error type that services raise; the API renders it in the one error shape."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class SpotlabError(Exception):
    """A business rule was broken. ``code`` is stable for clients; ``message`` is for people.

    ``fields`` maps input field names to their messages where the error is about input.
    ``status`` is the HTTP status the API answers with.
    """

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: Mapping[str, Sequence[str] | str] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.fields: dict[str, list[str]] = {
            key: [value] if isinstance(value, str) else list(value)
            for key, value in (fields or {}).items()
        }


class NotFound(SpotlabError):
    """The object does not exist, or the caller may not know that it does."""

    status = 404
    code = "not_found"


class PermissionDenied(SpotlabError):
    """The caller can see the object but may not do this to it."""

    status = 403
    code = "permission_denied"


class Conflict(SpotlabError):
    """The write is based on stale state (for example an old revision); nothing was changed."""

    status = 409
    code = "conflict"


class StorageError(SpotlabError):
    """Writing a file failed (disk full, permission denied, the object store refused it); what
    was half-written has been removed."""

    status = 507
    code = "storage_error"
