"""Stored files as local paths: ffmpeg and PyAV need a path, the storage may be remote."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage

from core.errors import StorageError


def local_path(name: str) -> Path:
    """A local path with the content of the stored file ``name``.

    On local disk this is the file itself; for a remote store (S3) the file is copied once into
    a cache under the data dir and reused.
    """
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        cached = Path(settings.DATA_DIR) / "cache" / name
        if not cached.exists():
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_suffix(cached.suffix + ".part")
            with default_storage.open(name, "rb") as source, partial.open("wb") as target:
                shutil.copyfileobj(source, target, length=1024 * 1024)
            partial.replace(cached)
        return cached


def save_file(name: str, path: Path) -> str:
    """Store the local file ``path`` under exactly ``name`` (replacing an earlier copy, so that
    a re-run of an idempotent task does not pile up renamed duplicates)."""
    if default_storage.exists(name):
        default_storage.delete(name)
    with path.open("rb") as handle:
        return save_or_clean(name, handle)


def save_or_clean(name: str, content: Any) -> str:
    """``default_storage.save(name, content)``; if writing fails (disk full, permission denied,
    the store refusing it), whatever was half-written under ``name`` is deleted and a
    ``StorageError`` says why, so that no partial file is ever taken for a good one."""
    try:
        return default_storage.save(name, content)
    except OSError as error:
        with contextlib.suppress(Exception):
            if default_storage.exists(name):
                default_storage.delete(name)
        reason = error.strerror or str(error) or type(error).__name__
        raise StorageError(f"Could not store {name}: {reason}.") from error
