"""Exact source frames for the API, from a few open decoders kept per process."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

from django.core.files.storage import default_storage

from videos.media import FrameReader, ProbeResult, encode_jpeg, encode_png
from videos.models import Video
from videos.storage import local_path

_MAX_OPEN = 8
_readers: OrderedDict[tuple[int, str], FrameReader] = OrderedDict()
_readers_lock = threading.Lock()
_reader_locks: dict[tuple[int, str], threading.Lock] = {}


def _reader(video: Video) -> tuple[FrameReader, threading.Lock]:
    key = (video.pk, video.file.name)
    with _readers_lock:
        reader = _readers.get(key)
        if reader is None:
            reader = FrameReader(local_path(video.file.name), stored_probe(video))
            _readers[key] = reader
            _reader_locks[key] = threading.Lock()
            while len(_readers) > _MAX_OPEN:
                old_key, old = _readers.popitem(last=False)
                _reader_locks.pop(old_key, None)
                old.close()
        _readers.move_to_end(key)
        return reader, _reader_locks[key]


def stored_probe(video: Video) -> ProbeResult:
    """The probe saved at ingest, so that opening a decoder does not decode the whole video."""
    with default_storage.open(video.probe_file.name, "rb") as handle:
        return ProbeResult.from_dict(json.load(handle))


def frame_image(video: Video, index: int, image_format: str) -> bytes:
    """Frame ``index`` of the video's canonical timeline, encoded as JPEG or PNG."""
    reader, lock = _reader(video)
    with lock:  # a decoder is not thread-safe; one request at a time per video
        rgb = reader.frame(index)
    return encode_png(rgb) if image_format == "png" else encode_jpeg(rgb)
