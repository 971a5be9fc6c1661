"""HTTP Range for stored files: without it, Chromium cannot seek in a <video> at all."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from core.errors import NotFound

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def _chunks(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        ranged = _remote_range(handle, start, length)
        if ranged is not None:
            yield from ranged
            return
        handle.seek(start)
        remaining = length
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def _remote_range(handle: IO[bytes], start: int, length: int) -> Iterator[bytes] | None:
    """The bytes asked for, fetched with one ranged GET when ``handle`` is an S3 object.

    django-storages' S3File downloads the whole object on its first read or seek; for a proxy of
    hundreds of megabytes that is a download per seek in the player. None for any other file.
    """
    obj = getattr(handle, "obj", None)
    if obj is None or not hasattr(obj, "get") or length <= 0:
        return None
    body = obj.get(Range=f"bytes={start}-{start + length - 1}")["Body"]

    def chunks() -> Iterator[bytes]:
        try:
            yield from (chunk for chunk in body.iter_chunks(CHUNK) if chunk)
        finally:
            body.close()

    return chunks()


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte range ``(first, last)`` asked for, or None when it is unsatisfiable.

    Supports one range (``bytes=a-b``, ``bytes=a-``, ``bytes=-n``), which is what media elements
    send; a multi-range request is answered with its first range.
    """
    match = RANGE.match(header.split(",")[0].strip())
    if match is None or size == 0:
        return None
    first_text, last_text = match.groups()
    if first_text == "" and last_text == "":
        return None
    if first_text == "":
        suffix = int(last_text)
        if suffix == 0:
            return None
        return max(0, size - suffix), size - 1
    first = int(first_text)
    last = min(int(last_text), size - 1) if last_text else size - 1
    if first > last or first >= size:
        return None
    return first, last


def ranged_file_response(
    request: HttpRequest, name: str, content_type: str, *, max_age: int = 3600
) -> HttpResponseBase:
    """Serve the stored file ``name`` whole (200) or in part (206), or 416 for a bad range;
    404 when the file is not in the storage."""
    try:
        size = default_storage.size(name)
    except FileNotFoundError as error:
        raise NotFound("The stored file is missing.") from error
    header = request.headers.get("Range", "")
    if header:
        wanted = parse_range(header, size)
        if wanted is None:
            refused = HttpResponse(status=416)
            refused["Content-Range"] = f"bytes */{size}"
            return refused
        first, last = wanted
        length = last - first + 1
        response: HttpResponseBase = StreamingHttpResponse(
            _chunks(default_storage.open(name, "rb"), first, length),
            status=206,
            content_type=content_type,
        )
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    else:
        length = size
        response = StreamingHttpResponse(
            _chunks(default_storage.open(name, "rb"), 0, size), content_type=content_type
        )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = f"private, max-age={max_age}"
    return response
