"""The platform on an S3-compatible bucket (moto's server, in-process on 127.0.0.1): an upload
through the API, the ingest, exact frames, the proxy with Range, and a release export, with
every file in the bucket and nothing on the local media root.

The settings are the production ones (``config.settings.storage.s3_storage``), pointed at the
moto endpoint; ``settings.STORAGES`` fires Django's ``storages_changed`` handler, which drops the
cached ``default_storage`` on the way in and out.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import av
import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage

from config.settings.storage import s3_storage
from core.jobs import JobReporter
from core.models import Job, JobState, Project
from curation.models import Release
from curation.services import release_export
from tests.conftest import api_client
from tests.curation.test_releases import spotting_project
from tests.media_factory import make_video, read_barcode
from tests.videos.test_ingest_api import decode_image, streamed, upload
from videos.models import Video, VideoStatus
from videos.services import video_ingest

REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "spotlab-test", "AWS_SECRET_ACCESS_KEY": "spotlab-test"}


@dataclass(frozen=True)
class Bucket:
    client: Any
    name: str

    def object_keys(self, prefix: str = "") -> set[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=prefix
        )
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def read(self, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.name, Key=key)["Body"].read()
        return body


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free port of 127.0.0.1, for this module."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        pytest.skip(f"moto[server] is not installed ({exc}); pip install -e '.[dev]'")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    try:
        server.start()
    except OSError as exc:
        pytest.skip(f"moto's S3 server could not listen on 127.0.0.1 ({exc})")
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(
    s3_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Bucket:
    """A fresh bucket as the default storage; a fresh data dir, so that every remote file read
    by ffmpeg or PyAV must come from the bucket through ``videos.storage.local_path``."""
    import boto3  # type: ignore[import-untyped]
    from storages.backends.s3 import S3Storage

    for key, value in CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    name = f"spotlab-{uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)
    client.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(bucket_name=name, endpoint_url=s3_endpoint, region_name=REGION),
    }
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.MEDIA_ROOT = str(tmp_path / "media-root-must-stay-empty")
    assert isinstance(default_storage, S3Storage)
    return Bucket(client, name)


@pytest.mark.django_db
def test_upload_ingest_frames_and_proxy_on_s3(
    bucket: Bucket, people: dict[str, User], project: Project, tmp_path: Path
) -> None:
    owner = api_client(people["owner"])
    received = upload(owner, make_video(tmp_path / "in", "h264_audio", n_frames=48))
    video = Video.objects.get(pk=received["id"])
    prefix = f"videos/{project.pk}/{video.uid}/"
    assert bucket.object_keys(prefix) == {f"{prefix}source.mp4"}

    # What a media worker does with the Job, here in this process.
    job = Job.objects.get(pk=received["job"])
    result = video_ingest(video_id=video.pk, reporter=JobReporter(job))
    assert result == {"video": video.pk, "n_frames": 48}

    video.refresh_from_db()
    assert video.status == VideoStatus.READY
    assert bucket.object_keys(prefix) == {
        f"{prefix}{kind}" for kind in ("source.mp4", "proxy.mp4", "sprite.jpg", "poster.jpg")
    } | {f"{prefix}probe.json"}
    assert (video.proxy.name, video.sprite.name, video.poster.name, video.probe_file.name) == (
        f"{prefix}proxy.mp4",
        f"{prefix}sprite.jpg",
        f"{prefix}poster.jpg",
        f"{prefix}probe.json",
    )
    assert not Path(str(tmp_path / "media-root-must-stay-empty")).exists()

    # Exact frames, decoded from the bucket's source (through the local cache).
    for index in (0, 1, 23, 47):
        response = owner.get(f"/api/v1/videos/{video.pk}/frames/{index}/?format=png")
        assert response.status_code == 200, response.content
        assert read_barcode(decode_image(response.content)) == index
    assert owner.get(f"/api/v1/videos/{video.pk}/frames/48/").status_code == 404

    # The proxy: whole, then in parts, byte for byte what the bucket holds.
    stored = bucket.read(f"{prefix}proxy.mp4")
    full = owner.get(f"/api/v1/videos/{video.pk}/proxy/")
    assert full.status_code == 200
    assert full["Accept-Ranges"] == "bytes"
    assert full["Content-Length"] == str(len(stored))
    body = streamed(full)
    assert body == stored
    with av.open(io.BytesIO(body), mode="r") as container:
        pictures = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    assert [read_barcode(picture) for picture in pictures] == list(range(48))

    part = owner.get(f"/api/v1/videos/{video.pk}/proxy/", HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(stored)}"
    assert part["Content-Length"] == "100"
    assert streamed(part) == stored[100:200]
    tail = owner.get(f"/api/v1/videos/{video.pk}/proxy/", HTTP_RANGE="bytes=-64")
    assert tail.status_code == 206
    assert streamed(tail) == stored[-64:]
    beyond = owner.get(f"/api/v1/videos/{video.pk}/proxy/", HTTP_RANGE=f"bytes={len(stored)}-")
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{len(stored)}"

    for kind in ("sprite", "poster"):
        served = owner.get(f"/api/v1/videos/{video.pk}/{kind}/")
        assert served.status_code == 200
        assert streamed(served) == bucket.read(f"{prefix}{kind}.jpg")

    # A second ingest (a redelivered task) changes nothing and leaves no duplicate.
    again = video_ingest(video_id=video.pk, reporter=JobReporter(job))
    assert again["skipped"] is True
    assert len(bucket.object_keys(prefix)) == 5
    assert Job.objects.get(pk=job.pk).state == JobState.QUEUED  # run by hand, not by a worker


@pytest.mark.django_db
def test_release_export_written_to_and_downloaded_from_s3(
    bucket: Bucket, people: dict[str, User], project: Project
) -> None:
    spotting_project(people, project)
    curator = api_client(people["curator"])
    created = curator.post(
        "/api/v1/projects/alpha/releases/",
        {"name": "v1", "split": {"kind": "kfold", "k": 3, "seed": 7}},
        format="json",
    )
    assert created.status_code == 201, created.content
    release = Release.objects.get(pk=created.json()["id"])
    assert release.data_file in bucket.object_keys()

    export = release_export(
        release_id=release.pk, format_name="samm_lv", progress=lambda fraction, message: None
    )
    assert export.file in bucket.object_keys()
    stored = bucket.read(export.file)
    assert hashlib.sha256(stored).hexdigest() == export.sha256
    assert len(stored) == export.size

    response = curator.get(f"/api/v1/releases/{release.pk}/exports/samm_lv/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    downloaded = streamed(response)
    assert downloaded == stored
    names = zipfile.ZipFile(io.BytesIO(downloaded)).namelist()
    assert "MANIFEST.json" in names
    assert (
        api_client(people["annotator"])
        .get(f"/api/v1/releases/{release.pk}/exports/samm_lv/")
        .status_code
        == 404
    )


def test_the_local_copies_of_remote_files_are_kept_under_their_limit(
    bucket: Bucket, settings: Any
) -> None:
    """``local_path`` copies a file from the bucket once and reuses the copy; past
    ``SPOTLAB_SOURCE_CACHE_BYTES`` the least recently used copies are deleted, never one in use
    (used in the last ``CACHE_GRACE_S``) nor the one just fetched; a deleted copy is fetched
    again, byte for byte; a partial copy left by a dead process is deleted."""
    import os
    import time

    from videos.storage import CACHE_GRACE_S, STALE_PART_S, cache_root, local_path

    settings.SPOTLAB_SOURCE_CACHE_BYTES = 2_500
    contents = {f"videos/1/{name}/source.mp4": name.encode() * 1000 for name in "abcd"}
    for name, content in contents.items():
        default_storage.save(name, io.BytesIO(content))

    def age(path: Path, seconds: float) -> None:
        then = time.time() - seconds
        os.utime(path, (then, then))

    a = local_path("videos/1/a/source.mp4")
    b = local_path("videos/1/b/source.mp4")
    assert a == cache_root() / "videos/1/a/source.mp4"
    assert (a.read_bytes(), b.read_bytes()) == (b"a" * 1000, b"b" * 1000)
    # Reused, not fetched again: a change in the bucket is not seen through the copy.
    default_storage.delete("videos/1/a/source.mp4")
    default_storage.save("videos/1/a/source.mp4", io.BytesIO(b"A" * 1000))
    age(a, CACHE_GRACE_S + 300)
    age(b, CACHE_GRACE_S + 200)
    assert local_path("videos/1/a/source.mp4") == a
    assert a.read_bytes() == b"a" * 1000
    assert time.time() - a.stat().st_mtime < 60  # a is now the most recently used

    # c makes 3,000 bytes: b, the least recently used, goes; a (just used) stays.
    stale = cache_root() / "videos/1/x/source.mp4.0123.part"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half")
    age(stale, STALE_PART_S + 1)
    c = local_path("videos/1/c/source.mp4")
    assert (a.exists(), b.exists(), c.exists(), stale.exists()) == (True, False, True, False)

    # Everything in use (a and c within the grace period): d goes in over the limit.
    d = local_path("videos/1/d/source.mp4")
    assert all(path.exists() for path in (a, c, d))
    # Once a and c are idle, the next fetch brings the cache back under the limit, oldest first.
    age(a, CACHE_GRACE_S + 100)
    age(c, CACHE_GRACE_S + 50)
    again = local_path("videos/1/b/source.mp4")
    assert again.read_bytes() == b"b" * 1000
    assert (a.exists(), c.exists(), d.exists()) == (False, False, True)
    assert sum(path.stat().st_size for path in cache_root().rglob("*") if path.is_file()) == 2_000
