"""Stored files as local paths: ffmpeg and PyAV need a path, the storage may be remote."""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage

from core.errors import StorageError


def local_path(name: str) -> Path:
    """A local path with the content of the stored file ``name``.

    On local disk this is the file itself; for a remote store (S3) the file is copied once into
    a cache under the data dir (``SPOTLAB_DATA_DIR/cache``) and reused, and the cache is kept
    under ``SPOTLAB_SOURCE_CACHE_BYTES`` (see :func:`evict_cache`).
    """
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        root = cache_root()
        cached = root / name
        if cached.exists():
            _touch(cached)
            return cached
        cached.parent.mkdir(parents=True, exist_ok=True)
        # A name of its own per copy: two processes fetching one file must not write into
        # each other's partial copy. The rename is atomic; the last one wins, same content.
        partial = cached.with_name(f"{cached.name}.{uuid.uuid4().hex}.part")
        try:
            with default_storage.open(name, "rb") as source, partial.open("wb") as target:
                shutil.copyfileobj(source, target, length=1024 * 1024)
            partial.replace(cached)
        finally:
            partial.unlink(missing_ok=True)
        evict_cache(root, settings.SPOTLAB_SOURCE_CACHE_BYTES, keep=cached)
        return cached


def cache_root() -> Path:
    return Path(settings.DATA_DIR) / "cache"


#: A cached copy used this recently is never evicted, whatever the cache's size: a decoder or
#: an ffmpeg run of another process may be about to open it.
CACHE_GRACE_S = 600
#: A partial copy this old was left by a process that died while copying (the longest task is
#: shorter): it is deleted.
STALE_PART_S = 6 * 3600


def _touch(path: Path) -> None:
    """Mark a cached copy as just used (its mtime orders the eviction)."""
    with contextlib.suppress(OSError):
        os.utime(path)


def evict_cache(root: Path, limit_bytes: int, keep: Path | None = None) -> list[Path]:
    """Delete the least recently used copies in ``root`` until it holds at most ``limit_bytes``,
    and partial copies left by dead processes; returns what was deleted. Never ``keep`` nor a
    copy used in the last ``CACHE_GRACE_S`` seconds (the cache may stay over the limit while
    everything in it is in use). Copies are only copies: a deleted one is fetched again when
    next needed, and an open one deleted here is still read to its end by whoever has it."""
    now = time.time()
    entries = []
    evicted = []
    for path in root.rglob("*"):
        with contextlib.suppress(OSError):
            stat = path.stat()
            if not path.is_file():
                continue
            if not path.name.endswith(".part"):
                entries.append((stat.st_mtime, stat.st_size, path))
            elif now - stat.st_mtime > STALE_PART_S:
                path.unlink()
                evicted.append(path)
    total = sum(size for _, size, _ in entries)
    for used_at, size, path in sorted(entries, key=lambda entry: entry[0]):
        if total <= limit_bytes:
            break
        if path == keep or now - used_at < CACHE_GRACE_S:
            continue
        with contextlib.suppress(FileNotFoundError):  # another process evicted it first
            path.unlink()
        total -= size
        evicted.append(path)
    return evicted


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
