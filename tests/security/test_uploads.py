"""Uploads are recognised by their content, stored under names made of ids, and size-limited;
a refused upload leaves no row and no file behind."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import cv2
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from core.models import Project
from tests.conftest import api_client
from tests.media_factory import FFMPEG, make_video, render_frame
from videos.models import Video
from videos.uploads import clean_original_name, describe_content, video_container

pytestmark = pytest.mark.django_db

URL = "/api/v1/projects/alpha/videos/"


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("samples")


@pytest.fixture(scope="module")
def mp4(sample_dir: Path) -> Path:
    return make_video(sample_dir, "h264_25", n_frames=6)


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def post(user: User, name: str, content: bytes, content_type: str = "video/mp4") -> Any:
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return api_client(user).post(URL, {"file": upload}, format="multipart")


# -- recognising containers ---------------------------------------------------------------------

#: Remuxes or re-encodings of the same frames into each container ffmpeg writes.
CONTAINERS: dict[str, tuple[str, list[str], str]] = {
    "mp4": ("mp4", ["-c", "copy"], "MP4"),
    "mov": ("mov", ["-c", "copy"], "QuickTime"),
    "mkv": ("mkv", ["-c", "copy"], "Matroska"),
    "webm": ("webm", ["-c:v", "libvpx", "-b:v", "200k"], "WebM"),
    "avi": ("avi", ["-c:v", "mjpeg"], "AVI"),
    "ts": ("ts", ["-c", "copy"], "MPEG transport stream"),
    "mpg": ("mpg", ["-c:v", "mpeg2video"], "MPEG program stream"),
    "flv": ("flv", ["-c", "copy"], "FLV"),
    "ogv": ("ogv", ["-c:v", "libtheora"], "Ogg"),
    "wmv": ("wmv", ["-c:v", "wmv2"], "ASF/WMV"),
    "y4m": ("y4m", [], "YUV4MPEG2"),
    "h264": ("h264", ["-c", "copy"], "H.264/H.265 elementary stream"),
}


@pytest.mark.parametrize("kind", sorted(CONTAINERS))
def test_every_container_ffmpeg_writes_is_recognised(mp4: Path, sample_dir: Path, kind: str):
    suffix, codec_args, name = CONTAINERS[kind]
    target = sample_dir / f"sample.{suffix}"
    subprocess.run(
        [FFMPEG, "-v", "error", "-y", "-i", str(mp4), *codec_args, "-an", str(target)],
        check=True,
        capture_output=True,
    )
    container = video_container(target.read_bytes()[:4096])
    assert container is not None
    assert container.name == name


def _png() -> bytes:
    ok, encoded = cv2.imencode(".png", render_frame(0, 160, 120))
    assert ok
    return bytes(encoded.tobytes())


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("clip.mp4", b"\x00\x00\x00\x18ftypisom")
    return buffer.getvalue()


NOT_VIDEOS: dict[str, tuple[bytes, str]] = {
    "png": (_png(), "a PNG image"),
    "text": (b"onset,offset\n12,40\nThese are labels, not a video.\n", "a text file"),
    "zip": (_zip(), "a ZIP archive"),
    "jpeg": (b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 64, "a JPEG image"),
    "html": (b"<!doctype html><script>alert(1)</script>", "an HTML or XML document"),
    "pdf": (b"%PDF-1.7\n" + b"\x00" * 64, "a PDF document"),
    "wav": (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64, "a WAV audio file"),
    "binary": (bytes(range(200, 256)) * 4, "unrecognised binary data"),
}


@pytest.mark.parametrize("kind", sorted(NOT_VIDEOS))
def test_non_video_renamed_mp4_is_refused_and_nothing_is_stored(
    people: dict[str, User], project: Project, media_root: Path, kind: str
) -> None:
    content, looks_like = NOT_VIDEOS[kind]
    assert describe_content(content) == looks_like
    response = post(people["owner"], "holiday.mp4", content)
    assert response.status_code == 400
    assert response.json() == {
        "code": "not_a_video",
        "detail": (
            f"The file is not a video: its content looks like {looks_like}. Upload a video "
            "file (MP4, MOV, Matroska/WebM, AVI, MPEG-TS/PS, FLV, ...)."
        ),
        "fields": {"file": [f"Not a video ({looks_like})."]},
    }
    assert Video.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_video_with_a_misleading_name_and_type_is_accepted_by_content(
    people: dict[str, User], project: Project, media_root: Path, mp4: Path
) -> None:
    response = post(people["owner"], "notes.txt", mp4.read_bytes(), content_type="text/plain")
    assert response.status_code == 201, response.content
    video = Video.objects.get(pk=response.json()["id"])
    assert video.file.name == f"videos/{project.pk}/{video.uid}/source.mp4"
    assert video.original_name == "notes.txt"
    assert stored_files(media_root) == [media_root / video.file.name]


HOSTILE_NAMES = {
    "../../etc/passwd.mp4": "passwd.mp4",
    "..\\..\\windows\\system32\\evil.mp4": "evil.mp4",
    "/absolute/path/clip.mp4": "clip.mp4",
    "caf\u00e9 \u6620\u50cf.mp4": "caf\u00e9 \u6620\u50cf.mp4",
    "bell\x07\x1b[31mred.mp4": "bell[31mred.mp4",
    "right\u202eto-left\u200b.mp4": "rightto-left.mp4",
    "..hidden.mp4": "hidden.mp4",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_NAMES))
def test_stored_names_never_come_from_the_uploader(
    people: dict[str, User], project: Project, media_root: Path, mp4: Path, name: str
) -> None:
    content = mp4.read_bytes() + name.encode()  # a distinct file (sha256) per name
    response = post(people["curator"], name, content)
    assert response.status_code == 201, response.content
    video = Video.objects.get(pk=response.json()["id"])
    assert re.fullmatch(rf"videos/{project.pk}/{video.uid}/source\.mp4", video.file.name)
    assert stored_files(media_root) == [media_root / video.file.name]
    # Django's multipart parser already drops path parts; what is left is cleaned again.
    assert video.original_name == HOSTILE_NAMES[name]
    assert "/" not in video.original_name
    assert "\\" not in video.original_name


def test_clean_original_name() -> None:
    assert {name: clean_original_name(name) for name in HOSTILE_NAMES} == HOSTILE_NAMES
    assert clean_original_name("a" * 300 + ".mp4") == "a" * 255
    assert clean_original_name("") == ""


def test_the_size_limit_still_holds_and_stores_nothing(
    people: dict[str, User], project: Project, media_root: Path, mp4: Path
) -> None:
    content = mp4.read_bytes()
    with override_settings(SPOTLAB_MAX_UPLOAD_BYTES=len(content) - 1):
        response = post(people["owner"], "clip.mp4", content)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert Video.objects.count() == 0
    assert stored_files(media_root) == []


def test_refused_callers_store_nothing(
    people: dict[str, User], project: Project, media_root: Path, mp4: Path
) -> None:
    for who, status in (("annotator", 403), ("outsider", 404)):
        response = post(people[who], "clip.mp4", mp4.read_bytes())
        assert response.status_code == status
    assert Video.objects.count() == 0
    assert stored_files(media_root) == []
