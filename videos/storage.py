"""Stored files as local paths: ffmpeg and PyAV need a path, the storage may be remote."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage


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
        return default_storage.save(name, handle)
