"""Receiving uploads: streamed to a temporary file, hashed on the way, size-limited, and
recognised by their content (never by their name) before anything is stored."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import IO, Any

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


# -- what the content is -----------------------------------------------------------------------

#: How many leading bytes are read to recognise a file.
SNIFF_BYTES = 4096

#: ISO base media file format boxes that may open an MP4/MOV/3GP file.
_ISO_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot"}


@dataclass(frozen=True)
class Container:
    """A video container recognised from a file's first bytes; ``extension`` is that of the
    stored copy (None: keep a safe form of the uploader's)."""

    name: str
    extension: str | None


def _mpeg_ts(head: bytes, packet: int, offset: int) -> bool:
    """Three sync bytes (0x47) one transport packet apart."""
    positions = [offset + packet * n for n in range(3)]
    return len(head) > positions[-1] and all(head[p] == 0x47 for p in positions)


#: Containers recognised by how their files start, tried in order.
_PREFIXED: tuple[tuple[bytes | tuple[bytes, ...], Container], ...] = (
    (b"\x00\x00\x01\xba", Container("MPEG program stream", ".mpg")),
    (b"\x00\x00\x01\xb3", Container("MPEG video stream", ".m2v")),
    ((b"\x00\x00\x00\x01", b"\x00\x00\x01"), Container("H.264/H.265 elementary stream", None)),
    (b"FLV\x01", Container("FLV", ".flv")),
    (b"OggS", Container("Ogg", ".ogv")),
    (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", Container("ASF/WMV", ".wmv")),
    (b"YUV4MPEG2", Container("YUV4MPEG2", ".y4m")),
    (b"\x06\x0e\x2b\x34", Container("MXF", ".mxf")),
    (b".RMF", Container("RealMedia", ".rm")),
)


def video_container(head: bytes) -> Container | None:
    """The container that ``head`` (a file's first bytes) opens, or None if no video container
    starts that way. Only signatures are checked; ingest decides whether the file decodes."""
    if len(head) >= 8 and head[4:8] in _ISO_BOXES:
        quicktime = head[4:8] != b"ftyp" or head[8:12] == b"qt  "
        return Container("QuickTime" if quicktime else "MP4", ".mov" if quicktime else ".mp4")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        webm = b"webm" in head[:64]
        return Container("WebM" if webm else "Matroska", ".webm" if webm else ".mkv")
    if head[:4] == b"RIFF" and head[8:12] in (b"AVI ", b"AVIX", b"AMV "):
        return Container("AVI", ".avi")
    if _mpeg_ts(head, 188, 0):
        return Container("MPEG transport stream", ".ts")
    if _mpeg_ts(head, 192, 4):
        return Container("MPEG transport stream (M2TS)", ".m2ts")
    for signatures, container in _PREFIXED:
        if head.startswith(signatures):
            return container
    return None


_OTHER_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"BM", "a BMP image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%PDF", "a PDF document"),
    (b"ID3", "an MP3 audio file"),
    (b"fLaC", "a FLAC audio file"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "an executable"),
)


def describe_content(head: bytes) -> str:
    """What a file that is not a video looks like, for the error message."""
    if not head:
        return "an empty file"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "a WAV audio file"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image"
    for signature, description in _OTHER_SIGNATURES:
        if head.startswith(signature):
            return description
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        return "unrecognised binary data"
    if text.lstrip().startswith("<"):
        return "an HTML or XML document"
    if text.lstrip().startswith(("{", "[")):
        return "a JSON document"
    return "a text file"


def require_video_content(file: IO[bytes]) -> Container:
    """The container of an uploaded file, recognised from its first bytes (its name and the
    type the client claims are ignored); 400 naming what it looks like otherwise."""
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    container = video_container(head)
    if container is None:
        looks_like = describe_content(head)
        raise SpotlabError(
            f"The file is not a video: its content looks like {looks_like}. Upload a video "
            "file (MP4, MOV, Matroska/WebM, AVI, MPEG-TS/PS, FLV, ...).",
            code="not_a_video",
            fields={"file": f"Not a video ({looks_like})."},
        )
    return container


def clean_original_name(name: str) -> str:
    """The uploader's file name as metadata only: its last path part (either separator), without
    control or format characters, at most 255 characters. Stored names never use it."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    printable = "".join(ch for ch in base if not unicodedata.category(ch).startswith("C"))
    cleaned = printable.strip().lstrip(".")
    return cleaned[:255]
