"""Exact source frames for the API, from a few open decoders kept per process."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

from django.core.files.storage import default_storage

from core.errors import NotFound
from videos.media import FrameReader, ProbeResult, encode_jpeg, encode_png
from videos.models import Video
from videos.storage import local_path

_MAX_OPEN = 8
_readers: OrderedDict[tuple[int, str], tuple[FrameReader, threading.Lock]] = OrderedDict()
_readers_lock = threading.Lock()


def _reader(video: Video) -> tuple[FrameReader, threading.Lock]:
    """The process's open decoder of the video and the lock that guards it. A decoder is
    opened outside the cache's lock (opening reads the file's header and the stored probe), so
    that one request opening a decoder never holds up requests for the others; an evicted
    decoder is closed under its own lock, never while another request decodes with it."""
    key = (video.pk, video.file.name)
    with _readers_lock:
        entry = _readers.get(key)
        if entry is not None:
            _readers.move_to_end(key)
            return entry
    try:
        source, probed = local_path(video.file.name), stored_probe(video)
        if not source.is_file():
            raise FileNotFoundError(source)
    except FileNotFoundError as error:
        raise NotFound(f"Video {video.pk}'s stored source or probe is missing.") from error
    opened = (FrameReader(source, probed), threading.Lock())
    evicted = []
    with _readers_lock:
        entry = _readers.setdefault(key, opened)
        _readers.move_to_end(key)
        while len(_readers) > _MAX_OPEN:
            evicted.append(_readers.popitem(last=False)[1])
    if entry is not opened:
        evicted.append(opened)  # another request opened it first
    for reader, lock in evicted:
        with lock:
            reader.close()
    return entry


def stored_probe(video: Video) -> ProbeResult:
    """The probe saved at ingest, so that opening a decoder does not decode the whole video."""
    with default_storage.open(video.probe_file.name, "rb") as handle:
        return ProbeResult.from_dict(json.load(handle))


def frame_image(video: Video, index: int, image_format: str) -> bytes:
    """Frame ``index`` of the video's canonical timeline, encoded as JPEG or PNG."""
    while True:
        reader, lock = _reader(video)
        with lock:  # a decoder is not thread-safe; one request at a time per video
            with _readers_lock:  # evicted since? then it is closed, or about to be: reopen
                cached = _readers.get((video.pk, video.file.name), (None, None))[0] is reader
            if cached:
                rgb = reader.frame(index)
                break
    return encode_png(rgb) if image_format == "png" else encode_jpeg(rgb)
