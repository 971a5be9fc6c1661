"""Receiving uploads: streamed to a temporary file, hashed on the way, size-limited."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler

from core.errors import SpotlabError


class UploadTooLarge(SpotlabError):
    status = 413
    code = "too_large"


def max_upload_bytes() -> int:
    return int(settings.SPOTLAB_MAX_UPLOAD_BYTES)


def human_size(size: int) -> str:
    """``4 GiB``, ``1.5 MiB``, ``900 KiB``, ``12 bytes``."""
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def too_large(limit: int) -> UploadTooLarge:
    return UploadTooLarge(
        f"The file is larger than the upload limit of {human_size(limit)}.",
        fields={"file": "Too large."},
    )


class HashingUploadHandler(TemporaryFileUploadHandler):
    """Writes every upload to a temporary file (never memory), computing its sha256 as the
    chunks arrive, and stops as soon as the upload passes the size limit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit = max_upload_bytes()
        self.received = 0
        self.digest = hashlib.sha256()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise too_large(self.limit)
        self.digest.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int) -> UploadedFile | None:
        uploaded = super().file_complete(file_size)
        if uploaded is not None:
            uploaded.sha256 = self.digest.hexdigest()  # type: ignore[attr-defined]
        return uploaded
